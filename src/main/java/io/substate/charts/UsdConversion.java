package io.substate.charts;

import io.substate.config.UsdRates;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Converts per-currency sums of minor units to USD with the configured rate table, remembering which rates it used
 * (the response names them) and which currencies it could not convert (left out of the sums, and named too).
 */
final class UsdConversion {
    private final UsdRates rates;
    private final Map<String, BigDecimal> used = new TreeMap<>();
    private final Set<String> unconverted = new TreeSet<>();

    UsdConversion(UsdRates rates) {
        this.rates = rates;
    }

    BigDecimal toUsd(Map<String, ? extends Number> minorByCurrency) {
        BigDecimal total = BigDecimal.ZERO;
        for (Map.Entry<String, ? extends Number> e : minorByCurrency.entrySet()) {
            double minor = e.getValue().doubleValue();
            if (minor == 0) {
                continue;
            }
            BigDecimal rate = rates.rates().get(e.getKey());
            if (rate == null) {
                unconverted.add(e.getKey());
                continue;
            }
            used.put(e.getKey(), rate);
            BigDecimal unit = UsdRates.toMajor(1, e.getKey());
            total = total.add(BigDecimal.valueOf(minor).multiply(unit).multiply(rate));
        }
        return total.setScale(2, RoundingMode.HALF_EVEN);
    }

    Map<String, BigDecimal> usedRates() {
        return used;
    }

    Set<String> unconverted() {
        return unconverted;
    }
}
