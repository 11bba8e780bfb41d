package io.substate.sync;

import static io.substate.testing.StripeEventBuilder.uniqueId;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import io.substate.testing.FakeStripe;
import io.substate.testing.StripeObjects;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Stripe account in the fake for the import tests: subscriptions of every status with their latest invoices,
 * one-time Checkout Sessions with their line items, full refunds of some of those, and a subscription-mode session;
 * each made with the Stripe customer it belongs to, so tests can find the purchases by App User ID.
 */
final class ImportAccount {
    static final long DAY = 86_400;
    static final String PRODUCT = SyncWorld.PRODUCT;
    static final String LIFETIME = "prod_lifetime";
    static final List<String> STATUSES = List.of("trialing", "active", "past_due", "canceled", "unpaid", "incomplete");

    /** Subscription id → its status, in the order made. */
    final Map<String, String> subscriptions = new LinkedHashMap<>();
    /** Subscription id → its Stripe customer. */
    final Map<String, String> customerOf = new LinkedHashMap<>();
    /** One-time session id → its Stripe customer. */
    final Map<String, String> oneTime = new LinkedHashMap<>();
    final List<String> refundedSessions = new ArrayList<>();
    final List<String> refunds = new ArrayList<>();
    private final FakeStripe stripe;
    private final long now = SyncWorld.now();

    ImportAccount(FakeStripe stripe) {
        this.stripe = stripe;
    }

    /** {@code perStatus} subscriptions of each status; metadata {@code user_id} when {@code metadataUser} is set. */
    ImportAccount subscriptions(int perStatus, boolean withMetadata) {
        for (int i = 0; i < perStatus; i++) {
            for (String status : STATUSES) {
                subscription(status, uniqueId("cus_"), withMetadata ? "user-" + uniqueId("") : null);
            }
        }
        return this;
    }

    String subscription(String status, String customer, String metadataUser) {
        String sub = uniqueId("sub_");
        String invoiceId = uniqueId("in_");
        long start = now - 10 * DAY;
        long end = now + 20 * DAY;
        StripeObjects.SubscriptionBuilder builder = StripeObjects.subscription(sub).customer(customer)
                .price("price_monthly", PRODUCT).created(start).period(start, end).latestInvoice(invoiceId);
        StripeObjects.InvoiceBuilder invoice = StripeObjects.invoice(invoiceId).customer(customer).subscription(sub)
                .price("price_monthly", PRODUCT, "month").amount(999, "usd").created(start).linePeriod(start, end)
                .billingReason("subscription_create").status("paid");
        int attempts = -1;
        switch (status) {
            case "trialing" -> {
                builder.trial(now - 2 * DAY, now + 5 * DAY);
                invoice.amount(0, "usd").created(now - 2 * DAY).linePeriod(now - 2 * DAY, now + 5 * DAY);
            }
            case "active" -> builder.status("active");
            case "past_due" -> {
                builder.status("past_due").period(now - 2 * DAY, now + 28 * DAY);
                invoice.status("open").billingReason("subscription_cycle").created(now - 2 * DAY)
                        .linePeriod(now - 2 * DAY, now + 28 * DAY);
                attempts = 1;
            }
            case "canceled" -> builder.period(now - 40 * DAY, now - 10 * DAY).created(now - 40 * DAY)
                    .canceled(now - 10 * DAY, "cancellation_requested");
            case "unpaid" -> {
                builder.status("unpaid").period(now - 2 * DAY, now + 28 * DAY);
                invoice.status("open").billingReason("subscription_cycle").created(now - 2 * DAY)
                        .linePeriod(now - 2 * DAY, now + 28 * DAY);
                attempts = 4;
            }
            case "incomplete" -> {
                builder.status("incomplete");
                invoice.status("open");
                attempts = 0;
            }
            default -> throw new IllegalArgumentException(status);
        }
        if (metadataUser != null) {
            builder.metadata("user_id", metadataUser);
        }
        ObjectNode invoiceJson = invoice.json();
        if (attempts >= 0) {
            invoiceJson.put("attempt_count", attempts);
            invoiceJson.put("attempted", attempts > 0);
        }
        stripe.put(invoiceJson);
        stripe.put(builder.json());
        subscriptions.put(sub, status);
        customerOf.put(sub, customer);
        return sub;
    }

    /** {@code count} one-time purchases of {@link #LIFETIME}; the first {@code refunded} of them refunded in full. */
    ImportAccount oneTime(int count, int refunded) {
        for (int i = 0; i < count; i++) {
            String customer = uniqueId("cus_");
            String session = uniqueId("cs_");
            String intent = uniqueId("pi_");
            String charge = uniqueId("ch_");
            stripe.put(StripeObjects.checkoutSession(session).customer(customer).paymentIntent(intent)
                    .amount(4999, "usd").created(now - 5 * DAY).json());
            stripe.putLineItems(session, StripeObjects.checkoutLineItems(session, "price_lifetime", LIFETIME, 4999,
                    null));
            boolean refund = i < refunded;
            ObjectNode chargeJson = StripeObjects.charge(charge).customer(customer).paymentIntent(intent)
                    .amount(4999, "usd").created(now - 5 * DAY).refunded(refund ? 4999 : 0).json();
            stripe.put(chargeJson);
            stripe.put(StripeObjects.paymentIntent(intent, customer, 4999, charge));
            if (refund) {
                String refundId = uniqueId("re_");
                ObjectNode refundJson = Json.object();
                refundJson.put("id", refundId);
                refundJson.put("object", "refund");
                refundJson.put("amount", 4999);
                refundJson.put("charge", charge);
                refundJson.put("created", now - DAY);
                refundJson.put("currency", "usd");
                refundJson.put("payment_intent", intent);
                refundJson.put("status", "succeeded");
                stripe.put(refundJson);
                refundedSessions.add(session);
                refunds.add(refundId);
            }
            oneTime.put(session, customer);
        }
        return this;
    }

    /** A subscription-mode session of one of the subscriptions (imported as its webhook would be). */
    ImportAccount subscriptionSession(String sub) {
        stripe.put(StripeObjects.checkoutSession(uniqueId("cs_")).customer(customerOf.get(sub)).subscription(sub)
                .created(now - 10 * DAY).json());
        return this;
    }

    List<String> withStatus(String status) {
        return subscriptions.entrySet().stream().filter(e -> e.getValue().equals(status)).map(Map.Entry::getKey)
                .toList();
    }

    int objects() {
        return subscriptions.size() + oneTime.size() + refunds.size();
    }
}
