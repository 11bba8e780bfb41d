package io.substate.delivery;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.customers.Customer;
import io.substate.customers.CustomerStore;
import io.substate.entitlements.EntitlementService;
import io.substate.http.Json;
import io.substate.purchases.OutgoingEventDraft;
import io.substate.purchases.UsdRates;
import io.substate.storage.Ids;
import io.substate.storage.Sql;
import io.substate.storage.TransactionMemo;
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
public final class Outbox {
    private Outbox() {}

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

    /** Stores one event and returns its id. */
    public static String append(Handle h, Source source, OutgoingEventDraft draft, UsdRates rates, long nowMillis) {
        String id = Ids.eventId();
        long sequence = CustomerStore.nextSequence(h, source.customer().id());
        List<String> aliases = source.knownAliases() != null
                ? source.knownAliases() : CustomerStore.aliases(h, source.customer().id());
        String environment = source.livemode() ? "PRODUCTION" : "SANDBOX";

        ObjectNode event = Json.object();
        event.put("id", id);
        event.put("type", draft.type());
        event.put("event_timestamp_ms", nowMillis);
        event.put("app_id", source.appId());
        event.put("app_user_id", aliases.isEmpty() ? source.customer().originalAppUserId() : aliases.get(aliases.size() - 1));
        event.put("original_app_user_id", source.customer().originalAppUserId());
        ArrayNode aliasArray = event.putArray("aliases");
        aliases.forEach(aliasArray::add);
        event.put("product_id", draft.productId());
        List<String> entitlements = entitlementIds(h, source.appId(), draft.productId());
        if (entitlements.isEmpty()) {
            event.putNull("entitlement_ids");
            event.putNull("entitlement_id");
        } else {
            ArrayNode array = event.putArray("entitlement_ids");
            entitlements.forEach(array::add);
            event.put("entitlement_id", entitlements.get(0));
        }
        event.put("period_type", draft.periodType());
        putLong(event, "purchased_at_ms", draft.purchasedAtMs());
        putLong(event, "expiration_at_ms", draft.expirationAtMs());
        event.put("store", "STRIPE");
        event.put("environment", environment);
        event.put("transaction_id", draft.transactionId());
        event.put("original_transaction_id", draft.originalTransactionId());
        putPrice(event, draft, rates);
        event.put("is_family_share", false);
        event.putNull("presented_offering_id");
        event.putNull("country_code");
        if (draft.isTrialConversion() != null) {
            event.put("is_trial_conversion", draft.isTrialConversion());
        }
        if (draft.cancelReason() != null) {
            event.put("cancel_reason", draft.cancelReason());
        }
        if (draft.expirationReason() != null) {
            event.put("expiration_reason", draft.expirationReason());
        }
        if (draft.newProductId() != null) {
            event.put("new_product_id", draft.newProductId());
        }
        if (draft.renewalNumber() != null) {
            event.put("renewal_number", draft.renewalNumber());
        }
        event.put("sequence", sequence);

        insert(h, id, source, draft.type(), environment, sequence, event, nowMillis);
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
        insert(h, id, source, "TRANSFER", environment, sequence, event, nowMillis);
        return id;
    }

    private static void insert(Handle h, String id, Source source, String type, String environment, long sequence,
            ObjectNode event, long nowMillis) {
        Sql.update(h, "INSERT INTO outgoing_events (id, project_id, app_id, customer_id, purchase_id, type, environment, "
                        + "sequence, source_event_id, payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                id, source.projectId(), source.appId(), source.customer().id(), Sql.text(source.purchaseId()), type,
                environment, sequence, Sql.text(source.sourceEventId()), Json.write(event), nowMillis);
        // Same transaction: a delivery exists exactly when its event does (the outbox is durable as a whole).
        DeliveryQueue.enqueueForIntegrations(h, id, source.projectId(), source.appId(), environment, type, nowMillis);
    }

    private record EntitlementsOf(String appId, String productId) {}

    private static void putPrice(ObjectNode event, OutgoingEventDraft draft, UsdRates rates) {
        if (draft.priceMinor() == null || draft.currency() == null) {
            event.putNull("price");
            event.putNull("price_in_purchased_currency");
            event.putNull("currency");
            return;
        }
        String currency = draft.currency().toUpperCase(java.util.Locale.ROOT);
        event.put("currency", currency);
        event.put("price_in_purchased_currency", UsdRates.toMajor(draft.priceMinor(), currency).doubleValue());
        BigDecimal usd = rates.toUsd(draft.priceMinor(), currency);
        if (usd == null) {
            event.putNull("price");
        } else {
            event.put("price", usd.doubleValue());
        }
    }

    private static void putLong(ObjectNode node, String name, Long value) {
        if (value == null) {
            node.putNull(name);
        } else {
            node.put(name, value);
        }
    }

    private static List<String> entitlementIds(Handle h, String appId, String productId) {
        if (productId == null) {
            return List.of();
        }
        // Every event of a batch about the same product needs the same answer: read it once per transaction.
        return TransactionMemo.get(h, new EntitlementsOf(appId, productId), () -> EntitlementService
                .entitlementsForProducts(h, appId, List.of(productId)).getOrDefault(productId, List.of()));
    }
}
