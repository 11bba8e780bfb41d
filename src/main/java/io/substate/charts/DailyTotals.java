package io.substate.charts;

import io.substate.charts.ChartStore.Active;
import io.substate.charts.ChartStore.SpanDay;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Running totals of active spans at the end of each day of a range, built from per-day starts and ends (a sweep):
 * the count, and the monthly amount per currency.
 */
final class DailyTotals {
    private final long firstDay;
    private final long[] counts;
    private final Map<String, double[]> monthly = new HashMap<>();

    private DailyTotals(long firstDay, int days) {
        this.firstDay = firstDay;
        this.counts = new long[days + 1]; // index 0: before the range; i: end of day firstDay + i - 1
    }

    /**
     * @param base spans active at the end of the day before {@code firstDay}
     * @param starts spans starting per day of the range
     * @param ends spans ending per day of the range
     */
    static DailyTotals of(List<Active> base, List<SpanDay> starts, List<SpanDay> ends, long firstDay, long lastDay) {
        DailyTotals totals = new DailyTotals(firstDay, (int) (lastDay - firstDay + 1));
        for (Active a : base) {
            totals.add(0, a.currency(), a.count(), a.monthlyMinor());
        }
        for (SpanDay start : starts) {
            totals.add((int) (start.day() - firstDay + 1), start.currency(), start.count(), start.monthlyMinor());
        }
        for (SpanDay end : ends) {
            totals.add((int) (end.day() - firstDay + 1), end.currency(), -end.count(), -end.monthlyMinor());
        }
        for (int i = 1; i < totals.counts.length; i++) {
            totals.counts[i] += totals.counts[i - 1];
            for (double[] values : totals.monthly.values()) {
                values[i] += values[i - 1];
            }
        }
        return totals;
    }

    private void add(int index, String currency, long count, double monthlyMinor) {
        counts[index] += count;
        monthly.computeIfAbsent(currency, c -> new double[counts.length])[index] += monthlyMinor;
    }

    /** Active at the end of {@code day} (epoch day); {@code firstDay - 1} is the start of the range. */
    long countAtEndOf(long day) {
        return counts[index(day)];
    }

    Map<String, Double> monthlyAtEndOf(long day) {
        int i = index(day);
        Map<String, Double> result = new HashMap<>();
        monthly.forEach((currency, values) -> result.put(currency, values[i]));
        return result;
    }

    private int index(long day) {
        int i = (int) (day - firstDay + 1);
        if (i < 0 || i >= counts.length) {
            throw new IllegalArgumentException("day " + day + " is outside the range");
        }
        return i;
    }
}
