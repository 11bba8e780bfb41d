package io.substate.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.purchases.StripeFact.CheckoutFact;
import io.substate.purchases.StripeFact.InvoiceFact;
import io.substate.purchases.StripeFact.RefundFact;
import io.substate.purchases.StripeFact.SubscriptionSnapshot;
import io.substate.purchases.StripeFact;

/**
 * Turns Stripe events and objects into {@link StripeFact}s, reading both API shapes: before 2025-03-31.basil
 * (period on the subscription, {@code invoice.subscription}, {@code charge.invoice}, {@code line.price}) and basil and
 * later (period on {@code items.data[]}, {@code invoice.parent.subscription_details}, {@code line.pricing}).
 */
public final class StripeFacts {
    private static final String ROOT = "data.object";

    private StripeFacts() {}

    /**
     * The fact an accepted event carries.
     *
     * @throws ApiException {@link ErrorCode#UNSUPPORTED_EVENT_TYPE} for other types, {@link ErrorCode#INVALID_EVENT}
     *     naming the JSON path of a wrongly typed field
     */
    public static StripeFact from(StripeEvent event) {
        return switch (event.type()) {
            case "customer.subscription.created", "customer.subscription.updated" ->
                    subscription(event.object(), event.id(), event.created(), event.livemode(), false);
            case "customer.subscription.deleted" ->
                    subscription(event.object(), event.id(), event.created(), event.livemode(), true);
            case "invoice.updated" -> fromInvoiceObject(event.object(), event.id(), event.created(), event.livemode());
            case "charge.refunded" -> fromChargeObject(event.object(), event.id(), event.created(), event.livemode());
            case "checkout.session.completed" ->
                    fromCheckoutObject(event.object(), event.id(), event.created(), event.livemode());
            default -> throw new ApiException(ErrorCode.UNSUPPORTED_EVENT_TYPE,
                    "Event type '" + event.type() + "' carries no purchase fact");
        };
    }

    /** A subscription read from the Stripe API (receipts, refresh) or from an event. */
    public static SubscriptionSnapshot fromSubscriptionObject(JsonNode subscription, String eventId, long created,
            boolean livemode) {
        return subscription(subscription, eventId, created, livemode, false);
    }

    private static SubscriptionSnapshot subscription(JsonNode object, String eventId, long created, boolean livemode,
            boolean deleted) {
        JsonPath sub = expect(object, "subscription");
        JsonPath item = sub.field("items").firstOfList();
        JsonPath price = item.field("price");
        JsonPath plan = item.field("plan");
        JsonPath recurring = price.field("recurring");
        // Pre-basil keeps the period on the subscription; basil moved it to each item.
        Long periodStart = sub.field("current_period_start").integer();
        Long periodEnd = sub.field("current_period_end").integer();
        if (periodStart == null && periodEnd == null) {
            periodStart = item.field("current_period_start").integer();
            periodEnd = item.field("current_period_end").integer();
        }
        String productId = price.field("product").id();
        if (productId == null) {
            productId = plan.field("product").id();
        }
        String priceId = price.field("id").text();
        if (priceId == null) {
            priceId = plan.field("id").text();
        }
        String currency = price.field("currency").text();
        return new SubscriptionSnapshot(
                eventId, created, livemode,
                sub.field("id").requiredText(),
                sub.field("customer").id(),
                sub.field("status").requiredText(),
                sub.field("cancel_at_period_end").boolOr(false),
                sub.field("cancel_at").integer(),
                sub.field("canceled_at").integer(),
                sub.field("ended_at").integer(),
                periodStart,
                periodEnd,
                sub.field("trial_start").integer(),
                sub.field("trial_end").integer(),
                productId,
                priceId,
                price.field("unit_amount").integer(),
                currency != null ? currency : sub.field("currency").text(),
                recurring.field("interval").text(),
                toInt(recurring.field("interval_count")),
                sub.field("latest_invoice").id(),
                sub.field("metadata").stringMap(),
                sub.field("cancellation_details").field("reason").text(),
                deleted);
    }

    /** An invoice from an {@code invoice.updated} event or the Stripe API. */
    public static InvoiceFact fromInvoiceObject(JsonNode object, String eventId, long created, boolean livemode) {
        JsonPath invoice = expect(object, "invoice");
        // Pre-basil: invoice.subscription (id or expanded); basil: invoice.parent.subscription_details.subscription.
        String subscriptionId = invoice.field("subscription").id();
        if (subscriptionId == null) {
            subscriptionId = invoice.field("parent").field("subscription_details").field("subscription").id();
        }
        JsonPath line = invoice.field("lines").firstOfList();
        JsonPath period = line.field("period");
        JsonPath linePrice = line.field("price");
        String productId = linePrice.field("product").id();
        String priceId = linePrice.field("id").text();
        if (productId == null && priceId == null) {
            JsonPath details = line.field("pricing").field("price_details");
            productId = details.field("product").id();
            priceId = details.field("price").id();
        }
        return new InvoiceFact(
                eventId, created, livemode,
                invoice.field("id").requiredText(),
                subscriptionId,
                invoice.field("customer").id(),
                invoice.field("status").text(),
                invoice.field("billing_reason").text(),
                invoice.field("amount_paid").integerOr(0),
                invoice.field("amount_due").integerOr(0),
                invoice.field("currency").text(),
                attemptCount(invoice.field("attempt_count")),
                period.field("start").integer(),
                period.field("end").integer(),
                invoice.field("status_transitions").field("paid_at").integer(),
                productId,
                priceId,
                invoice.field("charge").id(),
                invoice.field("payment_intent").id(),
                invoice.field("total").integer(),
                invoiceTax(invoice),
                invoiceOfferCode(invoice),
                country(invoice.field("customer_address")),
                invoice.field("next_payment_attempt").integer(),
                null,
                null,
                discountId(invoice));
    }

    /** Pre-basil {@code tax}; basil dropped it for {@code total_taxes[].amount}. Null when Stripe computed none. */
    private static Long invoiceTax(JsonPath invoice) {
        Long tax = invoice.field("tax").integer();
        if (tax != null) {
            return tax;
        }
        JsonPath taxes = invoice.field("total_taxes");
        if (taxes.absent() || taxes.node().isEmpty()) {
            return null;
        }
        long sum = 0;
        for (int i = 0; i < taxes.node().size(); i++) {
            sum += taxes.element(i).field("amount").integerOr(0);
        }
        return sum;
    }

    /** Pre-basil's single {@code discount}, else the first of {@code discounts} (ids unless expanded). */
    private static String invoiceOfferCode(JsonPath invoice) {
        String code = offerCode(invoice.field("discount"));
        return code != null ? code : offerCode(invoice.field("discounts").element(0));
    }

    /** The first discount's id when the invoice names it only by id (basil events do), else null. */
    private static String discountId(JsonPath invoice) {
        JsonPath first = invoice.field("discounts").element(0);
        return !first.absent() && first.node().isTextual() ? first.text() : null;
    }

    /** The offer code of an invoice read with {@code expand[]=discounts.promotion_code} (see {@link StripeApi}). */
    static String invoiceOfferCode(JsonNode invoice) {
        return invoiceOfferCode(new JsonPath(invoice, "invoice"));
    }

    /**
     * The code a customer typed: the promotion code's {@code code} when the object is there; otherwise its coupon's
     * id (basil discounts name it under {@code source.coupon}); null for a discount given only as an id.
     */
    private static String offerCode(JsonPath discount) {
        if (discount.absent() || !discount.node().isObject()) {
            return null;
        }
        JsonPath promotion = discount.field("promotion_code");
        if (!promotion.absent() && promotion.node().isObject() && promotion.field("code").text() != null) {
            return promotion.field("code").text();
        }
        String coupon = discount.field("coupon").id();
        return coupon != null ? coupon : discount.field("source").field("coupon").id();
    }

    private static String country(JsonPath address) {
        String code = address.field("country").text();
        return code == null || code.isEmpty() ? null : code.toUpperCase(java.util.Locale.ROOT);
    }

    /** A charge from a {@code charge.refunded} event or the Stripe API. */
    public static RefundFact fromChargeObject(JsonNode object, String eventId, long created, boolean livemode) {
        JsonPath charge = expect(object, "charge");
        long amount = charge.field("amount").integerOr(0);
        long refunded = charge.field("amount_refunded").integerOr(0);
        // `refunded` is only true for a full refund; the amounts say the same when it is missing.
        boolean fully = charge.field("refunded").boolOr(false) || (amount > 0 && refunded >= amount);
        return new RefundFact(
                eventId, created, livemode,
                charge.field("id").requiredText(),
                charge.field("payment_intent").id(),
                charge.field("invoice").id(),
                amount,
                refunded,
                charge.field("currency").text(),
                fully);
    }

    /** A Checkout Session from a {@code checkout.session.completed} event or the Stripe API. */
    public static CheckoutFact fromCheckoutObject(JsonNode object, String eventId, long created, boolean livemode) {
        JsonPath session = expect(object, "checkout.session");
        return new CheckoutFact(
                eventId, created, livemode,
                session.field("id").requiredText(),
                session.field("mode").text(),
                session.field("customer").id(),
                session.field("subscription").id(),
                session.field("payment_intent").id(),
                session.field("payment_status").text(),
                session.field("amount_total").integer(),
                session.field("currency").text(),
                session.field("metadata").stringMap(),
                session.field("client_reference_id").text(),
                null,
                null,
                session.field("total_details").field("amount_tax").integer(),
                offerCode(session.field("discounts").element(0)),
                country(session.field("customer_details").field("address")),
                null,
                null,
                session.field("discounts").element(0).field("promotion_code").id());
    }

    /**
     * The session with the product, price and amount of its first line item, from a
     * {@code GET /v1/checkout/sessions/{id}/line_items} list (events and sessions do not include line items).
     */
    public static CheckoutFact withFirstLineItem(CheckoutFact session, JsonNode lineItems) {
        JsonNode first = lineItems.path("data").path(0);
        JsonNode price = first.path("price");
        String product = price.path("product").isObject() ? price.path("product").path("id").asText(null)
                : price.path("product").asText(null);
        return session.withLineItem(product, price.path("id").asText(null),
                first.hasNonNull("amount_total") ? first.get("amount_total").asLong() : session.amountTotal(),
                first.path("currency").asText(session.currency()));
    }

    private static JsonPath expect(JsonNode object, String stripeObject) {
        JsonPath root = new JsonPath(object, ROOT);
        if (root.absent() || !object.isObject()) {
            throw new ApiException(ErrorCode.INVALID_EVENT, ROOT + " is not an object");
        }
        String actual = root.field("object").text();
        if (actual != null && !actual.equals(stripeObject)) {
            throw new ApiException(ErrorCode.INVALID_EVENT,
                    ROOT + ".object is \"" + actual + "\", but this event type carries a " + stripeObject);
        }
        return root;
    }

    private static int attemptCount(JsonPath value) {
        Integer count = toInt(value);
        return count == null ? 0 : count;
    }

    private static Integer toInt(JsonPath value) {
        Long number = value.integer();
        if (number == null) {
            return null;
        }
        if (number > Integer.MAX_VALUE || number < Integer.MIN_VALUE) {
            throw new ApiException(ErrorCode.INVALID_EVENT, value.path() + " is out of range");
        }
        return number.intValue();
    }
}
