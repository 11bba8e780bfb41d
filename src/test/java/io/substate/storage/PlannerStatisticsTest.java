package io.substate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.substate.testing.TestDb;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** PostgreSQL only: SQLite's planner has no generic plans to go wrong. */
class PlannerStatisticsTest {
    Database database;

    @BeforeEach
    void open() {
        database = TestDb.POSTGRESQL.openNewDatabase();
        // Autovacuum must not analyze the table first (it may look at any moment, once a minute).
        database.jdbi().useHandle(h -> h.execute("ALTER TABLE stripe_events SET (autovacuum_enabled = false)"));
        TestDb.insertProjectAndApp(database.jdbi());
    }

    /** Waits until the statistics count {@code rows} changed rows of stripe_events since it was last analyzed. */
    void awaitChangesCounted(long rows) {
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> database.jdbi().withHandle(h -> h.createQuery(
                "SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE relname = 'stripe_events'")
                .mapTo(Long.class).one()) == rows);
    }

    @AfterEach
    void close() {
        database.close();
    }

    void insertEvents(int count) {
        // Its own connection, closed after: a backend that exits has reported its row counts to the statistics.
        try (Handle h = database.jdbi().open()) {
            h.execute("INSERT INTO stripe_events (app_id, event_id, type, created, livemode, received_at, status, "
                    + "payload) SELECT 'app1', 'evt_' || n || '_' || (SELECT COUNT(*) FROM stripe_events), "
                    + "'customer.subscription.updated', n, false, n, 'processed', '{}' "
                    + "FROM generate_series(1, " + count + ") AS n");
        }
    }

    /** The plan PostgreSQL keeps for the webhook's duplicate check, as a driver's prepared statement gets it. */
    String genericPlanOfTheDuplicateCheck() {
        try (Handle h = database.jdbi().open()) {
            h.execute("SET plan_cache_mode = force_generic_plan");
            h.execute("PREPARE known (text, text) AS SELECT status, purchase_id FROM stripe_events "
                    + "WHERE app_id = $1 AND event_id = $2");
            return String.join("\n", h.createQuery("EXPLAIN EXECUTE known ('app1', 'evt_1_0')").mapTo(String.class).list());
        }
    }

    @Test
    void aTableThatGrewWithoutStatisticsIsAnalyzedOnceAndThenLeftToAutovacuum() {
        PlannerStatistics statistics = PlannerStatistics.manual(database.jdbi());
        insertEvents(PlannerStatistics.MIN_CHANGED_ROWS / 2);
        awaitChangesCounted(PlannerStatistics.MIN_CHANGED_ROWS / 2);
        assertThat(statistics.analyzeStaleTables()).as("too few rows to matter").isEmpty();

        insertEvents(PlannerStatistics.MIN_CHANGED_ROWS * 3);
        awaitChangesCounted(PlannerStatistics.MIN_CHANGED_ROWS * 7 / 2);

        assertThat(statistics.analyzeStaleTables()).containsExactly("stripe_events");
        assertThat(genericPlanOfTheDuplicateCheck()).contains("stripe_events_pkey");
        assertThat(statistics.analyzeStaleTables()).as("statistics are now current").isEmpty();
        Long lastAnalyzed = database.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM pg_stat_user_tables "
                + "WHERE relname = 'stripe_events' AND last_analyze IS NOT NULL").mapTo(Long.class).one());
        assertThat(lastAnalyzed).isEqualTo(1);
    }

    @Test
    void aTableThatMoreThanDoubledSinceItWasAnalyzedIsAnalyzedAgain() {
        PlannerStatistics statistics = PlannerStatistics.manual(database.jdbi());
        insertEvents(PlannerStatistics.MIN_CHANGED_ROWS * 2);
        awaitChangesCounted(PlannerStatistics.MIN_CHANGED_ROWS * 2);
        database.jdbi().useHandle(h -> h.execute("ANALYZE stripe_events"));
        awaitChangesCounted(0);
        insertEvents(PlannerStatistics.MIN_CHANGED_ROWS);
        awaitChangesCounted(PlannerStatistics.MIN_CHANGED_ROWS);
        assertThat(statistics.analyzeStaleTables()).as("half again as many rows: autovacuum's business").isEmpty();

        insertEvents(PlannerStatistics.MIN_CHANGED_ROWS * 2);
        awaitChangesCounted(PlannerStatistics.MIN_CHANGED_ROWS * 3);
        assertThat(statistics.analyzeStaleTables()).containsExactly("stripe_events");
    }
}
