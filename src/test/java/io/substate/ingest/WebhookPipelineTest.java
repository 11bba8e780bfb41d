package io.substate.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.substate.apps.AppService;
import io.substate.config.Settings;
import io.substate.projects.ProjectService;
import io.substate.storage.Database;
import io.substate.testing.TestDb;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;

/**
 * Whatever applies Stripe events through the pipeline (serve, and the CLI's backfill and Stripe import, which run no
 * server) keeps PostgreSQL's planner statistics of the tables it grows: an import into a new database ran 5.8 times
 * slower without (BENCHMARKS.md). PostgreSQL only: SQLite's planner has no generic plans to go wrong.
 */
class WebhookPipelineTest {
    @Test
    void aTableThePipelineGrewWithoutStatisticsIsAnalyzedWhileItRuns() {
        try (Database database = TestDb.POSTGRESQL.openNewDatabase()) {
            // Autovacuum must not analyze the table first (it may look at any moment, once a minute).
            database.jdbi().useHandle(h -> h.execute("ALTER TABLE stripe_events SET (autovacuum_enabled = false)"));
            TestDb.insertProjectAndApp(database.jdbi());
            // Its own connection, closed after: a backend that exits has reported its row counts to the statistics.
            try (Handle h = database.jdbi().open()) {
                h.execute("INSERT INTO stripe_events (app_id, event_id, type, created, livemode, received_at, status, "
                        + "payload) SELECT 'app1', 'evt_' || n, 'customer.subscription.updated', n, false, n, "
                        + "'processed', '{}' FROM generate_series(1, 5000) AS n");
            }
            assertThat(lastAnalyzed(database)).isNull();

            Clock clock = Clock.systemUTC();
            AppService apps = new AppService(database, new ProjectService(database.jdbi(), clock), clock);
            try (WebhookPipeline pipeline = WebhookPipeline.open(database, apps, Settings.fromEnvironment(Map.of()),
                    new SimpleMeterRegistry(), clock)) {
                await().atMost(Duration.ofSeconds(40)).until(() -> lastAnalyzed(database) != null);
            }
        }
    }

    /** When stripe_events was last analyzed (by anything but autovacuum, which is off for it), as text; or null. */
    private static String lastAnalyzed(Database database) {
        return database.jdbi().withHandle(h -> h.createQuery("SELECT CAST(last_analyze AS text) "
                + "FROM pg_stat_user_tables WHERE relname = 'stripe_events'").mapTo(String.class).one());
    }
}
