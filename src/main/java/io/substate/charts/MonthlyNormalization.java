package io.substate.charts;

import java.util.Locale;

/**
 * RevenueCat's MRR normalization of a billing interval to one month: 1 day ×30, 3 days ×10, 1 week ×4, 2 weeks ×2,
 * 4 weeks ×1, 1 month ×1, 2 months ×½, 3 months ×⅓, 6 months ×⅙, 1 year ×1/12. Other counts follow the same rule
 * (a month is 30 days or 4 weeks).
 */
final class MonthlyNormalization {
    private static final long DAY_SECONDS = 86_400;

    private MonthlyNormalization() {}

    /** How many times per month the interval's price is charged; null when the interval is unknown. */
    static Double factor(String interval, Integer count) {
        if (interval == null) {
            return null;
        }
        int n = count == null || count < 1 ? 1 : count;
        return switch (interval.toLowerCase(Locale.ROOT)) {
            case "day" -> 30.0 / n;
            case "week" -> 4.0 / n;
            case "month" -> 1.0 / n;
            case "year" -> 1.0 / (12.0 * n);
            default -> null;
        };
    }

    /**
     * The factor for a period known only by its length (Stripe told us no interval): the nearest of days, weeks,
     * months (30 days) and years (365 days).
     */
    static double factorFromLength(long startSeconds, long endSeconds) {
        long days = Math.max(1, Math.round((endSeconds - startSeconds) / (double) DAY_SECONDS));
        if (days >= 360) {
            return 1.0 / (12.0 * Math.max(1, Math.round(days / 365.0)));
        }
        if (days >= 28 && days % 7 != 0) {
            return 1.0 / Math.max(1, Math.round(days / 30.0));
        }
        if (days % 7 == 0) {
            return 4.0 / (days / 7);
        }
        return 30.0 / days;
    }
}
