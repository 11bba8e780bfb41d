package io.substate.delivery;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import io.substate.config.UsdRates;
import io.substate.customers.Customer;
import io.substate.customers.CustomerStore;
import io.substate.entitlements.EntitlementStore;
import io.substate.purchases.EventDetails;
import io.substate.purchases.OutgoingEventDraft;
import io.substate.storage.Ids;
import io.substate.storage.Sql;
import io.substate.storage.TransactionMemo;
import io.substate.storage.WriteBehind;
import io.substate.storage.WriteOrder;
import java.math.BigDecimal;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Writes RevenueCat-format outgoing events, inside the transaction that changed the state they describe, so an event
 * exists exactly when its state change committed. Delivery reads them from here (the outbox).
 *
 * <p>{@code subscriber_attributes} are not stored: they are added when the event is sent ("as of sending"). Each event
 * gets one {@code deliveries} row per matching webhook integration, in the same transaction.
 */
public final class OutgoingEventStore {
    private OutgoingEventStore() {}

    /** Where an event comes from: the project, app, customer and purchase it is about. */
    public record Source(String projectId, String appId, Customer customer, String purchaseId, boolean livemode,
            String sourceEventId, List<String> knownAliases) {
        /** {@code knownAliases}, when not null, are the customer's App User IDs as stored (the original first). */
        public Source {
            knownAliases = knownAliases == null ? null : List.copyOf(knownAliases);
        }

        /** A source whose customer's aliases are read when an event needs them. */
        public Source(String projectId, String appId, Customer customer, String purchaseId, boolean livemode,
                String sourceEventId) {
            this(projectId, appId, customer, purchaseId, livemode, sourceEventId, null);
        }
    }

    /** Stores one event about a Stripe purchase and returns its id. */
    public static String append(Handle h, Source source, OutgoingEventDraft draft, UsdRates rates, long nowMillis) {
        return append(h, source, draft, rates, nowMillis, true);
    }

    /**
     * As {@link #append(Handle, Source, OutgoingEventDraft, UsdRates, long)}; with {@code deliver} false the event is
     * kept in the customer's history but no integration is sent it (a Stripe import's old purchases, README
     * "Importing from Stripe").
     */
    public static String append(Handle h, Source source, OutgoingEventDraft draft, UsdRates rates, long nowMillis,
            boolean deliver) {
        return append(h, source, draft, false, entitlementIds(h, source.appId(), draft.productId()), rates, nowMillis,
                deliver);
    }

    /**
     * Stores one event about a granted entitlement (RevenueCat's promotional) and returns its id. RevenueCat sends
     * these from store {@code PROMOTIONAL}, always in production, without {@code app_id}, naming the entitlement
     * granted (its product is no product of an app). The source's app is null, so only integrations for every app
     * take them.
     */
    public static String appendPromotional(Handle h, Source source, OutgoingEventDraft draft, String lookupKey,
            UsdRates rates, long nowMillis) {
        return append(h, source, draft, true, List.of(lookupKey), rates, nowMillis, true);
    }

    private static String append(Handle h, Source source, OutgoingEventDraft draft, boolean promotional,
            List<String> entitlements, UsdRates rates, long nowMillis, boolean deliver) {
        String id = Ids.eventId();
        long sequence = CustomerStore.nextSequence(h, source.customer().id());
        List<String> aliases = source.knownAliases() != null
                ? source.knownAliases() : CustomerStore.aliases(h, source.customer().id());
        String environment = promotional || source.livemode() ? "PRODUCTION" : "SANDBOX";

        // Written field by field, without building a tree first: the webhook's committer writes one per state
        // change. Field order and nulls as RevenueCat sends them.
        String payload = EventWriter.write(event -> {
            event.string("id", id);
            event.string("type", draft.type());
            event.number("event_timestamp_ms", nowMillis);
            if (!promotional) {
                event.string("app_id", source.appId());
            }
            event.string("app_user_id", aliases.isEmpty()
                    ? source.customer().originalAppUserId() : aliases.get(aliases.size() - 1));
            event.string("original_app_user_id", source.customer().originalAppUserId());
            event.strings("aliases", aliases);
            event.string("product_id", draft.productId());
            event.strings("entitlement_ids", entitlements.isEmpty() ? null : entitlements);
            event.string("entitlement_id", entitlements.isEmpty() ? null : entitlements.get(0));
            event.string("period_type", draft.periodType());
            event.number("purchased_at_ms", draft.purchasedAtMs());
            event.number("expiration_at_ms", draft.expirationAtMs());
            event.string("store", promotional ? "PROMOTIONAL" : "STRIPE");
            event.string("environment", environment);
            event.string("transaction_id", draft.transactionId());
            event.string("original_transaction_id", draft.originalTransactionId());
            writePrice(event, draft, rates);
            event.bool("is_family_share", false);
            writeDetails(event, draft.details());
            if (draft.isTrialConversion() != null) {
                event.bool("is_trial_conversion", draft.isTrialConversion());
            }
            if (draft.cancelReason() != null) {
                event.string("cancel_reason", draft.cancelReason());
            }
            if (draft.expirationReason() != null) {
                event.string("expiration_reason", draft.expirationReason());
            }
            if (draft.newProductId() != null) {
                event.string("new_product_id", draft.newProductId());
            }
            if (draft.renewalNumber() != null) {
                event.number("renewal_number", draft.renewalNumber().longValue());
            }
            event.number("sequence", sequence);
        });

        insert(h, id, source, draft.type(), environment, sequence, payload, nowMillis, deliver);
        return id;
    }

    /** A TRANSFER event (RevenueCat sends it without app_user_id or product fields). */
    public static String appendTransfer(Handle h, Source source, List<String> transferredFrom, List<String> transferredTo,
            long nowMillis) {
        String id = Ids.eventId();
        long sequence = CustomerStore.nextSequence(h, source.customer().id());
        String environment = source.livemode() ? "PRODUCTION" : "SANDBOX";
        ObjectNode event = Json.object();
        event.put("id", id);
        event.put("type", "TRANSFER");
        event.put("event_timestamp_ms", nowMillis);
        event.put("app_id", source.appId());
        event.put("store", "STRIPE");
        event.put("environment", environment);
        ArrayNode from = event.putArray("transferred_from");
        transferredFrom.forEach(from::add);
        ArrayNode to = event.putArray("transferred_to");
        transferredTo.forEach(to::add);
        event.put("original_app_user_id", source.customer().originalAppUserId());
        event.put("sequence", sequence);
        insert(h, id, source, "TRANSFER", environment, sequence, Json.write(event), nowMillis, true);
        return id;
    }

    private static void insert(Handle h, String id, Source source, String type, String environment, long sequence,
            String payload, long nowMillis, boolean deliver) {
        insert(h, id, source.projectId(), source.appId(), source.customer().id(), source.purchaseId(), type,
                environment, sequence, source.sourceEventId(), payload, nowMillis);
        if (!deliver) {
            return;
        }
        // Same transaction: a delivery exists exactly when its event does (the outbox is durable as a whole).
        DeliveryStore.enqueueForIntegrations(h, id, source.projectId(), source.appId(), environment, type, nowMillis);
    }

    /**
     * A TEST event (RevenueCat's, for receivers to try their parsing): about no customer or purchase, numbered 0, and
     * delivered to one integration only ({@link DeliveryStore#enqueue}), not fanned out.
     */
    static void appendTest(Handle h, String id, String projectId, String appId, String environment, String payload,
            long nowMillis) {
        insert(h, id, projectId, appId, null, null, "TEST", environment, 0, null, payload, nowMillis);
    }

    /** The one statement that stores an outgoing event. */
    private static void insert(Handle h, String id, String projectId, String appId, String customerId,
            String purchaseId, String type, String environment, long sequence, String sourceEventId, String payload,
            long nowMillis) {
        WriteBehind.later(h, WriteOrder.OUTGOING_EVENT_INSERT, List.of(),
                "INSERT INTO outgoing_events (id, project_id, app_id, customer_id, purchase_id, type, environment, "
                        + "sequence, source_event_id, payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                id, projectId, Sql.text(appId), Sql.text(customerId), Sql.text(purchaseId), type, environment,
                sequence, Sql.text(sourceEventId), payload, nowMillis);
    }

    /** What a customer's history shows of one outgoing event. */
    public record Sent(String id, String type, long sequence, long createdAt, String purchaseId) {}

    /** The events sent about a customer, in no particular order. */
    public static List<Sent> forCustomer(Handle h, String customerId) {
        return Sql.list(h, "SELECT id, type, sequence, created_at, purchase_id FROM outgoing_events "
                        + "WHERE customer_id = ?",
                rs -> new Sent(rs.getString("id"), rs.getString("type"), rs.getLong("sequence"),
                        rs.getLong("created_at"), rs.getString("purchase_id")), customerId);
    }

    private record EntitlementsOf(String appId, String productId) {}

    private static void writePrice(EventWriter event, OutgoingEventDraft draft, UsdRates rates)
            throws java.io.IOException {
        if (draft.priceMinor() == null || draft.currency() == null) {
            event.string("price", null);
            event.string("price_in_purchased_currency", null);
            event.string("currency", null);
            return;
        }
        String currency = draft.currency().toUpperCase(java.util.Locale.ROOT);
        event.string("currency", currency);
        event.decimal("price_in_purchased_currency", UsdRates.toMajor(draft.priceMinor(), currency).doubleValue());
        BigDecimal usd = rates.toUsd(draft.priceMinor(), currency);
        if (usd == null) {
            event.string("price", null);
        } else {
            event.decimal("price", usd.doubleValue());
        }
    }

    /** RevenueCat's fields from the invoice, checkout and fee: each present, null when unknown. */
    private static void writeDetails(EventWriter event, EventDetails details) throws java.io.IOException {
        EventDetails d = details != null ? details : EventDetails.NONE;
        event.string("presented_offering_id", d.presentedOfferingId());
        event.string("country_code", d.countryCode());
        event.string("offer_code", d.offerCode());
        writeFraction(event, "tax_percentage", d.taxPercentage());
        writeFraction(event, "commission_percentage", d.commissionPercentage());
        writeFraction(event, "takehome_percentage", d.takehomePercentage());
        event.number("grace_period_expiration_at_ms", d.gracePeriodExpirationAtMs());
        // RevenueCat lists the customer's experiment enrollments; Substate runs none.
        event.strings("experiments", List.of());
    }

    private static void writeFraction(EventWriter event, String name, Double value) throws java.io.IOException {
        if (value == null) {
            event.string(name, null);
        } else {
            event.decimal(name, value);
        }
    }

    private static List<String> entitlementIds(Handle h, String appId, String productId) {
        if (productId == null) {
            return List.of();
        }
        // Every event of a batch about the same product needs the same answer: read it once per transaction.
        return TransactionMemo.get(h, new EntitlementsOf(appId, productId),
                () -> EntitlementStore.entitlementsForProduct(h, appId, productId));
    }
}
