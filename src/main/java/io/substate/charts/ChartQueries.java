package io.substate.charts;

import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * The chart range queries, production data only. Each aggregates in the database to at most a row per day (and
 * currency), so a year of daily points is a few hundred rows whatever the number of purchases. Day numbers are UTC
 * epoch days ({@code ms / 86400000}; integer division on both SQLite and PostgreSQL); {@code -1} collects
 * everything before the range.
 */
final class ChartQueries {
    private static final String DAY_MS = "86400000";

    private ChartQueries() {}

    /** Span starts (+1, +monthly) and ends (−1, −monthly) per day and currency before {@code toMs}. */
    record SpanDelta(long day, String currency, long count, double monthlyMinor) {}

    /** Active spans (paid or trial) at one instant, per currency. */
    record Active(String currency, long count, double monthlyMinor) {}

    record DayCount(long day, long count) {}

    record TransactionDay(long day, String currency, long count, long amountMinor, long refundedCount,
            long refundedMinor) {}

    record TrialCohortDay(long day, long trials, long converted, long pending) {}

    static List<SpanDelta> spanDeltas(Handle h, String projectId, boolean trial, long fromMs, long toMs) {
        String where = " FROM subscription_spans WHERE project_id = :project AND livemode = :live AND is_trial = :trial";
        return h.createQuery("SELECT d, currency, SUM(n) AS n, SUM(m) AS m FROM ("
                        + "SELECT CASE WHEN starts_at < :from THEN -1 ELSE starts_at / " + DAY_MS + " END AS d, currency, "
                        + "1 AS n, monthly_minor AS m" + where + " AND starts_at < :to "
                        + "UNION ALL "
                        + "SELECT CASE WHEN ends_at < :from THEN -1 ELSE ends_at / " + DAY_MS + " END AS d, currency, "
                        + "-1 AS n, -monthly_minor AS m" + where + " AND ends_at < :to"
                        + ") deltas GROUP BY d, currency")
                .bind("project", projectId).bind("live", true).bind("trial", trial).bind("from", fromMs).bind("to", toMs)
                .map((rs, ctx) -> new SpanDelta(rs.getLong("d"), rs.getString("currency"), rs.getLong("n"),
                        rs.getDouble("m")))
                .list();
    }

    static List<Active> activeAt(Handle h, String projectId, boolean trial, long atMs) {
        return h.createQuery("SELECT currency, COUNT(*) AS n, SUM(monthly_minor) AS m FROM subscription_spans "
                        + "WHERE project_id = :project AND livemode = :live AND is_trial = :trial "
                        + "AND starts_at <= :at AND ends_at > :at GROUP BY currency")
                .bind("project", projectId).bind("live", true).bind("trial", trial).bind("at", atMs)
                .map((rs, ctx) -> new Active(rs.getString("currency"), rs.getLong("n"), rs.getDouble("m")))
                .list();
    }

    /** Paid subscriptions expiring (no paid span follows) per day in {@code [fromMs, toMs)}. */
    static List<DayCount> expirations(Handle h, String projectId, long fromMs, long toMs) {
        return dayCounts(h, "SELECT ends_at / " + DAY_MS + " AS d, COUNT(*) AS n FROM subscription_spans "
                + "WHERE project_id = :project AND livemode = :live AND is_trial = :trial AND ends_run = :yes "
                + "AND ends_at >= :from AND ends_at < :to GROUP BY ends_at / " + DAY_MS, projectId, fromMs, toMs);
    }

    /** Paid subscriptions coming back after a lapse, per day in {@code [fromMs, toMs)}. */
    static List<DayCount> returns(Handle h, String projectId, long fromMs, long toMs) {
        return dayCounts(h, "SELECT starts_at / " + DAY_MS + " AS d, COUNT(*) AS n FROM subscription_spans "
                + "WHERE project_id = :project AND livemode = :live AND is_trial = :trial AND restarts = :yes "
                + "AND starts_at >= :from AND starts_at < :to GROUP BY starts_at / " + DAY_MS, projectId, fromMs, toMs);
    }

    private static List<DayCount> dayCounts(Handle h, String sql, String projectId, long fromMs, long toMs) {
        return h.createQuery(sql).bind("project", projectId).bind("live", true).bind("trial", false)
                .bind("yes", true).bind("from", fromMs).bind("to", toMs)
                .map((rs, ctx) -> new DayCount(rs.getLong("d"), rs.getLong("n"))).list();
    }

    static List<TransactionDay> transactions(Handle h, String projectId, long fromMs, long toMs) {
        return h.createQuery("SELECT paid_at / " + DAY_MS + " AS d, currency, COUNT(*) AS n, SUM(amount_minor) AS a, "
                        + "SUM(CASE WHEN refunded_amount_minor > 0 THEN 1 ELSE 0 END) AS rn, "
                        + "SUM(refunded_amount_minor) AS ra FROM purchase_transactions "
                        + "WHERE project_id = :project AND livemode = :live AND paid_at >= :from AND paid_at < :to "
                        + "GROUP BY paid_at / " + DAY_MS + ", currency")
                .bind("project", projectId).bind("live", true).bind("from", fromMs).bind("to", toMs)
                .map((rs, ctx) -> new TransactionDay(rs.getLong("d"), rs.getString("currency"), rs.getLong("n"),
                        rs.getLong("a"), rs.getLong("rn"), rs.getLong("ra")))
                .list();
    }

    /**
     * Customers first seen per day in {@code [fromMs, toMs)}. A customer row is one person (aliases are rows of
     * {@code customer_aliases}, not customers), so aliased ids are not counted twice; customers whose purchases are
     * all sandbox are test users and left out.
     */
    static List<DayCount> newCustomers(Handle h, String projectId, long fromMs, long toMs) {
        return h.createQuery("SELECT c.first_seen / " + DAY_MS + " AS d, COUNT(*) AS n FROM customers c "
                        + "WHERE c.project_id = :project AND c.first_seen >= :from AND c.first_seen < :to "
                        + "AND NOT EXISTS (SELECT 1 FROM purchases s WHERE s.customer_id = c.id AND s.livemode = :sandbox "
                        + "AND NOT EXISTS (SELECT 1 FROM purchases l WHERE l.customer_id = c.id AND l.livemode = :live)) "
                        + "GROUP BY c.first_seen / " + DAY_MS)
                .bind("project", projectId).bind("live", true).bind("sandbox", false).bind("from", fromMs)
                .bind("to", toMs)
                .map((rs, ctx) -> new DayCount(rs.getLong("d"), rs.getLong("n"))).list();
    }

    /** Trials by the day they started in {@code [fromMs, toMs)}: how many, converted, and still pending at now. */
    static List<TrialCohortDay> trialCohorts(Handle h, String projectId, long fromMs, long toMs, long nowMs) {
        return h.createQuery("SELECT starts_at / " + DAY_MS + " AS d, COUNT(*) AS n, "
                        + "SUM(CASE WHEN converted THEN 1 ELSE 0 END) AS c, "
                        + "SUM(CASE WHEN NOT converted AND will_renew AND ends_at > :now THEN 1 ELSE 0 END) AS p "
                        + "FROM subscription_spans WHERE project_id = :project AND livemode = :live AND is_trial = :trial "
                        + "AND starts_at >= :from AND starts_at < :to GROUP BY starts_at / " + DAY_MS)
                .bind("project", projectId).bind("live", true).bind("trial", true).bind("from", fromMs)
                .bind("to", toMs).bind("now", nowMs)
                .map((rs, ctx) -> new TrialCohortDay(rs.getLong("d"), rs.getLong("n"), rs.getLong("c"),
                        rs.getLong("p")))
                .list();
    }
}
