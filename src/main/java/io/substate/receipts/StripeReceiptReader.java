package io.substate.receipts;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.purchases.PurchaseState.Kind;
import io.substate.purchases.StripeFact;
import io.substate.purchases.StripeFact.CheckoutFact;
import io.substate.stripe.StripeFacts;
import io.substate.stripe.StripeApi;
import java.util.List;

/**
 * Reads a posted token from the Stripe API: a subscription; a subscription-mode Checkout Session resolves to its
 * subscription; a payment-mode session becomes a one-time purchase of its first line item. Runs before the database
 * transaction (network I/O never holds a transaction open).
 */
final class StripeReceiptReader {
    private StripeReceiptReader() {}

    static StripeReceipt read(StripeApi api, String fetchToken, long nowMillis) {
        long created = nowMillis / 1000;
        // A synthetic event id: outgoing events caused by this read point to the receipt, not to a Stripe event.
        String readId = "receipt_" + fetchToken + "_" + nowMillis;
        if (fetchToken.startsWith("sub_")) {
            JsonNode subscription = api.subscription(fetchToken);
            boolean livemode = subscription.path("livemode").asBoolean(false);
            return new StripeReceipt(fetchToken, Kind.SUBSCRIPTION, livemode,
                    List.of(StripeFacts.fromSubscriptionObject(subscription, readId, created, livemode)));
        }
        JsonNode session = api.checkoutSession(fetchToken);
        boolean livemode = session.path("livemode").asBoolean(false);
        CheckoutFact checkout = StripeFacts.fromCheckoutObject(session, readId, created, livemode);
        if ("subscription".equals(checkout.mode())) {
            if (checkout.subscriptionId() == null) {
                throw new ApiException(ErrorCode.RECEIPT_NOT_READABLE, "Checkout Session " + fetchToken + " has no "
                        + "subscription yet (status '" + session.path("status").asText("unknown") + "'); post it after "
                        + "checkout.session.completed, or post the subscription id (sub_…)");
            }
            JsonNode subscription = api.subscription(checkout.subscriptionId());
            StripeFact snapshot = StripeFacts.fromSubscriptionObject(subscription, readId, created, livemode);
            return new StripeReceipt(checkout.subscriptionId(), Kind.SUBSCRIPTION, livemode, List.of(snapshot, checkout));
        }
        if (!"payment".equals(checkout.mode())) {
            throw new ApiException(ErrorCode.INVALID_RECEIPT_TOKEN, "Checkout Session " + fetchToken + " is in '"
                    + checkout.mode() + "' mode; only payment and subscription sessions are purchases");
        }
        CheckoutFact withItem = StripeFacts.withFirstLineItem(checkout, api.checkoutSessionLineItems(fetchToken));
        if (withItem.productId() == null) {
            throw new ApiException(ErrorCode.RECEIPT_NOT_READABLE, "Checkout Session " + fetchToken + " has no line "
                    + "item with a Stripe Price; one-time purchases must be sold through Checkout with Prices");
        }
        return new StripeReceipt(fetchToken, Kind.ONE_TIME, livemode, List.of(withItem));
    }
}
