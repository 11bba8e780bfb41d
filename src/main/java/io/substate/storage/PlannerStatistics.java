package io.substate.storage;

import io.substate.common.RepeatedFailureLog;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Analyzes the tables the webhook path writes when PostgreSQL's statistics of them are missing or far behind (never
 * analyzed, or more rows changed since than the table had then), checked every 10 seconds.
 *
 * <p>Why: on a new database the tables start empty and without statistics. The driver's prepared statements soon run
 * on generic plans, and without statistics the planner sees every index that starts with {@code app_id} as equally
 * good for a primary-key lookup such as "this app's event {@code evt_…}" — and may pick one that then reads all of
 * the app's rows. That plan is kept until the table is analyzed, and autovacuum looks at most once a minute: long
 * enough for a backfill or a burst of webhooks to grind (measured: point lookups at 20–120 ms, two PostgreSQL
 * processes at full CPU). Analyzing invalidates those plans; from then on autovacuum's own thresholds keep up, and
 * this finds nothing to do.
 */
public final class PlannerStatistics implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PlannerStatistics.class);
    /** The tables written on every webhook, by name (the names are concatenated into ANALYZE: only these). */
    static final List<String> HOT_TABLES = List.of("stripe_events", "purchases", "customers", "customer_aliases",
            "outgoing_events", "stripe_object_refs", "purchase_transactions", "subscription_spans", "deliveries");
    /** Fewer changed rows than this never need it: any plan is fast on a table this small. */
    static final int MIN_CHANGED_ROWS = 1000;

    private final RepeatedFailureLog failures = new RepeatedFailureLog(LOG, "Checking planner statistics");
    private final Jdbi jdbi;
    private final ScheduledExecutorService timer;

    private PlannerStatistics(Jdbi jdbi, ScheduledExecutorService timer) {
        this.jdbi = jdbi;
        this.timer = timer;
    }

    /** Starts checking every 10 s; on SQLite (whose planner has no such trap) nothing runs. */
    public static PlannerStatistics start(Jdbi jdbi, Dialect dialect) {
        if (dialect != Dialect.POSTGRESQL) {
            return new PlannerStatistics(jdbi, null);
        }
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "planner-statistics");
            t.setDaemon(true);
            return t;
        });
        PlannerStatistics statistics = new PlannerStatistics(jdbi, timer);
        timer.scheduleWithFixedDelay(statistics::checkQuietly, 10, 10, TimeUnit.SECONDS);
        return statistics;
    }

    /** For tests: a checker that runs only when told to. */
    static PlannerStatistics manual(Jdbi jdbi) {
        return new PlannerStatistics(jdbi, null);
    }

    /** Analyzes the hot tables whose statistics are missing or stale as described above; returns their names. */
    List<String> analyzeStaleTables() {
        return jdbi.withHandle(h -> {
            List<String> stale = h.createQuery("SELECT s.relname FROM pg_stat_user_tables s "
                            + "JOIN pg_class c ON c.oid = s.relid "
                            + "WHERE s.schemaname = current_schema() AND s.relname IN (<tables>) "
                            + "AND s.n_mod_since_analyze >= :min "
                            + "AND ((s.last_analyze IS NULL AND s.last_autoanalyze IS NULL) "
                            + "OR s.n_mod_since_analyze > c.reltuples) ORDER BY s.relname")
                    .bindList("tables", HOT_TABLES).bind("min", MIN_CHANGED_ROWS).mapTo(String.class).list();
            for (String table : stale) {
                if (HOT_TABLES.contains(table)) {
                    h.execute("ANALYZE " + table);
                }
            }
            return stale;
        });
    }

    private void checkQuietly() {
        try {
            List<String> analyzed = analyzeStaleTables();
            failures.succeeded();
            if (!analyzed.isEmpty()) {
                LOG.info("Analyzed {}: their planner statistics were missing or stale", analyzed);
            }
        } catch (RuntimeException e) {
            failures.failed(e);
        }
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
