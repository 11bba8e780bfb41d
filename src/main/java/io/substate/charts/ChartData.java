package io.substate.charts;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A computed chart: one row of values per period (in the order of the chart's measures), the summary, the selectors
 * applied, and the USD rates the money in it was converted with.
 */
record ChartData(ChartName chart, ChartRange range, List<Point> values, Map<String, Map<String, Number>> summary,
        Map<String, String> selectors, Map<String, BigDecimal> usdRates, Set<String> unconvertedCurrencies,
        long computedAt) {

    /**
     * One period's values, by measure; {@code incomplete} marks a period still changing (the current one, or a
     * cohort whose timeframe has not passed yet).
     */
    record Point(LocalDate date, Number[] values, boolean incomplete) {}
}
