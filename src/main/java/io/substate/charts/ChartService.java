package io.substate.charts;

import io.substate.charts.ChartData.Point;
import io.substate.charts.ChartStore.Active;
import io.substate.charts.ChartStore.DayCount;
import io.substate.charts.ChartStore.RefundDay;
import io.substate.charts.ChartStore.TransactionDay;
import io.substate.charts.ChartStore.TrialCohortDay;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.projects.ProjectService;
import io.substate.config.UsdRates;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Computes charts with RevenueCat's definitions from the chart facts ({@link ChartFactsStore}), at request time:
 * nothing is cached, so a webhook shows in the next request. Snapshot charts (actives, MRR, trials) take each
 * period's value at its end, or now for the current period; flow charts (revenue, refunds, customers, trials started)
 * sum the period's days.
 */
public final class ChartService {
    private final Jdbi jdbi;
    private final ProjectService projects;
    private final UsdRates rates;
    private final Clock clock;

    public ChartService(Jdbi jdbi, ProjectService projects, UsdRates rates, Clock clock) {
        this.jdbi = jdbi;
        this.projects = projects;
        this.rates = rates;
        this.clock = clock;
    }

    ChartData chart(String projectId, String chartName, String startDate, String endDate, String resolution) {
        String project = projects.get(projectId).id();
        ChartName chart = ChartName.parse(chartName).orElseThrow(() -> new ApiException(ErrorCode.INVALID_CHART_NAME,
                "There is no chart '" + chartName + "'; charts are " + ChartName.list()));
        long now = clock.millis();
        LocalDate today = Bucket.today(now);
        ChartRange range = ChartRange.parse(startDate, endDate, resolution, today);
        List<Bucket> buckets = range.buckets(today);
        UsdConversion usd = new UsdConversion(rates);
        Computed computed = jdbi.withHandle(h -> switch (chart) {
            case ACTIVES, MRR, TRIALS -> snapshot(h, project, chart, range, buckets, now, usd);
            case CHURN -> churn(h, project, range, buckets, now);
            case REVENUE -> revenue(h, project, range, buckets, usd);
            case REFUND_RATE -> refundRate(h, project, range, buckets);
            case CUSTOMERS_NEW -> newCustomers(h, project, range, buckets);
            case TRIAL_CONVERSION_RATE -> trialConversion(h, project, range, buckets, now);
        });
        return new ChartData(chart, range, computed.points, computed.summary, usd.usedRates(), usd.unconverted(), now);
    }

    /** The overview's numbers now: actives, MRR and trials at this instant; revenue and new customers of 28 days. */
    Overview overview(String projectId) {
        String project = projects.get(projectId).id();
        long now = clock.millis();
        long since = now - 28 * Bucket.DAY_MS;
        UsdConversion usd = new UsdConversion(rates);
        return jdbi.withHandle(h -> {
            List<Active> paid = ChartStore.activeAt(h, project, false, now);
            List<Active> trials = ChartStore.activeAt(h, project, true, now);
            Map<String, Long> revenue = new HashMap<>();
            for (TransactionDay t : ChartStore.transactions(h, project, since, now + 1)) {
                revenue.merge(t.currency(), t.amountMinor() - t.refundedMinor(), Long::sum);
            }
            long customers = sumAll(newCustomers(h, project, since, now + 1));
            return new Overview(count(paid), usd.toUsd(monthly(paid)), count(trials), usd.toUsd(revenue), customers,
                    usd.usedRates(), usd.unconverted(), now);
        });
    }

    /** The overview metrics; money in USD. */
    record Overview(long activeSubscriptions, BigDecimal mrr, long activeTrials, BigDecimal revenue28Days,
            long newCustomers28Days, Map<String, BigDecimal> usdRates, java.util.Set<String> unconvertedCurrencies,
            long computedAt) {}

    private record Computed(List<Point> points, Map<String, Number> summary) {}

    private static Computed snapshot(Handle h, String project, ChartName chart, ChartRange range, List<Bucket> buckets,
            long now, UsdConversion usd) {
        boolean trial = chart == ChartName.TRIALS;
        long firstDay = range.start().toEpochDay();
        long lastDay = range.end().toEpochDay();
        DailyTotals totals = dailyTotals(h, project, trial, firstDay, lastDay);
        List<Active> activeNow = buckets.stream().anyMatch(Bucket::current)
                ? ChartStore.activeAt(h, project, trial, now) : List.of();
        List<Point> points = new ArrayList<>();
        for (Bucket b : buckets) {
            Number value;
            if (chart == ChartName.MRR) {
                value = usd.toUsd(b.current() ? monthly(activeNow) : totals.monthlyAtEndOf(b.last().toEpochDay()));
            } else {
                value = b.current() ? count(activeNow) : totals.countAtEndOf(b.last().toEpochDay());
            }
            points.add(new Point(b.first(), value, Map.of(), b.current()));
        }
        Map<String, Number> summary = new LinkedHashMap<>();
        summary.put("current", points.get(points.size() - 1).value());
        summary.put("average", chart == ChartName.MRR
                ? average(points).setScale(2, RoundingMode.HALF_EVEN) : average(points));
        return new Computed(points, summary);
    }

    /**
     * Expirations (paid runs ending before now) minus resubscriptions ({@link Resubscriptions}), both counted on the
     * day they happen, over the paid subscriptions active as the period starts; negative when more came back than left.
     */
    private static Computed churn(Handle h, String project, ChartRange range, List<Bucket> buckets, long now) {
        long firstDay = range.start().toEpochDay();
        long lastDay = range.end().toEpochDay();
        DailyTotals actives = dailyTotals(h, project, false, firstDay, lastDay);
        Map<Long, Long> expired = byDay(ChartStore.expirations(h, project, firstDay, lastDay + 1, now));
        Map<Long, Long> resubscribed = byDay(ChartStore.resubscriptions(h, project, firstDay, lastDay + 1));
        List<Point> points = new ArrayList<>();
        long totalChurned = 0;
        for (Bucket b : buckets) {
            long atStart = actives.countAtEndOf(b.first().toEpochDay() - 1);
            long churned = sum(expired, b) - sum(resubscribed, b);
            totalChurned += churned;
            Map<String, Number> measures = new LinkedHashMap<>();
            measures.put("actives", atStart);
            measures.put("churned", churned);
            points.add(new Point(b.first(), percent(churned, atStart), measures, b.current()));
        }
        Map<String, Number> summary = new LinkedHashMap<>();
        summary.put("average", average(points));
        summary.put("churned", totalChurned);
        return new Computed(points, summary);
    }

    /**
     * Paid transactions net of everything refunded of them. Refunds, full and partial, are credited to the original
     * transaction's period (as RevenueCat's Revenue and Refund Rate charts do), so a past period's revenue drops when
     * one of its transactions is refunded later. The {@code transactions} measure leaves out those a full refund
     * reversed; a partially refunded transaction still happened, with less money.
     */
    private static Computed revenue(Handle h, String project, ChartRange range, List<Bucket> buckets,
            UsdConversion usd) {
        List<TransactionDay> days = ChartStore.transactions(h, project, range.start().toEpochDay() * Bucket.DAY_MS,
                (range.end().toEpochDay() + 1) * Bucket.DAY_MS);
        List<Point> points = new ArrayList<>();
        long allKept = 0;
        Map<String, Long> allNet = new HashMap<>();
        for (Bucket b : buckets) {
            long kept = 0;
            Map<String, Long> net = new HashMap<>();
            for (TransactionDay d : days) {
                if (contains(b, d.day())) {
                    kept += d.count() - d.refundedCount();
                    net.merge(d.currency(), d.amountMinor() - d.refundedMinor(), Long::sum);
                }
            }
            allKept += kept;
            net.forEach((c, v) -> allNet.merge(c, v, Long::sum));
            points.add(new Point(b.first(), usd.toUsd(net), Map.of("transactions", kept), b.current()));
        }
        Map<String, Number> summary = new LinkedHashMap<>();
        summary.put("total", usd.toUsd(allNet));
        summary.put("transactions", allKept);
        return new Computed(points, summary);
    }

    /**
     * Refunded transactions over transactions, in the original transaction's period. A transaction is refunded when a
     * full refund reversed it (the refund that revokes access); one with partial refunds only is counted apart in
     * {@code partially_refunded}.
     */
    private static Computed refundRate(Handle h, String project, ChartRange range, List<Bucket> buckets) {
        List<RefundDay> days = ChartStore.refunds(h, project, range.start().toEpochDay(),
                range.end().toEpochDay() + 1);
        List<Point> points = new ArrayList<>();
        long allCount = 0;
        long allRefunded = 0;
        long allPartial = 0;
        for (Bucket b : buckets) {
            long count = 0;
            long refunded = 0;
            long partial = 0;
            for (RefundDay d : days) {
                if (contains(b, d.day())) {
                    count += d.count();
                    refunded += d.fullyRefunded();
                    partial += d.anyRefund() - d.fullyRefunded();
                }
            }
            allCount += count;
            allRefunded += refunded;
            allPartial += partial;
            Map<String, Number> measures = new LinkedHashMap<>();
            measures.put("transactions", count);
            measures.put("refunded", refunded);
            measures.put("partially_refunded", partial);
            points.add(new Point(b.first(), percent(refunded, count), measures, b.current()));
        }
        Map<String, Number> summary = new LinkedHashMap<>();
        summary.put("total", percent(allRefunded, allCount));
        summary.put("transactions", allCount);
        summary.put("refunded", allRefunded);
        summary.put("partially_refunded", allPartial);
        return new Computed(points, summary);
    }

    private static Computed newCustomers(Handle h, String project, ChartRange range, List<Bucket> buckets) {
        Map<Long, Long> perDay = newCustomers(h, project, range.start().toEpochDay() * Bucket.DAY_MS,
                (range.end().toEpochDay() + 1) * Bucket.DAY_MS);
        List<Point> points = new ArrayList<>();
        long total = 0;
        for (Bucket b : buckets) {
            long n = sum(perDay, b);
            total += n;
            points.add(new Point(b.first(), n, Map.of(), b.current()));
        }
        return new Computed(points, Map.of("total", total));
    }

    private static Computed trialConversion(Handle h, String project, ChartRange range, List<Bucket> buckets, long now) {
        List<TrialCohortDay> days = ChartStore.trialCohorts(h, project, range.start().toEpochDay(),
                range.end().toEpochDay() + 1, now);
        List<Point> points = new ArrayList<>();
        long allTrials = 0;
        long allConverted = 0;
        for (Bucket b : buckets) {
            long trials = 0;
            long converted = 0;
            long pending = 0;
            for (TrialCohortDay d : days) {
                if (contains(b, d.day())) {
                    trials += d.trials();
                    converted += d.converted();
                    pending += d.pending();
                }
            }
            allTrials += trials;
            allConverted += converted;
            Map<String, Number> measures = new LinkedHashMap<>();
            measures.put("trials", trials);
            measures.put("converted", converted);
            measures.put("pending", pending);
            measures.put("abandoned", trials - converted - pending);
            points.add(new Point(b.first(), percent(converted, trials), measures, b.current()));
        }
        Map<String, Number> summary = new LinkedHashMap<>();
        summary.put("total", percent(allConverted, allTrials));
        summary.put("trials", allTrials);
        summary.put("converted", allConverted);
        return new Computed(points, summary);
    }

    /** Active spans at the end of each day: those active as the range starts, plus starts, minus ends. */
    private static DailyTotals dailyTotals(Handle h, String project, boolean trial, long firstDay, long lastDay) {
        return DailyTotals.of(ChartStore.activeAt(h, project, trial, firstDay * Bucket.DAY_MS - 1),
                ChartStore.spanStarts(h, project, trial, firstDay, lastDay + 1),
                ChartStore.spanEnds(h, project, trial, firstDay, lastDay + 1), firstDay, lastDay);
    }

    /** Customers first seen per day, without those whose purchases are all sandbox (test users). */
    private static Map<Long, Long> newCustomers(Handle h, String project, long fromMs, long toMs) {
        Map<Long, Long> perDay = byDay(ChartStore.customersFirstSeen(h, project, fromMs, toMs));
        ChartStore.sandboxOnlyCustomersFirstSeen(h, project, fromMs, toMs)
                .forEach(d -> perDay.merge(d.day(), -d.count(), Long::sum));
        return perDay;
    }

    private static long sumAll(Map<Long, Long> perDay) {
        return perDay.values().stream().mapToLong(Long::longValue).sum();
    }

    private static long count(List<Active> actives) {
        return actives.stream().mapToLong(Active::count).sum();
    }

    private static Map<String, Double> monthly(List<Active> actives) {
        Map<String, Double> result = new HashMap<>();
        actives.forEach(a -> result.merge(a.currency(), a.monthlyMinor(), Double::sum));
        return result;
    }

    private static Map<Long, Long> byDay(List<DayCount> rows) {
        Map<Long, Long> result = new HashMap<>();
        rows.forEach(r -> result.merge(r.day(), r.count(), Long::sum));
        return result;
    }

    private static long sum(Map<Long, Long> perDay, Bucket b) {
        long total = 0;
        for (long day = b.first().toEpochDay(); day <= b.last().toEpochDay(); day++) {
            total += perDay.getOrDefault(day, 0L);
        }
        return total;
    }

    private static boolean contains(Bucket b, long day) {
        return day >= b.first().toEpochDay() && day <= b.last().toEpochDay();
    }

    /** A percentage with two decimals; 0 when there is nothing to divide by. */
    static BigDecimal percent(long part, long whole) {
        if (whole == 0) {
            return BigDecimal.ZERO.setScale(2);
        }
        return BigDecimal.valueOf(part).multiply(BigDecimal.valueOf(100))
                .divide(BigDecimal.valueOf(whole), 2, RoundingMode.HALF_UP);
    }

    private static BigDecimal average(List<Point> points) {
        BigDecimal total = BigDecimal.ZERO;
        for (Point p : points) {
            total = total.add(new BigDecimal(p.value().toString()));
        }
        return total.divide(BigDecimal.valueOf(points.size()), 2, RoundingMode.HALF_UP);
    }
}
