package io.substate.charts;

import io.substate.charts.ChartData.Point;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A chart's {@code summary}, as RevenueCat gives it: {@code average} and {@code total}, each by measure display
 * name. The average is over the periods; the total follows the measure ({@link Measure.Total}): a flow's sum, a
 * level's last value, a rate recomputed from its parts' totals, and none for a level at each period's start. Values
 * not known yet (null: a cohort's later periods) are left out; a measure with none has no average.
 */
final class ChartSummary {
    private ChartSummary() {}

    static Map<String, Map<String, Number>> of(ChartName chart, List<Point> points) {
        Map<String, Number> average = new LinkedHashMap<>();
        Map<String, Number> total = new LinkedHashMap<>();
        List<Measure> measures = chart.measures;
        for (int i = 0; i < measures.size(); i++) {
            BigDecimal mean = average(points, i);
            if (mean != null) {
                average.put(measures.get(i).displayName(), mean);
            }
        }
        for (int i = 0; i < measures.size(); i++) {
            Measure m = measures.get(i);
            Number value = switch (m.total()) {
                case SUM -> sum(points, i);
                case LAST -> known(points, i).isEmpty() ? null : known(points, i).get(known(points, i).size() - 1);
                case RATIO -> ChartService.percent(sum(points, chart.measure(m.parts()[0])).longValue(),
                        sum(points, chart.measure(m.parts()[1])).longValue());
                case PER -> ChartService.per(decimal(sum(points, chart.measure(m.parts()[0]))),
                        sum(points, chart.measure(m.parts()[1])).longValue());
                case NONE -> null;
            };
            if (value != null) {
                total.put(m.displayName(), value);
            }
        }
        Map<String, Map<String, Number>> summary = new LinkedHashMap<>();
        summary.put("average", average);
        summary.put("total", total);
        return summary;
    }

    /** The measure's known values, in period order. */
    private static List<Number> known(List<Point> points, int measure) {
        return points.stream().map(p -> p.values()[measure]).filter(java.util.Objects::nonNull).toList();
    }

    /** A sum: a count when every value is one, an amount otherwise. */
    private static Number sum(List<Point> points, int measure) {
        List<Number> values = known(points, measure);
        if (values.stream().allMatch(v -> v instanceof Long)) {
            return values.stream().mapToLong(Number::longValue).sum();
        }
        return values.stream().map(ChartSummary::decimal).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    private static BigDecimal average(List<Point> points, int measure) {
        List<Number> values = known(points, measure);
        if (values.isEmpty()) {
            return null;
        }
        BigDecimal total = values.stream().map(ChartSummary::decimal).reduce(BigDecimal.ZERO, BigDecimal::add);
        return total.divide(BigDecimal.valueOf(values.size()), 2, RoundingMode.HALF_UP);
    }

    private static BigDecimal decimal(Number n) {
        return n instanceof BigDecimal d ? d : BigDecimal.valueOf(n.longValue());
    }
}
