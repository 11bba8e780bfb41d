package io.substate.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.testing.TestDb;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Group commit on real databases: batched units commit together, and one failing unit leaves its neighbours whole. */
@ParameterizedClass
@EnumSource(TestDb.class)
class GroupCommitTest {
    @Parameter
    TestDb db;

    Database database;
    GroupCommit commits;

    @BeforeEach
    void open() {
        database = db.openNewDatabase();
        commits = new GroupCommit(database.jdbi(), 2);
    }

    @AfterEach
    void close() {
        commits.close();
        database.close();
    }

    int count() {
        return database.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM server_settings").mapTo(Integer.class).one());
    }

    @Test
    void unitsRunOnCommitterThreadsOfTheHighestPriority() {
        // The priority takes effect only with -XX:ThreadPriorityPolicy=1 (README "Operations"); asked for always.
        Thread committer = commits.submit("k", h -> Thread.currentThread()).join();
        assertThat(committer.getName()).startsWith("group-commit-");
        assertThat(committer.getPriority()).isEqualTo(Thread.MAX_PRIORITY);
    }

    @Test
    void theUnitsOfOneOrderKeyRunOnOneCommitterInTheOrderSubmitted() {
        // Two committers: a purchase's events must not race each other in both (BENCHMARKS.md).
        Map<String, List<String>> ranOn = new ConcurrentHashMap<>();
        Map<String, List<Integer>> order = new ConcurrentHashMap<>();
        List<CompletableFuture<Object>> futures = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            String key = "purchase-" + (i % 8);
            int n = i;
            futures.add(commits.submit(key, h -> {
                ranOn.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>())
                        .add(Thread.currentThread().getName());
                order.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(n);
                return null;
            }));
        }
        futures.forEach(CompletableFuture::join);
        assertThat(ranOn).hasSize(8);
        ranOn.values().forEach(threads -> assertThat(new HashSet<>(threads)).hasSize(1));
        order.values().forEach(ns -> assertThat(ns).hasSize(50).isSorted());
        // Both committers had work: the keys are spread over them.
        assertThat(ranOn.values().stream().map(threads -> threads.get(0)).distinct()).hasSize(2);
    }

    @Test
    void everyUnitIsCommittedBeforeItsCallerIsReleased() {
        List<CompletableFuture<String>> futures = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String name = "k" + i;
            futures.add(commits.submit(name, h -> {
                h.createUpdate("INSERT INTO server_settings (name, value) VALUES (:n, 'v')").bind("n", name).execute();
                return name;
            }));
        }
        for (CompletableFuture<String> f : futures) {
            String name = f.join();
            // Visible from another connection the moment the caller is released.
            java.util.Optional<String> stored = database.jdbi().withHandle(h -> h.createQuery(
                    "SELECT value FROM server_settings WHERE name = :n").bind("n", name).mapTo(String.class).findOne());
            assertThat(stored).contains("v");
        }
        assertThat(count()).isEqualTo(300);
    }

    @Test
    void aFailingUnitIsRolledBackAloneAndItsErrorReachesOnlyItsCaller() {
        CompletableFuture<Object> good1 = commits.submit("a", h -> h.createUpdate(
                "INSERT INTO server_settings (name, value) VALUES ('good1', 'v')").execute());
        CompletableFuture<Object> bad = commits.submit("b", h -> {
            h.createUpdate("INSERT INTO server_settings (name, value) VALUES ('half-written', 'v')").execute();
            throw new ApiException(ErrorCode.INVALID_PARAMETER, "refused");
        });
        CompletableFuture<Object> good2 = commits.submit("c", h -> h.createUpdate(
                "INSERT INTO server_settings (name, value) VALUES ('good2', 'v')").execute());

        good1.join();
        good2.join();
        assertThatThrownBy(bad::join).hasCauseInstanceOf(ApiException.class);
        List<String> names = database.jdbi().withHandle(h -> h.createQuery("SELECT name FROM server_settings ORDER BY name")
                .mapTo(String.class).list());
        assertThat(names).containsExactly("good1", "good2");
    }

    @Test
    void aUnitThatBreaksAConstraintIsRetriedAloneAndFailsWithoutHarmingTheBatch() {
        commits.execute("x", h -> h.createUpdate("INSERT INTO server_settings (name, value) VALUES ('dup', 'v')").execute());
        CompletableFuture<Object> conflicting = commits.submit("a", h -> h.createUpdate(
                "INSERT INTO server_settings (name, value) VALUES ('dup', 'again')").execute());
        CompletableFuture<Object> fine = commits.submit("b", h -> h.createUpdate(
                "INSERT INTO server_settings (name, value) VALUES ('fine', 'v')").execute());

        fine.join();
        assertThatThrownBy(conflicting::join).isNotNull();
        assertThat(count()).isEqualTo(2);
    }

    @Test
    void aMemoizedValueLastsOneTransactionOnly() {
        commits.execute("x", h -> h.createUpdate("INSERT INTO server_settings (name, value) VALUES ('m', 'first')").execute());
        String key = "setting m";
        // Two reads in one unit: the second is answered from the memo even though the row changed in between.
        List<String> inOneTransaction = commits.execute("a", h -> {
            String before = TransactionMemo.get(h, key, () -> read(h, "m"));
            h.createUpdate("UPDATE server_settings SET value = 'second' WHERE name = 'm'").execute();
            String after = TransactionMemo.get(h, key, () -> read(h, "m"));
            TransactionMemo.forget(h, key);
            String forgotten = TransactionMemo.get(h, key, () -> read(h, "m"));
            return List.of(before, after, forgotten);
        });
        assertThat(inOneTransaction).containsExactly("first", "first", "second");
        // The next transaction reads afresh.
        commits.execute("b", h -> h.createUpdate("UPDATE server_settings SET value = 'third' WHERE name = 'm'").execute());
        String next = commits.execute("c", h -> TransactionMemo.get(h, key, () -> read(h, "m")));
        assertThat(next).isEqualTo("third");
    }

    @Test
    void countsBatchesTheBatchesRerunUnitByUnitAndTheUnitsRetried() throws Exception {
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        try (GroupCommit one = new GroupCommit(database.jdbi(), 1, false, metrics)) {
            // The first unit holds the committer, so the next two wait and are drained into one batch together.
            HeldCommitter held = new HeldCommitter(one, "a");
            CompletableFuture<Object> good = one.submit("b", h -> h.createUpdate(
                    "INSERT INTO server_settings (name, value) VALUES ('good', 'v')").execute());
            CompletableFuture<Object> refused = one.submit("c", h -> {
                throw new ApiException(ErrorCode.INVALID_PARAMETER, "refused");
            });
            held.release();
            good.join();
            assertThatThrownBy(refused::join).hasCauseInstanceOf(ApiException.class);
            assertThat(metrics.counter("substate.group_commit.batches").count()).isEqualTo(2);
            assertThat(metrics.counter("substate.group_commit.batches_rerun").count()).isEqualTo(1);
            // A client's mistake is final: not retried.
            assertThat(metrics.counter("substate.group_commit.unit_retries").count()).isZero();

            // Any other failure may be a lost race: run twice more before it reaches the caller.
            assertThatThrownBy(() -> one.execute("d", h -> {
                throw new IllegalStateException("lost a race");
            })).hasMessageContaining("lost a race");
            assertThat(metrics.counter("substate.group_commit.unit_retries").count()).isEqualTo(2);
            assertThat(metrics.counter("substate.group_commit.batches").count()).isEqualTo(3);
        }
        assertThat(count()).isEqualTo(1);
    }

    @Test
    void committersKeepWorkingAfterFailedUnits() {
        for (int round = 0; round < 3; round++) {
            String name = "after-failure-" + round;
            assertThatThrownBy(() -> commits.execute("a", h -> {
                h.createUpdate("INSERT INTO server_settings (name, value) VALUES ('doomed', 'v')").execute();
                throw new IllegalStateException("boom");
            })).hasMessageContaining("boom");
            commits.execute("b", h -> h.createUpdate("INSERT INTO server_settings (name, value) VALUES (:n, 'v')")
                    .bind("n", name).execute());
        }
        List<String> names = database.jdbi().withHandle(h -> h.createQuery("SELECT name FROM server_settings ORDER BY name")
                .mapTo(String.class).list());
        assertThat(names).containsExactly("after-failure-0", "after-failure-1", "after-failure-2");
    }

    @Test
    void plainJdbcBindsEveryTypeAndNullsOnBothDatabases() {
        commits.execute("a", h -> {
            h.execute("CREATE TABLE sql_probe (t TEXT, n BIGINT, i INTEGER, b BOOLEAN, d DOUBLE PRECISION, z BIGINT)");
            assertThat(Sql.update(h, "INSERT INTO sql_probe (t, n, i, b, d, z) VALUES (?, ?, ?, ?, ?, ?)",
                    "text", 9_000_000_000L, 7, true, 1.5, Sql.bigint(null))).isEqualTo(1);
            assertThat(Sql.update(h, "INSERT INTO sql_probe (t, n, i, b, d, z) VALUES (?, ?, ?, ?, ?, ?)",
                    Sql.text(null), Sql.bigint(null), Sql.integer(null), false, 0.0, 3L)).isEqualTo(1);
            assertThatThrownBy(() -> Sql.update(h, "INSERT INTO sql_probe (t) VALUES (?)", (Object) null))
                    .hasMessageContaining("bare null");
            return null;
        });
        List<String> rows = commits.execute("b", h -> Sql.list(h, "SELECT t, n, i, b, d, z FROM sql_probe ORDER BY z",
                rs -> rs.getString("t") + "|" + Sql.nullableLong(rs, "n") + "|" + rs.getInt("i") + "|" + rs.getBoolean("b")
                        + "|" + rs.getDouble("d") + "|" + Sql.nullableLong(rs, "z")));
        // ORDER BY puts NULL first on SQLite and last on PostgreSQL: compare as a set.
        assertThat(rows).containsExactlyInAnyOrder("text|9000000000|7|true|1.5|null", "null|null|0|false|0.0|3");
        java.util.Optional<String> found = commits.execute("c", h -> Sql.first(h, "SELECT t FROM sql_probe WHERE n = ?",
                rs -> rs.getString(1), 9_000_000_000L));
        assertThat(found).contains("text");
        java.util.Optional<String> missing = commits.execute("d", h -> Sql.first(h, "SELECT t FROM sql_probe WHERE n = ?",
                rs -> rs.getString(1), 1L));
        assertThat(missing).isEmpty();
        assertThatThrownBy(() -> commits.execute("e", h -> Sql.update(h, "INSERT INTO no_such_table VALUES (?)", 1L)))
                .isInstanceOf(org.jdbi.v3.core.statement.UnableToExecuteStatementException.class)
                .hasMessageContaining("no_such_table");
    }

    private static String read(org.jdbi.v3.core.Handle h, String name) {
        return h.createQuery("SELECT value FROM server_settings WHERE name = :n").bind("n", name).mapTo(String.class).one();
    }
}
