package io.substate.charts;

import io.substate.charts.ChartData.Point;
import io.substate.charts.ChartStore.Active;
import io.substate.charts.ChartStore.DayCount;
import io.substate.charts.ChartStore.PriceChangeDay;
import io.substate.charts.ChartStore.RefundDay;
import io.substate.charts.ChartStore.RevenueDay;
import io.substate.charts.ChartStore.RunStartDay;
import io.substate.charts.ChartStore.SpanDay;
import io.substate.charts.ChartStore.TransactionDay;
import io.substate.charts.ChartStore.TrialCohortDay;
import io.substate.charts.ChartStore.TrialEndDay;
import io.substate.charts.ChartStore.Which;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.config.UsdRates;
import io.substate.projects.ProjectService;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Computes charts with RevenueCat's definitions ({@link ChartName}) from the chart facts ({@link ChartFactsStore}),
 * at request time: nothing is cached, so a webhook shows in the next request. Each chart reads per-day rows
 * ({@link ChartStore}) and sums them into its periods: levels (actives, MRR, trials) are taken at each period's end,
 * or now for the current period; flows (revenue, starts, expirations) are summed over the period's days; cohorts
 * (conversion, LTV) follow the customers first seen in the period.
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

    /** The chart, or 400 for a name that is not one of ours (with why, for RevenueCat's we do not give). */
    static ChartName chartNamed(String chartName) {
        return ChartName.parse(chartName).orElseThrow(() -> {
            String why = ChartName.NOT_GIVEN.get(chartName);
            return new ApiException(ErrorCode.INVALID_CHART_NAME, why != null
                    ? "Substate does not give the chart '" + chartName + "': " + why + ". Charts are "
                            + ChartName.list()
                    : "There is no chart '" + chartName + "'; charts are " + ChartName.list());
        });
    }

    ChartName options(String projectId, String chartName) {
        projects.get(projectId);
        return chartNamed(chartName);
    }

    ChartData chart(String projectId, String chartName, ChartRequest request) {
        String project = projects.get(projectId).id();
        ChartName chart = chartNamed(chartName);
        Window window = request.window(chart);
        long now = clock.millis();
        LocalDate today = Bucket.today(now);
        ChartRange range = ChartRange.parse(request.startDate(), request.endDate(), request.resolution(), today);
        Periods periods = new Periods(project, range, range.buckets(today), now, window, new UsdConversion(rates));
        List<Number[]> rows = jdbi.withHandle(h -> compute(h, chart, periods));
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Bucket b = periods.buckets.get(i);
            points.add(new Point(b.first(), rows.get(i), b.current() || periods.cohortIncomplete(b, today)));
        }
        Map<String, String> selectors = new LinkedHashMap<>();
        if (window != null) {
            selectors.put(chart.selector().id(), window.id());
        }
        return new ChartData(chart, range, points, ChartSummary.of(chart, points), selectors,
                periods.usd.usedRates(), periods.usd.unconverted(), now);
    }

    /** What every chart's computation needs: the project, the periods, now, the cohort window, USD conversion. */
    private record Periods(String project, ChartRange range, List<Bucket> buckets, long now, Window window,
            UsdConversion usd) {
        long firstDay() {
            return range.start().toEpochDay();
        }

        long lastDay() {
            return range.end().toEpochDay();
        }

        long fromMs() {
            return firstDay() * Bucket.DAY_MS;
        }

        long toMs() {
            return (lastDay() + 1) * Bucket.DAY_MS;
        }

        /** A cohort whose last customers have not had the whole window yet (unbounded: only the current period). */
        boolean cohortIncomplete(Bucket b, LocalDate today) {
            return window != null && window.millis() != null
                    && !b.last().plusDays(window.days).isBefore(today);
        }

        /**
         * The end of the {@code k}th period after the bucket's (0: the bucket's own end), or null while it is after
         * now: a cohort's later periods are not known yet.
         */
        Long periodEnd(Bucket b, int k) {
            long end = range.resolution().plus(b.endMs(), k);
            return end > now ? null : end;
        }

        /**
         * How long after a customer was first seen anything can fall in one of the first {@code periods} periods
         * after their cohort's: longer than any bucket's start to the end of its {@code periods}th period after.
         */
        long horizonMs(int periods) {
            return buckets.stream().mapToLong(b -> range.resolution().plus(b.endMs(), periods) - b.startMs()).max()
                    .orElse(0);
        }

        /** One row per period, from a function of the period. */
        List<Number[]> rows(Function<Bucket, Number[]> row) {
            return buckets.stream().map(row).toList();
        }
    }

    private static List<Number[]> compute(Handle h, ChartName chart, Periods p) {
        return switch (chart) {
            case ACTIVES -> level(h, p, false, Level::count);
            case TRIALS -> level(h, p, true, Level::count);
            case MRR -> level(h, p, false, l -> p.usd.toUsd(l.monthly()));
            case ARR -> level(h, p, false, l -> p.usd.toUsd(times(l.monthly(), 12)));
            case SUBSCRIPTION_STATUS -> subscriptionStatus(h, p);
            case CHURN -> churn(h, p);
            case REVENUE -> revenue(h, p);
            case REFUND_RATE -> refundRate(h, p);
            case CUSTOMERS_NEW -> customersNew(h, p);
            case TRIAL_CONVERSION_RATE -> trialConversion(h, p);
            case TRIALS_NEW -> trialsNew(h, p);
            case ACTIVES_NEW -> activesNew(h, p);
            case ACTIVES_MOVEMENT -> activesMovement(h, p);
            case TRIALS_MOVEMENT -> trialsMovement(h, p);
            case MRR_MOVEMENT -> mrrMovement(h, p);
            case CONVERSION_TO_PAYING -> conversionToPaying(h, p);
            case SUBSCRIPTION_RETENTION -> subscriptionRetention(h, p);
            case COHORT_EXPLORER -> cohortExplorer(h, p);
            case LTV_PER_CUSTOMER -> ltv(h, p, false);
            case LTV_PER_PAYING_CUSTOMER -> ltv(h, p, true);
        };
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
            long customers = newCustomers(h, project, since, now + 1).values().stream().mapToLong(Long::longValue)
                    .sum();
            return new Overview(count(paid), usd.toUsd(monthly(paid)), count(trials), usd.toUsd(revenue), customers,
                    usd.usedRates(), usd.unconverted(), now);
        });
    }

    /** The overview metrics; money in USD. */
    record Overview(long activeSubscriptions, BigDecimal mrr, long activeTrials, BigDecimal revenue28Days,
            long newCustomers28Days, Map<String, BigDecimal> usdRates, java.util.Set<String> unconvertedCurrencies,
            long computedAt) {}

    /** Active spans at one moment: their count and monthly amounts per currency. */
    private record Level(long count, Map<String, Double> monthly) {}

    /** One measure: a level at the end of each period (now for the current one). */
    private static List<Number[]> level(Handle h, Periods p, boolean trial, Function<Level, Number> value) {
        LevelSeries all = LevelSeries.of(h, p, trial, Which.ALL);
        return p.rows(b -> new Number[] {value.apply(all.at(b))});
    }

    private static List<Number[]> subscriptionStatus(Handle h, Periods p) {
        LevelSeries all = LevelSeries.of(h, p, false, Which.ALL);
        LevelSeries off = LevelSeries.of(h, p, false, Which.RENEW_OFF);
        return p.rows(b -> {
            long actives = all.at(b).count();
            long renewOff = off.at(b).count();
            return new Number[] {actives, actives - renewOff, renewOff};
        });
    }

    /** Levels at the end of each day of the range ({@link DailyTotals}), and now for the current period. */
    private record LevelSeries(DailyTotals totals, Level now) {
        static LevelSeries of(Handle h, Periods p, boolean trial, Which which) {
            DailyTotals totals = DailyTotals.of(
                    ChartStore.activeAt(h, p.project, trial, which, p.firstDay() * Bucket.DAY_MS - 1),
                    ChartStore.spanStarts(h, p.project, trial, which, p.firstDay(), p.lastDay() + 1),
                    ChartStore.spanEnds(h, p.project, trial, which, p.firstDay(), p.lastDay() + 1),
                    p.firstDay(), p.lastDay());
            Level now = null;
            if (p.buckets.stream().anyMatch(Bucket::current)) {
                List<Active> active = ChartStore.activeAt(h, p.project, trial, which, p.now);
                now = new Level(count(active), monthly(active));
            }
            return new LevelSeries(totals, now);
        }

        Level at(Bucket b) {
            if (b.current()) {
                return now;
            }
            long day = b.last().toEpochDay();
            return new Level(totals.countAtEndOf(day), totals.monthlyAtEndOf(day));
        }

        long countAtStartOf(Bucket b) {
            return totals.countAtEndOf(b.first().toEpochDay() - 1);
        }
    }

    /**
     * Expirations (paid runs ending by now) minus resubscriptions ({@link Resubscriptions}), both counted on the
     * day they happen, over the paid subscriptions active as the period starts; negative when more came back than left.
     */
    private static List<Number[]> churn(Handle h, Periods p) {
        LevelSeries actives = LevelSeries.of(h, p, false, Which.ALL);
        Map<Long, Long> expired = countsByDay(ChartStore.expirations(h, p.project, p.firstDay(), p.lastDay() + 1,
                p.now));
        Map<Long, Long> resubscribed = byDay(ChartStore.resubscriptions(h, p.project, p.firstDay(), p.lastDay() + 1));
        return p.rows(b -> {
            long atStart = actives.countAtStartOf(b);
            long churned = sum(expired, b) - sum(resubscribed, b);
            return new Number[] {percent(churned, atStart), atStart, churned};
        });
    }

    /**
     * Paid transactions net of everything refunded of them. Refunds, full and partial, are credited to the original
     * transaction's period (as RevenueCat's Revenue and Refund Rate charts do), so a past period's revenue drops when
     * one of its transactions is refunded later. The {@code transactions} measure leaves out those a full refund
     * reversed; a partially refunded transaction still happened, with less money.
     */
    private static List<Number[]> revenue(Handle h, Periods p) {
        List<TransactionDay> days = ChartStore.transactions(h, p.project, p.fromMs(), p.toMs());
        return p.rows(b -> {
            long kept = 0;
            Map<String, Long> net = new HashMap<>();
            for (TransactionDay d : days) {
                if (contains(b, d.day())) {
                    kept += d.count() - d.refundedCount();
                    net.merge(d.currency(), d.amountMinor() - d.refundedMinor(), Long::sum);
                }
            }
            return new Number[] {p.usd.toUsd(net), kept};
        });
    }

    /**
     * Refunded transactions over transactions, in the original transaction's period. A transaction is refunded when a
     * full refund reversed it (the refund that revokes access); one with partial refunds only is counted apart in
     * {@code partially_refunded}.
     */
    private static List<Number[]> refundRate(Handle h, Periods p) {
        List<RefundDay> days = ChartStore.refunds(h, p.project, p.firstDay(), p.lastDay() + 1);
        return p.rows(b -> {
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
            return new Number[] {percent(refunded, count), count, refunded, partial};
        });
    }

    private static List<Number[]> trialConversion(Handle h, Periods p) {
        List<TrialCohortDay> days = ChartStore.trialCohorts(h, p.project, p.firstDay(), p.lastDay() + 1, p.now);
        return p.rows(b -> {
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
            return new Number[] {percent(converted, trials), trials, converted, pending, trials - converted - pending};
        });
    }

    private static List<Number[]> trialsNew(Handle h, Periods p) {
        Map<Long, Long> started = new HashMap<>();
        ChartStore.trialCohorts(h, p.project, p.firstDay(), p.lastDay() + 1, p.now)
                .forEach(d -> started.merge(d.day(), d.trials(), Long::sum));
        return p.rows(b -> new Number[] {sum(started, b)});
    }

    /** Subscriptions' first paid spans per period; those that end a trial are its conversions. */
    private static List<Number[]> activesNew(Handle h, Periods p) {
        List<RunStartDay> starts = ChartStore.runStarts(h, p.project, p.firstDay(), p.lastDay() + 1);
        Map<Long, Long> converted = new HashMap<>();
        ChartStore.trialEnds(h, p.project, p.firstDay(), p.lastDay() + 1, p.now)
                .forEach(d -> converted.merge(d.day(), d.converted(), Long::sum));
        return p.rows(b -> {
            long first = 0;
            for (RunStartDay d : starts) {
                if (contains(b, d.day())) {
                    first += d.first();
                }
            }
            long fromTrial = sum(converted, b);
            return new Number[] {first, fromTrial, first - fromTrial};
        });
    }

    /** Run starts split into new and resubscriptions, and expirations (negative): the change in actives. */
    private static List<Number[]> activesMovement(Handle h, Periods p) {
        List<RunStartDay> starts = ChartStore.runStarts(h, p.project, p.firstDay(), p.lastDay() + 1);
        Map<Long, Long> expired = countsByDay(ChartStore.expirations(h, p.project, p.firstDay(), p.lastDay() + 1,
                p.now));
        return p.rows(b -> {
            long started = 0;
            long resubscribed = 0;
            for (RunStartDay d : starts) {
                if (contains(b, d.day())) {
                    started += d.count();
                    resubscribed += d.resubscribed();
                }
            }
            long churned = -sum(expired, b);
            return new Number[] {started + churned, started - resubscribed, resubscribed, churned};
        });
    }

    /** Trials started, and trials ended (converted or expired, negative): the change in active trials. */
    private static List<Number[]> trialsMovement(Handle h, Periods p) {
        Map<Long, Long> started = new HashMap<>();
        ChartStore.trialCohorts(h, p.project, p.firstDay(), p.lastDay() + 1, p.now)
                .forEach(d -> started.merge(d.day(), d.trials(), Long::sum));
        Map<Long, Long> converted = new HashMap<>();
        Map<Long, Long> expired = new HashMap<>();
        for (TrialEndDay d : ChartStore.trialEnds(h, p.project, p.firstDay(), p.lastDay() + 1, p.now)) {
            converted.merge(d.day(), d.converted(), Long::sum);
            expired.merge(d.day(), d.count() - d.converted(), Long::sum);
        }
        return p.rows(b -> {
            long newTrials = sum(started, b);
            long conversions = -sum(converted, b);
            long expirations = -sum(expired, b);
            return new Number[] {newTrials + conversions + expirations, newTrials, conversions, expirations};
        });
    }

    /**
     * The monthly amounts of run starts (new, resubscriptions), of price changes between contiguous paid spans
     * (expansion, contraction) and of expirations, in USD: they add up to the change in MRR.
     */
    private static List<Number[]> mrrMovement(Handle h, Periods p) {
        List<RunStartDay> starts = ChartStore.runStarts(h, p.project, p.firstDay(), p.lastDay() + 1);
        List<SpanDay> expired = ChartStore.expirations(h, p.project, p.firstDay(), p.lastDay() + 1, p.now);
        List<PriceChangeDay> changes = ChartStore.priceChanges(h, p.project, p.firstDay(), p.lastDay() + 1);
        return p.rows(b -> {
            Map<String, Double> added = new HashMap<>();
            Map<String, Double> resubscribed = new HashMap<>();
            Map<String, Double> lost = new HashMap<>();
            Map<String, Double> upAfter = new HashMap<>();
            Map<String, Double> upBefore = new HashMap<>();
            Map<String, Double> downAfter = new HashMap<>();
            Map<String, Double> downBefore = new HashMap<>();
            for (RunStartDay d : starts) {
                if (contains(b, d.day())) {
                    added.merge(d.currency(), d.monthlyMinor() - d.resubscribedMonthlyMinor(), Double::sum);
                    resubscribed.merge(d.currency(), d.resubscribedMonthlyMinor(), Double::sum);
                }
            }
            for (SpanDay d : expired) {
                if (contains(b, d.day())) {
                    lost.merge(d.currency(), d.monthlyMinor(), Double::sum);
                }
            }
            for (PriceChangeDay d : changes) {
                if (contains(b, d.day())) {
                    (d.up() ? upAfter : downAfter).merge(d.currency(), d.monthlyMinor(), Double::sum);
                    (d.up() ? upBefore : downBefore).merge(d.previousCurrency(), d.previousMonthlyMinor(),
                            Double::sum);
                }
            }
            BigDecimal newMrr = p.usd.toUsd(added);
            BigDecimal resubscriptionMrr = p.usd.toUsd(resubscribed);
            BigDecimal expansion = p.usd.toUsd(upAfter).subtract(p.usd.toUsd(upBefore));
            BigDecimal contraction = p.usd.toUsd(downAfter).subtract(p.usd.toUsd(downBefore));
            BigDecimal churned = p.usd.toUsd(lost).negate();
            BigDecimal movement = newMrr.add(resubscriptionMrr).add(expansion).add(contraction).add(churned);
            return new Number[] {movement, newMrr, resubscriptionMrr, expansion, contraction, churned};
        });
    }

    private static List<Number[]> customersNew(Handle h, Periods p) {
        Map<Long, Long> customers = newCustomers(h, p.project, p.fromMs(), p.toMs());
        return p.rows(b -> new Number[] {sum(customers, b)});
    }

    /**
     * Each period's new paid subscriptions, and for k = 1 to {@link Measure#RETENTION_PERIODS} those whose first run
     * outlasted their start plus k periods, with the rate; null (unknown yet) while the period's end plus k periods
     * is after now.
     */
    private static List<Number[]> subscriptionRetention(Handle h, Periods p) {
        Map<Long, List<ChartStore.FirstRun>> byDay = byDayOf(ChartStore.firstRuns(h, p.project, p.firstDay(),
                p.lastDay() + 1), ChartStore.FirstRun::day);
        Resolution resolution = p.range.resolution();
        int periods = Measure.RETENTION_PERIODS;
        return p.rows(b -> {
            Number[] row = new Number[1 + 2 * periods];
            List<ChartStore.FirstRun> cohort = inBucket(byDay, b);
            row[0] = (long) cohort.size();
            for (int k = 1; k <= periods; k++) {
                if (p.periodEnd(b, k) == null) {
                    continue; // row[k] and row[periods + k] stay null
                }
                int period = k;
                long retained = cohort.stream().filter(r -> r.endsAt() > resolution.plus(r.startsAt(), period))
                        .count();
                row[k] = percent(retained, cohort.size());
                row[periods + k] = retained;
            }
            return row;
        });
    }

    /**
     * Each period's new customers, and for k = 0 to {@link Measure#RETENTION_PERIODS} periods after it, what they had
     * done by the end of period k: paid (customers), revenue net of refunds, and that per customer and per paying
     * customer; null (not known yet) while that end is after now. Periods end at midnight UTC, so days suffice.
     */
    private static List<Number[]> cohortExplorer(Handle h, Periods p) {
        Map<Long, Long> customers = newCustomers(h, p.project, p.fromMs(), p.toMs());
        int n = Measure.RETENTION_PERIODS + 1;
        long horizon = p.horizonMs(n - 1);
        Map<Long, List<ChartStore.CohortPayment>> payments = byDayOf(ChartStore.cohortPayments(h, p.project,
                p.fromMs(), p.toMs(), horizon), ChartStore.CohortPayment::day);
        Map<Long, List<ChartStore.FirstPaymentDay>> firstPayments = byDayOf(ChartStore.firstPayments(h, p.project,
                p.fromMs(), p.toMs(), horizon), ChartStore.FirstPaymentDay::day);
        return p.rows(b -> {
            Number[] row = new Number[1 + 4 * n];
            long size = sum(customers, b);
            row[0] = size;
            // The cohort's payments and first payments in the order paid, summed up to each period's end in turn.
            List<ChartStore.CohortPayment> paid = inBucket(payments, b);
            paid.sort(java.util.Comparator.comparingLong(ChartStore.CohortPayment::paidDay));
            List<ChartStore.FirstPaymentDay> first = inBucket(firstPayments, b);
            first.sort(java.util.Comparator.comparingLong(ChartStore.FirstPaymentDay::paidDay));
            Map<String, Long> net = new HashMap<>();
            long paying = 0;
            int nextPaid = 0;
            int nextFirst = 0;
            for (int k = 0; k < n; k++) {
                Long end = p.periodEnd(b, k);
                if (end == null) {
                    break; // later periods end later still: their cells stay null
                }
                long endDay = Bucket.dayOf(end);
                for (; nextPaid < paid.size() && paid.get(nextPaid).paidDay() < endDay; nextPaid++) {
                    net.merge(paid.get(nextPaid).currency(), paid.get(nextPaid).netMinor(), Long::sum);
                }
                for (; nextFirst < first.size() && first.get(nextFirst).paidDay() < endDay; nextFirst++) {
                    paying += first.get(nextFirst).count();
                }
                BigDecimal revenue = p.usd.toUsd(net);
                row[1 + k] = paying;
                row[1 + n + k] = revenue;
                row[1 + 2 * n + k] = per(revenue, size);
                row[1 + 3 * n + k] = per(revenue, paying);
            }
            return row;
        });
    }

    /** Of each period's new customers, those who paid within the conversion timeframe. */
    private static List<Number[]> conversionToPaying(Handle h, Periods p) {
        Map<Long, Long> customers = newCustomers(h, p.project, p.fromMs(), p.toMs());
        Map<Long, Long> paying = byDay(ChartStore.payingCustomers(h, p.project, p.fromMs(), p.toMs(),
                p.window.millis()));
        return p.rows(b -> {
            long n = sum(customers, b);
            long paid = sum(paying, b);
            return new Number[] {percent(paid, n), n, paid};
        });
    }

    /** The revenue of each period's new customers within their lifetime, per customer or per paying customer. */
    private static List<Number[]> ltv(Handle h, Periods p, boolean perPaying) {
        Map<Long, Long> customers = perPaying
                ? byDay(ChartStore.payingCustomers(h, p.project, p.fromMs(), p.toMs(), p.window.millis()))
                : newCustomers(h, p.project, p.fromMs(), p.toMs());
        List<RevenueDay> revenue = ChartStore.cohortRevenue(h, p.project, p.fromMs(), p.toMs(), p.window.millis());
        return p.rows(b -> {
            Map<String, Long> net = new HashMap<>();
            for (RevenueDay d : revenue) {
                if (contains(b, d.day())) {
                    net.merge(d.currency(), d.netMinor(), Long::sum);
                }
            }
            BigDecimal usd = p.usd.toUsd(net);
            long n = sum(customers, b);
            return new Number[] {per(usd, n), usd, n};
        });
    }

    /** Customers first seen per day, without those whose purchases are all sandbox (test users). */
    private static Map<Long, Long> newCustomers(Handle h, String project, long fromMs, long toMs) {
        Map<Long, Long> perDay = byDay(ChartStore.customersFirstSeen(h, project, fromMs, toMs));
        ChartStore.sandboxOnlyCustomersFirstSeen(h, project, fromMs, toMs)
                .forEach(d -> perDay.merge(d.day(), -d.count(), Long::sum));
        return perDay;
    }

    /** Rows by their day. */
    private static <T> Map<Long, List<T>> byDayOf(List<T> rows, java.util.function.ToLongFunction<T> day) {
        Map<Long, List<T>> result = new HashMap<>();
        rows.forEach(r -> result.computeIfAbsent(day.applyAsLong(r), d -> new ArrayList<>()).add(r));
        return result;
    }

    /** The rows of the bucket's days. */
    private static <T> List<T> inBucket(Map<Long, List<T>> byDay, Bucket b) {
        List<T> result = new ArrayList<>();
        for (long day = b.first().toEpochDay(); day <= b.last().toEpochDay(); day++) {
            result.addAll(byDay.getOrDefault(day, List.of()));
        }
        return result;
    }

    private static long count(List<Active> actives) {
        return actives.stream().mapToLong(Active::count).sum();
    }

    private static Map<String, Double> times(Map<String, Double> amounts, int factor) {
        Map<String, Double> result = new HashMap<>();
        amounts.forEach((currency, amount) -> result.put(currency, amount * factor));
        return result;
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

    private static Map<Long, Long> countsByDay(List<SpanDay> rows) {
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
        return per(BigDecimal.valueOf(part).multiply(BigDecimal.valueOf(100)), whole);
    }

    /** An amount per unit with two decimals; 0 when there is nothing to divide by. */
    static BigDecimal per(BigDecimal amount, long units) {
        if (units == 0) {
            return BigDecimal.ZERO.setScale(2);
        }
        return amount.divide(BigDecimal.valueOf(units), 2, RoundingMode.HALF_UP);
    }
}
