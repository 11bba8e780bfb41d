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

    static List<SpanDay> spanStarts(Handle h, String projectId, boolean trial, long fromDay, long toDay) {
        return spanDays(h, "start_day", projectId, trial, fromDay, toDay);
    }

    static List<SpanDay> spanEnds(Handle h, String projectId, boolean trial, long fromDay, long toDay) {
        return spanDays(h, "end_day", projectId, trial, fromDay, toDay);
    }

    private static List<SpanDay> spanDays(Handle h, String dayColumn, String projectId, boolean trial, long fromDay,
            long toDay) {
        return Sql.list(h, "SELECT " + dayColumn + " AS d, currency, COUNT(*) AS n, SUM(monthly_minor) AS m" + SPANS
                        + " AND " + dayColumn + " >= ? AND " + dayColumn + " < ? GROUP BY " + dayColumn + ", currency",
                rs -> new SpanDay(rs.getLong("d"), rs.getString("currency"), rs.getLong("n"), rs.getDouble("m")),
                projectId, true, trial, fromDay, toDay);
    }

    /** Spans with {@code starts_at <= at < ends_at}; only spans ending on or after that day are read. */
    static List<Active> activeAt(Handle h, String projectId, boolean trial, long atMs) {
        return Sql.list(h, "SELECT currency, COUNT(*) AS n, SUM(monthly_minor) AS m" + SPANS
                        + " AND end_day >= ? AND ends_at > ? AND starts_at <= ? GROUP BY currency",
                rs -> new Active(rs.getString("currency"), rs.getLong("n"), rs.getDouble("m")),
                projectId, true, trial, Bucket.dayOf(atMs), atMs, atMs);
    }

    /** Paid subscriptions expiring (no paid span follows) per day, before {@code beforeMs}. */
    static List<DayCount> expirations(Handle h, String projectId, long fromDay, long toDay, long beforeMs) {
        return Sql.list(h, "SELECT end_day AS d, COUNT(*) AS n" + SPANS + " AND end_day >= ? AND end_day < ? "
                        + "AND ends_run = ? AND ends_at < ? GROUP BY end_day",
                rs -> new DayCount(rs.getLong("d"), rs.getLong("n")),
                projectId, true, false, fromDay, toDay, true, beforeMs);
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
}
