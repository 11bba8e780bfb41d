package io.substate.offerings;

import io.substate.config.UsdRates;

/**
 * A Stripe product's default price, as far as the SDK shows it: one fixed amount, and for a recurring price its
 * billing period and free trial.
 *
 * @param unitAmount in the currency's minor units, as Stripe gives it
 * @param currency ISO 4217, upper case
 * @param interval {@code day}, {@code week}, {@code month} or {@code year}; null for a one-time price
 * @param trialPeriodDays the price's free trial, or null
 * @param productName the Stripe product's name, or null
 */
public record StripePrice(String priceId, boolean recurring, long unitAmount, String currency, String interval,
                          int intervalCount, Integer trialPeriodDays, String productName, String productDescription) {

    /** The amount in millionths of the major unit, as the SDK reads prices ({@code amount_micros}). */
    public long amountMicros() {
        return UsdRates.toMajor(unitAmount, currency).movePointRight(6).longValueExact();
    }

    /** The billing period as an ISO 8601 duration the SDK parses ({@code P1M}, {@code P3M}, {@code P1Y}…). */
    public String periodDuration() {
        return recurring ? "P" + intervalCount + Character.toUpperCase(interval.charAt(0)) : null;
    }

    /** The free trial as an ISO 8601 duration ({@code P7D}), or null without one. */
    public String trialDuration() {
        return trialPeriodDays != null && trialPeriodDays > 0 ? "P" + trialPeriodDays + "D" : null;
    }
}
