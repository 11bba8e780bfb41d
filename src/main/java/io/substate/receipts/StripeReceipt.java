package io.substate.receipts;

import io.substate.purchases.PurchaseState;
import io.substate.purchases.StripeFact;
import java.util.List;

/**
 * What a posted Stripe token turned out to be: the purchase token ({@code sub_…} for subscriptions, also when a
 * subscription-mode {@code cs_…} was posted; {@code cs_…} for one-time payments), and the facts read from the Stripe
 * API (empty when the app has no API key).
 */
record StripeReceipt(String token, PurchaseState.Kind kind, Boolean livemode, List<StripeFact> facts) {}
