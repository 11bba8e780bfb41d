package io.substate.purchases;

import io.substate.http.Json;
import io.substate.storage.Ids;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Purchases inside a caller's transaction. The state machine's whole state is kept as JSON; the columns beside it
 * are projections for entitlement and chart queries, rewritten with every change.
 */
public final class PurchaseStore {
    private static final String COLUMNS = "id, project_id, app_id, customer_id, store_token, state_json, created_at";

    private PurchaseStore() {}

    /** The purchase of {@code token} in the app, locked for update on PostgreSQL (per-purchase updates serialize). */
    public static Optional<StoredPurchase> findForUpdate(Handle h, String appId, String token, String lockClause) {
        return h.createQuery("SELECT " + COLUMNS + " FROM purchases WHERE app_id = :app AND store_token = :token" + lockClause)
                .bind("app", appId).bind("token", token).map(PurchaseStore::map).findOne();
    }

    public static Optional<StoredPurchase> findById(Handle h, String id) {
        return h.createQuery("SELECT " + COLUMNS + " FROM purchases WHERE id = :id").bind("id", id)
                .map(PurchaseStore::map).findOne();
    }

    /** Every purchase of a customer, oldest first. */
    public static List<StoredPurchase> forCustomer(Handle h, String customerId) {
        return h.createQuery("SELECT " + COLUMNS + " FROM purchases WHERE customer_id = :customer ORDER BY created_at, id")
                .bind("customer", customerId).map(PurchaseStore::map).list();
    }

    /** The purchase a Stripe object (invoice, charge, payment intent, checkout session) was seen with. */
    public static Optional<StoredPurchase> findByObjectRef(Handle h, String appId, String objectId) {
        return h.createQuery("SELECT p.id, p.project_id, p.app_id, p.customer_id, p.store_token, p.state_json, p.created_at "
                        + "FROM stripe_object_refs r JOIN purchases p ON p.id = r.purchase_id "
                        + "WHERE r.app_id = :app AND r.object_id = :object")
                .bind("app", appId).bind("object", objectId).map(PurchaseStore::map).findOne();
    }

    public static StoredPurchase insert(Handle h, String projectId, String appId, String customerId, String token,
            PurchaseState state, long nowMillis) {
        StoredPurchase purchase = new StoredPurchase(Ids.purchaseId(), projectId, appId, customerId, token, state, nowMillis);
        bindProjection(h.createUpdate("INSERT INTO purchases (id, project_id, app_id, store_token, created_at, "
                                + PROJECTED + ") VALUES (:id, :project, :app, :token, :now, " + PROJECTED_PARAMS + ")")
                        .bind("project", projectId).bind("app", appId).bind("token", token), purchase, nowMillis)
                .execute();
        return purchase;
    }

    /** Writes the state and its projections. */
    public static void update(Handle h, StoredPurchase p, long nowMillis) {
        bindProjection(h.createUpdate("UPDATE purchases SET (" + PROJECTED + ") = (" + PROJECTED_PARAMS + ") WHERE id = :id"),
                p, nowMillis).execute();
    }

    private static final String PROJECTED = "customer_id, kind, stripe_customer_id, payment_intent_id, product_id, "
            + "price_id, price_amount_minor, currency, billing_interval, billing_interval_count, status, period_type, "
            + "purchased_at, original_purchased_at, expires_at, unsubscribe_detected_at, billing_issues_detected_at, "
            + "refunded_at, livemode, state_json, updated_at";
    private static final String PROJECTED_PARAMS = ":customer, :kind, :stripeCustomer, :pi, :product, :price, :amount, "
            + ":currency, :interval, :intervalCount, :status, :period, :purchased, :original, :expires, :unsub, "
            + ":billing, :refunded, :livemode, :state, :now";

    private static org.jdbi.v3.core.statement.Update bindProjection(org.jdbi.v3.core.statement.Update update,
            StoredPurchase p, long nowMillis) {
        PurchaseState s = p.state();
        return update.bind("id", p.id()).bind("customer", p.customerId()).bind("kind", kind(s))
                .bind("stripeCustomer", s.stripeCustomerId()).bind("pi", s.paymentIntentId())
                .bind("product", s.productId()).bind("price", s.priceId()).bind("amount", s.priceAmountMinor())
                .bind("currency", s.currency()).bind("interval", s.interval()).bind("intervalCount", s.intervalCount())
                .bind("status", String.valueOf(s.status())).bind("period", String.valueOf(s.periodType()))
                .bind("purchased", s.purchasedAt()).bind("original", s.originalPurchasedAt())
                .bind("expires", s.expiresAt()).bind("unsub", s.unsubscribeDetectedAt())
                .bind("billing", s.billingIssuesDetectedAt()).bind("refunded", s.refundedAt())
                .bind("livemode", s.livemode()).bind("state", Json.write(s)).bind("now", nowMillis);
    }

    /** Remembers that a Stripe object belongs to the purchase (first association wins). */
    public static void rememberObject(Handle h, String appId, String objectId, String purchaseId) {
        if (objectId == null || objectId.isBlank()) {
            return;
        }
        h.createUpdate("INSERT INTO stripe_object_refs (app_id, object_id, purchase_id) VALUES (:app, :object, :purchase) "
                        + "ON CONFLICT (app_id, object_id) DO NOTHING")
                .bind("app", appId).bind("object", objectId).bind("purchase", purchaseId).execute();
    }

    private static String kind(PurchaseState state) {
        return String.valueOf(state.kind()).toLowerCase(java.util.Locale.ROOT);
    }

    private static StoredPurchase map(ResultSet rs, StatementContext ctx) throws SQLException {
        try {
            PurchaseState state = Json.MAPPER.readValue(rs.getString("state_json"), PurchaseState.class);
            return new StoredPurchase(rs.getString("id"), rs.getString("project_id"), rs.getString("app_id"),
                    rs.getString("customer_id"), rs.getString("store_token"), state, rs.getLong("created_at"));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("purchase " + rs.getString("id") + " has corrupt state", e);
        }
    }
}
