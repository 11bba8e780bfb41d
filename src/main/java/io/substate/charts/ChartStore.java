package io.substate.charts;

import io.substate.storage.Sql;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * The chart range queries, production data only. Each aggregates in the database to at most a row per day (and
 * currency), reading a covering index in day order, so a year of daily points is a few hundred rows whatever the
 * number of purchases. Days are UTC epoch days; {@code [from, to)} ranges. Reads on the caller's handle ({@link
 * ChartService} opens one per request), through {@link Sql}.
 */
final class ChartStore {
    private ChartStore() {}

    /** Per day and currency: how many spans (and how much monthly amount) started, or ended. */
    record SpanDay(long day, String currency, long count, double monthlyMinor) {}

    /** Spans (paid or trial) active at one instant, per currency. */
    record Active(String currency, long count, double monthlyMinor) {}

    record DayCount(long day, long count) {}

    /**
     * @param refundedCount transactions a full refund reversed
     * @param refundedMinor what was refunded, full and partial refunds alike
     */
    record TransactionDay(long day, String currency, long count, long amountMinor, long refundedCount,
            long refundedMinor) {}

    /** Transactions of one day, those a full refund reversed, and those with any refund. */
    record RefundDay(long day, long count, long fullyRefunded, long anyRefund) {}

    record TrialCohortDay(long day, long trials, long converted, long pending) {}

    private static final String SPANS = " FROM subscription_spans WHERE project_id = ? AND livemode = ? "
            + "AND is_trial = ?";

    /** Which spans a level counts: all of a kind, or only those not set to renew (auto-renew turned off). */
    enum Which {
        ALL(""), RENEW_OFF(" AND will_renew = FALSE");

        private final String condition;

        Which(String condition) {
            this.condition = condition;
        }
    }

    static List<SpanDay> spanStarts(Handle h, String projectId, boolean trial, Which which, long fromDay, long toDay) {
        return spanDays(h, "start_day", projectId, trial, which, fromDay, toDay);
    }

    static List<SpanDay> spanEnds(Handle h, String projectId, boolean trial, Which which, long fromDay, long toDay) {
        return spanDays(h, "end_day", projectId, trial, which, fromDay, toDay);
    }

    private static List<SpanDay> spanDays(Handle h, String dayColumn, String projectId, boolean trial, Which which,
            long fromDay, long toDay) {
        return Sql.list(h, "SELECT " + dayColumn + " AS d, currency, COUNT(*) AS n, SUM(monthly_minor) AS m" + SPANS
                        + which.condition + " AND " + dayColumn + " >= ? AND " + dayColumn + " < ? GROUP BY "
                        + dayColumn + ", currency",
                rs -> new SpanDay(rs.getLong("d"), rs.getString("currency"), rs.getLong("n"), rs.getDouble("m")),
                projectId, true, trial, fromDay, toDay);
    }

    /** Spans with {@code starts_at <= at < ends_at}; only spans ending on or after that day are read. */
    static List<Active> activeAt(Handle h, String projectId, boolean trial, long atMs) {
        return activeAt(h, projectId, trial, Which.ALL, atMs);
    }

    static List<Active> activeAt(Handle h, String projectId, boolean trial, Which which, long atMs) {
        return Sql.list(h, "SELECT currency, COUNT(*) AS n, SUM(monthly_minor) AS m" + SPANS + which.condition
                        + " AND end_day >= ? AND ends_at > ? AND starts_at <= ? GROUP BY currency",
                rs -> new Active(rs.getString("currency"), rs.getLong("n"), rs.getDouble("m")),
                projectId, true, trial, Bucket.dayOf(atMs), atMs, atMs);
    }

    /** Paid subscriptions expiring (no paid span follows) per day and currency, by {@code nowMs}. */
    static List<SpanDay> expirations(Handle h, String projectId, long fromDay, long toDay, long nowMs) {
        return Sql.list(h, "SELECT end_day AS d, currency, COUNT(*) AS n, SUM(monthly_minor) AS m" + SPANS
                        + " AND end_day >= ? AND end_day < ? AND ends_run = ? AND ends_at <= ? "
                        + "GROUP BY end_day, currency",
                rs -> new SpanDay(rs.getLong("d"), rs.getString("currency"), rs.getLong("n"), rs.getDouble("m")),
                projectId, true, false, fromDay, toDay, true, nowMs);
    }

    /**
     * Paid spans starting a run (a subscription's first paid span, a trial's conversion, a return after a lapse) per
     * day and currency: all of them, the subscription's first (not {@code restarts}), and the resubscriptions
     * ({@link Resubscriptions}), with their monthly amounts.
     */
    record RunStartDay(long day, String currency, long count, long first, long resubscribed, double monthlyMinor,
            double resubscribedMonthlyMinor) {}

    static List<RunStartDay> runStarts(Handle h, String projectId, long fromDay, long toDay) {
        return Sql.list(h, "SELECT start_day AS d, currency, COUNT(*) AS n, "
                        + "SUM(CASE WHEN restarts THEN 0 ELSE 1 END) AS f, "
                        + "SUM(CASE WHEN resubscribes THEN 1 ELSE 0 END) AS r, SUM(monthly_minor) AS m, "
                        + "SUM(CASE WHEN resubscribes THEN monthly_minor ELSE 0 END) AS rm" + SPANS
                        + " AND start_day >= ? AND start_day < ? AND starts_run = ? GROUP BY start_day, currency",
                rs -> new RunStartDay(rs.getLong("d"), rs.getString("currency"), rs.getLong("n"), rs.getLong("f"),
                        rs.getLong("r"), rs.getDouble("m"), rs.getDouble("rm")),
                projectId, true, false, fromDay, toDay, true);
    }

    /** A subscription's first paid run: when it started, and when it ended or will end. */
    record FirstRun(long day, long startsAt, long endsAt) {}

    /**
     * The first paid runs of the subscriptions whose first paid span started in days {@code [fromDay, toDay)}: one
     * row each. A run is one span unless the price changed in it; then its end is its first run-ending span's.
     */
    static List<FirstRun> firstRuns(Handle h, String projectId, long fromDay, long toDay) {
        return Sql.list(h, "SELECT s.start_day AS d, s.starts_at AS st, CASE WHEN s.ends_run THEN s.ends_at ELSE "
                        + "(SELECT MIN(e.ends_at) FROM subscription_spans e WHERE e.purchase_id = s.purchase_id "
                        + "AND e.seq > s.seq AND e.ends_run = ?) END AS en FROM subscription_spans s "
                        + "WHERE s.project_id = ? AND s.livemode = ? AND s.is_trial = ? AND s.start_day >= ? "
                        + "AND s.start_day < ? AND s.starts_run = ? AND s.restarts = ?",
                rs -> new FirstRun(rs.getLong("d"), rs.getLong("st"), rs.getLong("en")),
                true, projectId, true, false, fromDay, toDay, true, false);
    }

    /** Trials ended by {@code nowMs} per day: how many, and how many of those converted. */
    record TrialEndDay(long day, long count, long converted) {}

    static List<TrialEndDay> trialEnds(Handle h, String projectId, long fromDay, long toDay, long nowMs) {
        return Sql.list(h, "SELECT end_day AS d, COUNT(*) AS n, SUM(CASE WHEN converted THEN 1 ELSE 0 END) AS c"
                        + SPANS + " AND end_day >= ? AND end_day < ? AND ends_at <= ? GROUP BY end_day",
                rs -> new TrialEndDay(rs.getLong("d"), rs.getLong("n"), rs.getLong("c")),
                projectId, true, true, fromDay, toDay, nowMs);
    }

    /**
     * A subscription's price changing between two contiguous paid spans, per day, currency pair and direction: the
     * monthly amounts after ({@code monthlyMinor}) and before ({@code previousMonthlyMinor}).
     */
    record PriceChangeDay(long day, String currency, String previousCurrency, boolean up, double monthlyMinor,
            double previousMonthlyMinor) {}

    static List<PriceChangeDay> priceChanges(Handle h, String projectId, long fromDay, long toDay) {
        return Sql.list(h, "SELECT s.start_day AS d, s.currency AS c, p.currency AS pc, "
                        + "CASE WHEN s.monthly_minor > p.monthly_minor THEN 1 ELSE 0 END AS up, "
                        + "SUM(s.monthly_minor) AS m, SUM(p.monthly_minor) AS pm FROM subscription_spans s "
                        + "JOIN subscription_spans p ON p.purchase_id = s.purchase_id AND p.seq = s.seq - 1 "
                        + "WHERE s.project_id = ? AND s.livemode = ? AND s.is_trial = ? AND s.start_day >= ? "
                        + "AND s.start_day < ? AND s.starts_run = ? "
                        + "GROUP BY s.start_day, s.currency, p.currency, "
                        + "CASE WHEN s.monthly_minor > p.monthly_minor THEN 1 ELSE 0 END",
                rs -> new PriceChangeDay(rs.getLong("d"), rs.getString("c"), rs.getString("pc"), rs.getInt("up") == 1,
                        rs.getDouble("m"), rs.getDouble("pm")),
                projectId, true, false, fromDay, toDay, false);
    }

    /** Resubscriptions per day (see {@link Resubscriptions}); literal conditions, as the partial index needs. */
    static List<DayCount> resubscriptions(Handle h, String projectId, long fromDay, long toDay) {
        return Sql.list(h, "SELECT start_day AS d, COUNT(*) AS n FROM subscription_spans WHERE project_id = ? "
                        + "AND resubscribes AND livemode AND start_day >= ? AND start_day < ? GROUP BY start_day",
                rs -> new DayCount(rs.getLong("d"), rs.getLong("n")), projectId, fromDay, toDay);
    }

    /**
     * Transactions paid in {@code [fromMs, toMs)}, per day and currency, with their refunds whenever made. Chart
     * ranges are whole days, which the day column alone selects; paid_at is compared only for other bounds (the
     * overview's last 28 days), as it costs a comparison per row.
     */
    static List<TransactionDay> transactions(Handle h, String projectId, long fromMs, long toMs) {
        boolean wholeDays = fromMs % Bucket.DAY_MS == 0 && toMs % Bucket.DAY_MS == 0;
        String sql = "SELECT paid_day AS d, currency, COUNT(*) AS n, SUM(amount_minor) AS a, "
                + "SUM(CASE WHEN fully_refunded THEN 1 ELSE 0 END) AS rn, SUM(refunded_amount_minor) AS ra "
                + "FROM purchase_transactions WHERE project_id = ? AND livemode = ? "
                + "AND paid_day >= ? AND paid_day <= ? "
                + (wholeDays ? "" : "AND paid_at >= ? AND paid_at < ? ") + "GROUP BY paid_day, currency";
        Object[] args = wholeDays
                ? Sql.params(projectId, true, Bucket.dayOf(fromMs), Bucket.dayOf(toMs - 1))
                : Sql.params(projectId, true, Bucket.dayOf(fromMs), Bucket.dayOf(toMs - 1), fromMs, toMs);
        return Sql.list(h, sql, rs -> new TransactionDay(rs.getLong("d"), rs.getString("currency"), rs.getLong("n"),
                rs.getLong("a"), rs.getLong("rn"), rs.getLong("ra")), args);
    }

    /** Refunds of the transactions paid in days {@code [fromDay, toDay)}, per day (amounts and currencies aside). */
    static List<RefundDay> refunds(Handle h, String projectId, long fromDay, long toDay) {
        return Sql.list(h, "SELECT paid_day AS d, COUNT(*) AS n, "
                        + "SUM(CASE WHEN fully_refunded THEN 1 ELSE 0 END) AS f, "
                        + "SUM(CASE WHEN refunded_amount_minor > 0 THEN 1 ELSE 0 END) AS r FROM purchase_transactions "
                        + "WHERE project_id = ? AND livemode = ? AND paid_day >= ? AND paid_day < ? "
                        + "GROUP BY paid_day",
                rs -> new RefundDay(rs.getLong("d"), rs.getLong("n"), rs.getLong("f"), rs.getLong("r")),
                projectId, true, fromDay, toDay);
    }

    /**
     * Customers first seen per day in {@code [fromMs, toMs)}. A customer row is one person (aliases are rows of
     * {@code customer_aliases}, not customers), so aliased ids are not counted twice.
     */
    static List<DayCount> customersFirstSeen(Handle h, String projectId, long fromMs, long toMs) {
        return Sql.list(h, "SELECT first_seen / 86400000 AS d, COUNT(*) AS n FROM customers "
                        + "WHERE project_id = ? AND first_seen >= ? AND first_seen < ? "
                        + "GROUP BY first_seen / 86400000",
                rs -> new DayCount(rs.getLong("d"), rs.getLong("n")), projectId, fromMs, toMs);
    }

    /**
     * Of those, the test users: customers with sandbox purchases and no production one. Starts from the sandbox
     * purchases, which are few in a production project.
     */
    static List<DayCount> sandboxOnlyCustomersFirstSeen(Handle h, String projectId, long fromMs, long toMs) {
        return Sql.list(h, "SELECT c.first_seen / 86400000 AS d, COUNT(DISTINCT c.id) AS n FROM purchases s "
                        + "JOIN customers c ON c.id = s.customer_id "
                        + "WHERE s.project_id = ? AND s.livemode = ? "
                        + "AND c.first_seen >= ? AND c.first_seen < ? "
                        + "AND NOT EXISTS (SELECT 1 FROM purchases l WHERE l.customer_id = c.id AND l.livemode = ?) "
                        + "GROUP BY c.first_seen / 86400000",
                rs -> new DayCount(rs.getLong("d"), rs.getLong("n")), projectId, false, fromMs, toMs, true);
    }

    /** Trials by the day they started: how many, converted, and still pending at {@code nowMs}. */
    static List<TrialCohortDay> trialCohorts(Handle h, String projectId, long fromDay, long toDay, long nowMs) {
        return Sql.list(h, "SELECT start_day AS d, COUNT(*) AS n, SUM(CASE WHEN converted THEN 1 ELSE 0 END) AS c, "
                        + "SUM(CASE WHEN NOT converted AND will_renew AND ends_at > ? THEN 1 ELSE 0 END) AS p"
                        + SPANS + " AND start_day >= ? AND start_day < ? GROUP BY start_day",
                rs -> new TrialCohortDay(rs.getLong("d"), rs.getLong("n"), rs.getLong("c"), rs.getLong("p")),
                nowMs, projectId, true, true, fromDay, toDay);
    }

    /**
     * Of the customers first seen in {@code [fromMs, toMs)}, per day first seen, those with a production paid
     * transaction at most {@code windowMs} after they were first seen (any time when null): a 7-day trial converting
     * 7 days after its customer was first seen converts within 7 days. Reads the transactions by their owner's
     * first_seen ({@code cohort_at}, V18).
     */
    static List<DayCount> payingCustomers(Handle h, String projectId, long fromMs, long toMs, Long windowMs) {
        return Sql.list(h, "SELECT cohort_at / 86400000 AS d, COUNT(DISTINCT customer_id) AS n" + COHORT
                        + (windowMs == null ? "" : " AND paid_at <= cohort_at + ?") + " GROUP BY cohort_at / 86400000",
                rs -> new DayCount(rs.getLong("d"), rs.getLong("n")), windowed(windowMs, projectId, true, fromMs,
                        toMs));
    }

    /** A day's revenue in one currency (minor units, net of refunds). */
    record RevenueDay(long day, String currency, long netMinor) {}

    /**
     * The production revenue, net of refunds, of the customers first seen in {@code [fromMs, toMs)}, per day first
     * seen and currency, paid at most {@code windowMs} after they were first seen (any time when null).
     */
    static List<RevenueDay> cohortRevenue(Handle h, String projectId, long fromMs, long toMs, Long windowMs) {
        return Sql.list(h, "SELECT cohort_at / 86400000 AS d, currency, "
                        + "SUM(amount_minor - refunded_amount_minor) AS a" + COHORT
                        + (windowMs == null ? "" : " AND paid_at <= cohort_at + ?")
                        + " GROUP BY cohort_at / 86400000, currency",
                rs -> new RevenueDay(rs.getLong("d"), rs.getString("currency"), rs.getLong("a")),
                windowed(windowMs, projectId, true, fromMs, toMs));
    }

    /** What the customers first seen on {@code day} paid on {@code paidDay} in one currency (minor, net of refunds). */
    record CohortPayment(long day, long paidDay, String currency, long netMinor) {}

    /**
     * The production revenue, net of refunds, of the customers first seen in {@code [fromMs, toMs)}, per day first
     * seen, day paid and currency, paid less than {@code horizonMs} after they were first seen.
     */
    static List<CohortPayment> cohortPayments(Handle h, String projectId, long fromMs, long toMs, long horizonMs) {
        return Sql.list(h, "SELECT cohort_at / 86400000 AS d, paid_at / 86400000 AS p, currency, "
                        + "SUM(amount_minor - refunded_amount_minor) AS a" + COHORT + " AND paid_at < cohort_at + ?"
                        + " GROUP BY cohort_at / 86400000, paid_at / 86400000, currency",
                rs -> new CohortPayment(rs.getLong("d"), rs.getLong("p"), rs.getString("currency"), rs.getLong("a")),
                projectId, true, fromMs, toMs, horizonMs);
    }

    /** How many of the customers first seen on {@code day} first paid on {@code paidDay}. */
    record FirstPaymentDay(long day, long paidDay, long count) {}

    /**
     * Of the customers first seen in {@code [fromMs, toMs)}, those with a production paid transaction (refunded
     * or not) less than {@code horizonMs} after they were first seen, per day first seen and day of their first one.
     * Grouped first by the instant first seen, which reads the cohort index in order (no sort, where grouping by
     * customer sorts every transaction); the rare instants at which several customers were first seen ({@code tie})
     * are then read customer by customer.
     */
    static List<FirstPaymentDay> firstPayments(Handle h, String projectId, long fromMs, long toMs, long horizonMs) {
        record Row(long day, long paidDay, long tie, long count) {}
        List<Row> rows = Sql.list(h, "SELECT d, p, tie, COUNT(*) AS n FROM (SELECT cohort_at / 86400000 AS d, "
                        + "MIN(paid_at) / 86400000 AS p, CASE WHEN COUNT(DISTINCT customer_id) = 1 THEN 0 "
                        + "ELSE cohort_at END AS tie" + COHORT + " AND paid_at < cohort_at + ? GROUP BY cohort_at) f "
                        + "GROUP BY d, p, tie",
                rs -> new Row(rs.getLong("d"), rs.getLong("p"), rs.getLong("tie"), rs.getLong("n")),
                projectId, true, fromMs, toMs, horizonMs);
        List<FirstPaymentDay> result = new java.util.ArrayList<>(rows.size());
        for (Row r : rows) {
            if (r.tie() == 0) {
                result.add(new FirstPaymentDay(r.day(), r.paidDay(), r.count()));
            } else {
                result.addAll(Sql.list(h, "SELECT MIN(paid_at) / 86400000 AS p FROM purchase_transactions "
                                + "WHERE project_id = ? AND livemode = ? AND cohort_at = ? AND paid_at < cohort_at + ? "
                                + "GROUP BY customer_id",
                        rs -> new FirstPaymentDay(r.day(), rs.getLong("p"), 1), projectId, true, r.tie(), horizonMs));
            }
        }
        return result;
    }

    private static final String COHORT = " FROM purchase_transactions WHERE project_id = ? AND livemode = ? "
            + "AND cohort_at >= ? AND cohort_at < ?";

    private static Object[] windowed(Long windowMs, Object... params) {
        if (windowMs == null) {
            return params;
        }
        Object[] result = java.util.Arrays.copyOf(params, params.length + 1);
        result[params.length] = windowMs;
        return result;
    }
}
