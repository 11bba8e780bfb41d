package io.substate.purchases;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import io.substate.stripe.StripeEvents;
import io.substate.stripe.StripeFacts;

/**
 * Builds realistic Stripe event bodies in either API shape, so tests go through the same parsing as webhooks.
 * Amounts and ids are consistent across one lifecycle; the OpenAPI fixtures' random numbers are not.
 */
public final class StripeEventJson {
    public enum Shape { BASIL, PREBASIL }

    static final String SUB = "sub_life";
    static final String CUSTOMER = "cus_life";

    private final Shape shape;
    private int sequence;

    StripeEventJson(Shape shape) {
        this.shape = shape;
    }

    /** A subscription as Stripe sends it at {@code created}. */
    final class Sub {
        String type = "customer.subscription.updated";
        long created;
        String status = "active";
        long periodStart;
        long periodEnd;
        Long trialStart;
        Long trialEnd;
        boolean cancelAtPeriodEnd;
        Long cancelAt;
        Long canceledAt;
        Long endedAt;
        String product = "prod_gold";
        String price = "price_gold_monthly";
        long amount = 999;
        String latestInvoice;
        String cancellationReason;

        Sub(long created, String status, long periodStart, long periodEnd) {
            this.created = created;
            this.status = status;
            this.periodStart = periodStart;
            this.periodEnd = periodEnd;
        }

        Sub type(String value) { type = value; return this; }
        Sub trial(long start, long end) { trialStart = start; trialEnd = end; return this; }
        Sub cancelAtPeriodEnd(long at) { cancelAtPeriodEnd = true; canceledAt = at; return this; }
        Sub cancelAt(long when, long at) { cancelAt = when; canceledAt = at; return this; }
        Sub ended(long at, long canceled) { endedAt = at; canceledAt = canceled; return this; }
        Sub product(String productId, String priceId, long unitAmount) {
            product = productId; price = priceId; amount = unitAmount; return this;
        }
        Sub latestInvoice(String id) { latestInvoice = id; return this; }
        Sub reason(String value) { cancellationReason = value; return this; }

        String json() {
            ObjectNode sub = Json.object().put("id", SUB).put("object", "subscription").put("customer", CUSTOMER)
                    .put("status", status).put("cancel_at_period_end", cancelAtPeriodEnd).put("currency", "usd")
                    .put("created", 1_600_000_000L).put("livemode", false);
            putNullable(sub, "cancel_at", cancelAt);
            putNullable(sub, "canceled_at", canceledAt);
            putNullable(sub, "ended_at", endedAt);
            putNullable(sub, "trial_start", trialStart);
            putNullable(sub, "trial_end", trialEnd);
            sub.put("latest_invoice", latestInvoice);
            sub.putObject("metadata").put("app_user_id", "user-1");
            sub.putObject("cancellation_details").put("reason", cancellationReason).putNull("comment");
            ObjectNode item = Json.object().put("id", "si_life").put("object", "subscription_item").put("quantity", 1);
            ObjectNode priceNode = item.putObject("price").put("id", price).put("object", "price")
                    .put("unit_amount", amount).put("currency", "usd").put("type", "recurring");
            // Expanded products appear in some integrations; alternate to cover both reference forms.
            if (shape == Shape.BASIL) {
                priceNode.putObject("product").put("id", product).put("object", "product");
            } else {
                priceNode.put("product", product);
            }
            priceNode.putObject("recurring").put("interval", "month").put("interval_count", 1);
            if (shape == Shape.BASIL) {
                item.put("current_period_start", periodStart).put("current_period_end", periodEnd);
            } else {
                sub.put("current_period_start", periodStart).put("current_period_end", periodEnd);
            }
            sub.putObject("items").put("object", "list").putArray("data").add(item);
            return envelope(type, created, sub);
        }
    }

    /** An invoice of the subscription, as sent with {@code invoice.updated}. */
    final class Invoice {
        final String id;
        long created;
        String status;
        String billingReason;
        long amountPaid;
        long amountDue = 999;
        int attemptCount;
        long periodStart;
        long periodEnd;
        String product = "prod_gold";
        String price = "price_gold_monthly";
        String charge;
        String paymentIntent;

        Invoice(String id, long created, String status, String billingReason, long periodStart, long periodEnd) {
            this.id = id;
            this.created = created;
            this.status = status;
            this.billingReason = billingReason;
            this.periodStart = periodStart;
            this.periodEnd = periodEnd;
            this.charge = "ch_" + id.substring(3);
            this.paymentIntent = "pi_" + id.substring(3);
        }

        Invoice paid(long amount) { status = "paid"; amountPaid = amount; amountDue = amount; return this; }
        /** Finalized ({@code invoice.finalized}): open, not yet attempted. */
        Invoice open() { status = "open"; attemptCount = 0; amountPaid = 0; return this; }
        Invoice failed(int attempts) { status = "open"; attemptCount = attempts; amountPaid = 0; return this; }
        Invoice product(String productId, String priceId) { product = productId; price = priceId; return this; }

        String json() {
            ObjectNode invoice = Json.object().put("id", id).put("object", "invoice").put("customer", CUSTOMER)
                    .put("status", status).put("billing_reason", billingReason).put("amount_paid", amountPaid)
                    .put("amount_due", amountDue).put("currency", "usd").put("attempt_count", attemptCount)
                    .put("livemode", false);
            invoice.putObject("status_transitions").put("paid_at", "paid".equals(status) ? created : null);
            ObjectNode line = Json.object().put("id", "il_" + id).put("object", "line_item").put("amount", amountDue);
            line.putObject("period").put("start", periodStart).put("end", periodEnd);
            if (shape == Shape.BASIL) {
                invoice.putObject("parent").put("type", "subscription_details")
                        .putObject("subscription_details").put("subscription", SUB);
                line.putObject("pricing").put("type", "price_details")
                        .putObject("price_details").put("price", price).put("product", product);
            } else {
                invoice.put("subscription", SUB).put("paid", "paid".equals(status)).put("charge", charge)
                        .put("payment_intent", paymentIntent);
                line.putObject("price").put("id", price).put("object", "price").put("product", product)
                        .put("unit_amount", amountDue);
            }
            invoice.putObject("lines").put("object", "list").putArray("data").add(line);
            return envelope("invoice.updated", created, invoice);
        }
    }

    /** A {@code charge.refunded} event; the invoice link exists only before basil. */
    String refund(long created, String chargeId, String invoiceId, String paymentIntent, long amount, long refunded) {
        ObjectNode charge = Json.object().put("id", chargeId).put("object", "charge").put("amount", amount)
                .put("amount_refunded", refunded).put("refunded", refunded >= amount).put("currency", "usd")
                .put("payment_intent", paymentIntent).put("customer", CUSTOMER).put("livemode", false);
        if (shape == Shape.PREBASIL) {
            charge.put("invoice", invoiceId);
        }
        return envelope("charge.refunded", created, charge);
    }

    /** A {@code checkout.session.completed} event in payment mode. */
    String checkout(long created, String sessionId, String paymentIntent, String paymentStatus, long amount) {
        ObjectNode session = Json.object().put("id", sessionId).put("object", "checkout.session").put("mode", "payment")
                .putNull("customer").putNull("subscription").put("payment_intent", paymentIntent)
                .put("payment_status", paymentStatus).put("amount_total", amount).put("currency", "eur")
                .put("client_reference_id", "ref-1").put("livemode", false).put("status", "complete");
        session.putObject("metadata").put("app_user_id", "user-1");
        return envelope("checkout.session.completed", created, session);
    }

    Sub sub(long created, String status, long periodStart, long periodEnd) {
        return new Sub(created, status, periodStart, periodEnd);
    }

    Invoice invoice(String id, long created, String billingReason, long periodStart, long periodEnd) {
        return new Invoice(id, created, "draft", billingReason, periodStart, periodEnd);
    }

    /** Parses a body exactly as the webhook endpoint will: envelope, then fact. */
    static StripeFact fact(String body) {
        return StripeFacts.from(StripeEvents.parse(body));
    }

    private String envelope(String type, long created, ObjectNode object) {
        ObjectNode event = Json.object().put("id", "evt_" + type.replace('.', '_') + "_" + created + "_" + (++sequence))
                .put("object", "event").put("type", type).put("created", created).put("livemode", false)
                .put("api_version", shape == Shape.BASIL ? "2025-03-31.basil" : "2024-06-20").put("pending_webhooks", 1);
        event.putObject("data").set("object", object);
        return Json.write(event);
    }

    private static void putNullable(ObjectNode node, String field, Long value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }
}
