package io.substate.purchases;

import io.substate.storage.Ids;
import io.substate.storage.ReadAhead;
import io.substate.storage.Sql;
import io.substate.storage.WriteBehind;
import io.substate.storage.WriteOrder;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Purchases inside a caller's transaction. The state machine's whole state is kept as JSON; the columns beside it
 * are projections for entitlement and chart queries, rewritten with every change.
 */
public final class PurchaseStore {
    private static final String COLUMNS = "id, project_id, app_id, customer_id, store_token, state_json, created_at";

    private static final String FIND_BY_TOKEN = "SELECT " + COLUMNS + " FROM purchases WHERE app_id = ? AND store_token = ?";

    private PurchaseStore() {}

    /**
     * A batch's purchases, locked, read at once on PostgreSQL ({@link ReadAhead}): a lookup is the app and the token.
     * Only where {@link #findForUpdate} locks (it then uses them).
     */
    public static final ReadAhead FIND_FOR_UPDATE_AHEAD = new ReadAhead("SELECT store_token, " + COLUMNS
            + " FROM purchases WHERE app_id = ? AND store_token = ANY (?) ORDER BY store_token FOR UPDATE",
            PurchaseStore::map, PurchaseStore::rowKey);

    /** The purchase of {@code token} in the app, locked for update on PostgreSQL (per-purchase updates serialize). */
    public static Optional<StoredPurchase> findForUpdate(Handle h, String appId, String token, String lockClause) {
        OwnRow own = new OwnRow(appId, token);
        if (!lockClause.isEmpty() && WriteBehind.own(h, own) instanceof StoredPurchase mine) {
            return Optional.of(mine); // this transaction wrote it, or read it locked: it is as read back
        }
        String sql = lockClause.isEmpty() ? FIND_BY_TOKEN : FIND_BY_TOKEN + lockClause;
        WriteBehind.Key key = rowKey(appId, token);
        Optional<StoredPurchase> found = WriteBehind.readAheadOr(h, key, StoredPurchase.class,
                () -> Sql.first(h, key, sql, PurchaseStore::map, appId, token));
        if (!lockClause.isEmpty()) {
            found.ifPresent(p -> WriteBehind.own(h, own, p));
        }
        return found;
    }

    /** The purchase row as this transaction last wrote or read it locked ({@link WriteBehind#own}). */
    private record OwnRow(String appId, String token) {}

    public static Optional<StoredPurchase> findById(Handle h, String id) {
        return Sql.first(h, "SELECT " + COLUMNS + " FROM purchases WHERE id = ?", PurchaseStore::map, id);
    }

    /** Every purchase of a customer, oldest first. */
    public static List<StoredPurchase> forCustomer(Handle h, String customerId) {
        return Sql.list(h, "SELECT " + COLUMNS + " FROM purchases WHERE customer_id = ? ORDER BY created_at, id",
                PurchaseStore::map, customerId);
    }

    /** A purchase with its revision: 0 when inserted, one more with every write of its state. */
    public record Revised(StoredPurchase purchase, long revision) {}

    /**
     * Every purchase of a customer with its revision, oldest first: a purchase whose id and revision were seen before
     * has the state seen then (see {@code customers/SubscriberCache}).
     */
    public static List<Revised> forCustomerRevised(Handle h, String customerId) {
        return Sql.list(h, "SELECT " + COLUMNS + ", revision FROM purchases WHERE customer_id = ? ORDER BY created_at, id",
                rs -> new Revised(map(rs), rs.getLong("revision")), customerId);
    }

    /**
     * Up to {@code limit + 1} purchases of one kind of a customer after the purchase {@code startingAfter} (null: from
     * the first), oldest first; {@code livemode} null for both environments.
     */
    public static List<StoredPurchase> pageForCustomer(Handle h, String customerId, PurchaseState.Kind kind,
            Boolean livemode, String startingAfter, int limit) {
        List<Object> args = new java.util.ArrayList<>(List.of(customerId, kindName(kind)));
        String sql = "SELECT " + COLUMNS + " FROM purchases WHERE customer_id = ? AND kind = ?";
        if (livemode != null) {
            sql += " AND livemode = ?";
            args.add(livemode);
        }
        if (startingAfter != null) {
            sql += " AND (created_at, id) > (SELECT created_at, id FROM purchases WHERE id = ?)";
            args.add(startingAfter);
        }
        args.add(limit + 1);
        return Sql.list(h, sql + " ORDER BY created_at, id LIMIT ?", PurchaseStore::map, args.toArray());
    }

    /**
     * The project's purchases of one kind that Stripe knows by {@code stripeId}: their own id in Stripe
     * ({@code sub_…}, {@code cs_…}) or an object seen with them (invoice, charge, payment intent), oldest first.
     */
    public static List<StoredPurchase> findByStripeId(Handle h, String projectId, PurchaseState.Kind kind,
            String stripeId) {
        String columns = "p.id, p.project_id, p.app_id, p.customer_id, p.store_token, p.state_json, p.created_at";
        // By the keys of their indexes: (app_id, store_token) and (app_id, object_id), over the project's apps. SQLite
        // orders a UNION only by result columns: by position, created_at then id.
        return Sql.list(h, "SELECT " + columns + " FROM purchases p JOIN apps a ON a.id = p.app_id "
                        + "WHERE a.project_id = ? AND p.store_token = ? AND p.kind = ? UNION "
                        + "SELECT " + columns + " FROM stripe_object_refs r JOIN apps a ON a.id = r.app_id "
                        + "JOIN purchases p ON p.id = r.purchase_id WHERE a.project_id = ? AND r.object_id = ? "
                        + "AND p.kind = ? ORDER BY 7, 1", PurchaseStore::map,
                projectId, stripeId, kindName(kind), projectId, stripeId, kindName(kind));
    }

    /** The purchase a Stripe object (invoice, charge, payment intent, checkout session) was seen with. */
    public static Optional<StoredPurchase> findByObjectRef(Handle h, String appId, String objectId) {
        return Sql.first(h, "SELECT p.id, p.project_id, p.app_id, p.customer_id, p.store_token, p.state_json, p.created_at "
                        + "FROM stripe_object_refs r JOIN purchases p ON p.id = r.purchase_id "
                        + "WHERE r.app_id = ? AND r.object_id = ?", PurchaseStore::map, appId, objectId);
    }

    public static StoredPurchase insert(Handle h, String projectId, String appId, String customerId, String token,
            PurchaseState state, long nowMillis) {
        StoredPurchase purchase = unsaved(projectId, appId, customerId, token, state, nowMillis);
        insert(h, purchase);
        return purchase;
    }

    /** A new purchase with a fresh id, not yet stored: see {@code PurchaseUpdater.applyToNew} (ingest). */
    public static StoredPurchase unsaved(String projectId, String appId, String customerId, String token,
            PurchaseState state, long nowMillis) {
        return new StoredPurchase(Ids.purchaseId(), projectId, appId, customerId, token, state, nowMillis);
    }

    /** Stores a purchase made by {@link #unsaved}, created now. */
    public static void insert(Handle h, StoredPurchase purchase) {
        Object[] args = withProjection(purchase, purchase.createdAt(), purchase.projectId(), purchase.appId(),
                purchase.token(), purchase.createdAt(), purchase.id());
        WriteBehind.later(h, WriteOrder.PURCHASE_INSERT, List.of(rowKey(purchase.appId(), purchase.token())),
                "INSERT INTO purchases (project_id, app_id, store_token, created_at, id, " + PROJECTED
                + ") VALUES (?, ?, ?, ?, ?, " + PROJECTED_PARAMS + ")", args);
        WriteBehind.own(h, new OwnRow(purchase.appId(), purchase.token()), purchase);
    }

    /** Writes the state and its projections. */
    public static void update(Handle h, StoredPurchase p, long nowMillis) {
        Object[] args = withProjection(p, nowMillis);
        Object[] withId = java.util.Arrays.copyOf(args, args.length + 1);
        withId[args.length] = p.id();
        WriteBehind.later(h, WriteOrder.PURCHASE_UPDATE, List.of(rowKey(p.appId(), p.token())),
                "UPDATE purchases SET (" + PROJECTED + ") = (" + PROJECTED_PARAMS + "), revision = revision + 1 "
                + "WHERE id = ?", withId);
        WriteBehind.own(h, new OwnRow(p.appId(), p.token()), p);
    }

    /** The row of the purchase of {@code token}, for reads and held writes ({@link WriteBehind#later}). */
    private static WriteBehind.Key rowKey(String appId, String token) {
        return WriteBehind.key("purchases", appId, token);
    }

    private static final String PROJECTED = "customer_id, kind, stripe_customer_id, payment_intent_id, product_id, "
            + "price_id, price_amount_minor, currency, billing_interval, billing_interval_count, status, period_type, "
            + "purchased_at, original_purchased_at, expires_at, unsubscribe_detected_at, billing_issues_detected_at, "
            + "refunded_at, livemode, state_json, updated_at";
    private static final String PROJECTED_PARAMS = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";

    /** {@code leading} values, then the {@link #PROJECTED} columns' values in their order. */
    private static Object[] withProjection(StoredPurchase p, long nowMillis, Object... leading) {
        PurchaseState s = p.state();
        Object[] projected = {Sql.text(p.customerId()), kind(s), Sql.text(s.stripeCustomerId()),
                Sql.text(s.paymentIntentId()), Sql.text(s.productId()), Sql.text(s.priceId()),
                Sql.bigint(s.priceAmountMinor()), Sql.text(s.currency()), Sql.text(s.interval()),
                Sql.integer(s.intervalCount()), String.valueOf(s.status()), String.valueOf(s.periodType()),
                Sql.bigint(s.purchasedAt()), Sql.bigint(s.originalPurchasedAt()), Sql.bigint(s.expiresAt()),
                Sql.bigint(s.unsubscribeDetectedAt()), Sql.bigint(s.billingIssuesDetectedAt()),
                Sql.bigint(s.refundedAt()), s.livemode(), StateCodec.write(s), nowMillis};
        Object[] all = java.util.Arrays.copyOf(leading, leading.length + projected.length);
        System.arraycopy(projected, 0, all, leading.length, projected.length);
        return all;
    }

    /** Remembers that a Stripe object belongs to the purchase (first association wins). */
    public static void rememberObject(Handle h, String appId, String objectId, String purchaseId) {
        if (objectId == null || objectId.isBlank()) {
            return;
        }
        // Read back only by statements that send held writes first (the resolver's reads run outside any batch).
        WriteBehind.later(h, WriteOrder.STRIPE_OBJECT_REF_INSERT, List.of(),
                "INSERT INTO stripe_object_refs (app_id, object_id, purchase_id) VALUES (?, ?, ?) "
                + "ON CONFLICT (app_id, object_id) DO NOTHING", appId, objectId, purchaseId);
    }

    private static String kind(PurchaseState state) {
        return kindName(state.kind());
    }

    private static String kindName(PurchaseState.Kind kind) {
        return String.valueOf(kind).toLowerCase(java.util.Locale.ROOT);
    }

    private static StoredPurchase map(ResultSet rs) throws SQLException {
        try {
            PurchaseState state = StateCodec.read(rs.getString("state_json"));
            return new StoredPurchase(rs.getString("id"), rs.getString("project_id"), rs.getString("app_id"),
                    rs.getString("customer_id"), rs.getString("store_token"), state, rs.getLong("created_at"));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("purchase " + rs.getString("id") + " has corrupt state", e);
        }
    }
}
