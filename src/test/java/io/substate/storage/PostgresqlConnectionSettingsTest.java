package io.substate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.substate.config.Settings;
import io.substate.testing.TestDb;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.core.BaseConnection;

/**
 * The settings of the server's PostgreSQL connections, read back from real ones: batched inserts rewritten as
 * multi-row inserts everywhere; the group committers' connections their own, forcing generic plans.
 */
class PostgresqlConnectionSettingsTest {
    static final int POOL_SIZE = 4;

    Database database;

    @BeforeEach
    void open() {
        database = Database.open(Settings.fromEnvironment(Map.of(
                "SUBSTATE_DATABASE_URL", TestDb.POSTGRESQL.newDatabaseUrl(),
                "SUBSTATE_DATABASE_POOL_SIZE", String.valueOf(POOL_SIZE),
                "SUBSTATE_ENCRYPTION_KEY", TestDb.ENCRYPTION_KEY)));
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void theUrlAsksForRewrittenBatchesUnlessItSaysOtherwise() {
        assertThat(Database.postgresqlUrl("jdbc:postgresql://db/substate"))
                .isEqualTo("jdbc:postgresql://db/substate?reWriteBatchedInserts=true");
        assertThat(Database.postgresqlUrl("jdbc:postgresql://db/substate?user=s"))
                .isEqualTo("jdbc:postgresql://db/substate?user=s&reWriteBatchedInserts=true");
        assertThat(Database.postgresqlUrl("jdbc:postgresql://db/substate?reWriteBatchedInserts=false"))
                .isEqualTo("jdbc:postgresql://db/substate?reWriteBatchedInserts=false");
    }

    @Test
    void aBatchOfInsertsIsRewrittenAndEveryRowIsStored() throws Exception {
        try (Handle h = database.jdbi().open()) {
            assertThat(h.getConnection().unwrap(BaseConnection.class).getQueryExecutor()
                    .isReWriteBatchedInsertsEnabled()).isTrue();
            // 300 rows: the driver sends them as inserts of 128, 128, 32, 8 and 4 rows.
            List<Object[]> rows = IntStream.range(0, 300)
                    .mapToObj(i -> new Object[] {"probe-" + i, String.valueOf(i)}).toList();
            Sql.batch(h, "INSERT INTO server_settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", rows);
            assertThat(h.createQuery("SELECT COUNT(*) FROM server_settings WHERE name LIKE 'probe-%'")
                    .mapTo(Integer.class).one()).isEqualTo(300);
            assertThat(h.createQuery("SELECT value FROM server_settings WHERE name = 'probe-299'")
                    .mapTo(String.class).one()).isEqualTo("299");
        }
    }

    @Test
    void committersHaveConnectionsOfTheirOwnThatForceGenericPlans() {
        try (GroupCommit commits = GroupCommit.forDatabase(database, new SimpleMeterRegistry())) {
            assertThat(commits.execute("a", PostgresqlConnectionSettingsTest::planCacheMode))
                    .isEqualTo("force_generic_plan");
            assertThat(commits.execute("b", PostgresqlConnectionSettingsTest::planCacheMode))
                    .isEqualTo("force_generic_plan");
            // Every connection of the pool is taken (by the API, say): the committers go on, on their own.
            List<Handle> all = new ArrayList<>();
            try {
                for (int i = 0; i < POOL_SIZE; i++) {
                    all.add(database.jdbi().open());
                }
                assertThat(all).extracting(PostgresqlConnectionSettingsTest::planCacheMode).containsOnly("auto");
                for (String key : List.of("a", "b", "c", "d")) {
                    Integer one = commits.execute(key, h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
                    assertThat(one).isEqualTo(1);
                }
            } finally {
                all.forEach(Handle::close);
            }
        }
    }

    @Test
    void aCommitterWhoseConnectionWasKilledGoesOnWithANewOneSetUpTheSameWay() {
        try (GroupCommit commits = GroupCommit.forDatabase(database, new SimpleMeterRegistry())) {
            int killed = commits.execute("a", h -> h.createQuery("SELECT pg_backend_pid()").mapTo(Integer.class).one());
            boolean terminated = database.jdbi().withHandle(h -> h.createQuery("SELECT pg_terminate_backend(:pid)")
                    .bind("pid", killed).mapTo(Boolean.class).one());
            assertThat(terminated).isTrue();
            // The kept connection fails the next batch; its unit runs again, alone, on a fresh connection.
            record Session(int pid, String planCacheMode) {}
            Session next = commits.execute("a", h -> new Session(
                    h.createQuery("SELECT pg_backend_pid()").mapTo(Integer.class).one(), planCacheMode(h)));
            assertThat(next.pid()).isNotEqualTo(killed);
            assertThat(next.planCacheMode()).isEqualTo("force_generic_plan");
        }
    }

    @Test
    void everyConnectionEndsSlowStatementsAndGivesUpOnASilentNetwork() throws Exception {
        // SUBSTATE_DATABASE_QUERY_TIMEOUT's default, 30 s: PostgreSQL ends the statement; the driver waits 2 s more.
        try (Handle h = database.jdbi().open()) {
            assertThat(h.createQuery("SHOW statement_timeout").mapTo(String.class).one()).isEqualTo("30s");
            assertThat(h.createQuery("SHOW idle_in_transaction_session_timeout").mapTo(String.class).one())
                    .isEqualTo("1min");
            assertThat(h.getConnection().getNetworkTimeout()).isEqualTo(32_000);
        }
        try (GroupCommit commits = GroupCommit.forDatabase(database, new SimpleMeterRegistry())) {
            String committers = commits.execute("a", h -> h.createQuery("SHOW statement_timeout")
                    .mapTo(String.class).one());
            assertThat(committers).isEqualTo("30s");
        }
        assertThat(Database.withTimeouts("jdbc:postgresql://db/s?socketTimeout=7", java.time.Duration.ofSeconds(5),
                java.time.Duration.ofSeconds(30)))
                .isEqualTo("jdbc:postgresql://db/s?socketTimeout=7&connectTimeout=5&loginTimeout=5&tcpKeepAlive=true");
    }

    private static String planCacheMode(Handle h) {
        return h.createQuery("SHOW plan_cache_mode").mapTo(String.class).one();
    }
}
