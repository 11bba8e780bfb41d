package io.substate.charts;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A computed chart: its values, a summary, and the USD rates the money in it was converted with. */
record ChartData(ChartName chart, ChartRange range, List<Point> values, Map<String, Number> summary,
        Map<String, BigDecimal> usdRates, Set<String> unconvertedCurrencies, long computedAt) {

    /**
     * One value; {@code measures} are the numbers it was computed from (transactions, actives, …), and
     * {@code incomplete} marks the current period.
     */
    record Point(LocalDate date, Number value, Map<String, Number> measures, boolean incomplete) {}
}
