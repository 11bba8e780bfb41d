package io.substate.stripe;

/**
 * The Stripe account an API key belongs to, as shown by "check connection".
 *
 * @param id Stripe account id ({@code acct_…})
 * @param livemode whether the key is a live-mode key (inferred from its prefix; Stripe's account object has no mode)
 * @param businessName the account's public business name, or null when Stripe has none
 * @param email the account's email, or null when Stripe has none or the key may not read it
 */
public record AccountInfo(String id, boolean livemode, String businessName, String email) {}
