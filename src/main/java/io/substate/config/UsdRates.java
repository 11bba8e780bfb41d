package io.substate.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Converts amounts to USD, as RevenueCat's {@code price} fields and charts are in USD. The table is configuration
 * ({@code SUBSTATE_USD_RATES="EUR=1.08,GBP=1.27"}, USD per unit of the currency) over built-in defaults; anything
 * that reports converted money also says which rates it used.
 */
public final class UsdRates {
    /** Approximate defaults so conversion works out of the box; production teams should configure their own. */
    private static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry("USD", "1"), Map.entry("EUR", "1.08"), Map.entry("GBP", "1.27"), Map.entry("CAD", "0.73"),
            Map.entry("AUD", "0.66"), Map.entry("JPY", "0.0067"), Map.entry("CHF", "1.13"), Map.entry("SEK", "0.095"),
            Map.entry("NOK", "0.093"), Map.entry("DKK", "0.145"), Map.entry("PLN", "0.25"), Map.entry("BRL", "0.18"),
            Map.entry("INR", "0.012"), Map.entry("MXN", "0.055"), Map.entry("NZD", "0.60"), Map.entry("SGD", "0.74"));

    /** Currencies whose minor unit is the major unit (Stripe's zero-decimal currencies). */
    private static final java.util.Set<String> ZERO_DECIMAL = java.util.Set.of("BIF", "CLP", "DJF", "GNF", "JPY", "KMF",
            "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF");

    private final Map<String, BigDecimal> rates;

    private UsdRates(Map<String, BigDecimal> rates) {
        this.rates = rates;
    }

    public static UsdRates defaults() {
        return parse(null);
    }

    /** Defaults overridden by {@code CUR=rate} pairs separated by commas. */
    public static UsdRates parse(String setting) {
        Map<String, BigDecimal> rates = new TreeMap<>();
        DEFAULTS.forEach((k, v) -> rates.put(k, new BigDecimal(v)));
        if (setting != null && !setting.isBlank()) {
            for (String pair : setting.split(",")) {
                String[] parts = pair.trim().split("=");
                try {
                    if (parts.length != 2 || !parts[0].trim().matches("[A-Za-z]{3}")) {
                        throw new NumberFormatException();
                    }
                    BigDecimal rate = new BigDecimal(parts[1].trim());
                    if (rate.signum() <= 0) {
                        throw new NumberFormatException();
                    }
                    rates.put(parts[0].trim().toUpperCase(Locale.ROOT), rate);
                } catch (NumberFormatException e) {
                    throw new InvalidSettingException("SUBSTATE_USD_RATES",
                            "'" + pair.trim() + "' is not CUR=rate (USD per unit, e.g. EUR=1.08)");
                }
            }
        }
        return new UsdRates(Map.copyOf(rates));
    }

    /** Major units of the currency for a Stripe minor-unit amount (cents → dollars; yen stay yen). */
    public static BigDecimal toMajor(long minor, String currency) {
        if (currency != null && ZERO_DECIMAL.contains(currency.toUpperCase(Locale.ROOT))) {
            return BigDecimal.valueOf(minor);
        }
        return BigDecimal.valueOf(minor).movePointLeft(2);
    }

    /** The USD value of a minor-unit amount, or null when the currency has no configured rate. */
    public BigDecimal toUsd(long minor, String currency) {
        if (currency == null) {
            return null;
        }
        BigDecimal rate = rates.get(currency.toUpperCase(Locale.ROOT));
        if (rate == null) {
            return null;
        }
        return toMajor(minor, currency).multiply(rate).setScale(2, RoundingMode.HALF_EVEN);
    }

    public Map<String, BigDecimal> rates() {
        return rates;
    }
}
