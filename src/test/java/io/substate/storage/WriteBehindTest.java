package io.substate.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.testing.TestDb;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Held writes ({@link WriteBehind#later}) in group-commit batches on real databases: read back where needed, sent parents
 * first, committed with the batch, and dropped with a unit that fails.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class WriteBehindTest {
    @Parameter
    TestDb db;

    Database database;
    GroupCommit commits;

    @BeforeEach
    void open() {
        database = db.openNewDatabase();
        database.jdbi().useHandle(h -> {
            h.execute("CREATE TABLE wb_parent (id VARCHAR(40) PRIMARY KEY)");
            h.execute("CREATE TABLE wb_child (id VARCHAR(40) PRIMARY KEY, "
                    + "parent_id VARCHAR(40) NOT NULL REFERENCES wb_parent(id))");
        });
        commits = new GroupCommit(database.jdbi(), 1, false, true, new SimpleMeterRegistry());
    }

    @AfterEach
    void close() {
        commits.close();
        database.close();
    }

    static WriteBehind.Key parentKey(String id) {
        return WriteBehind.key("wb_parent", id);
    }

    static void addParent(Handle h, String id) {
        WriteBehind.later(h, WriteOrder.CUSTOMER_INSERT, List.of(parentKey(id)), "INSERT INTO wb_parent (id) VALUES (?)", id);
    }

    static void addChild(Handle h, String id, String parent) {
        WriteBehind.later(h, WriteOrder.OUTGOING_EVENT_INSERT, List.of(), "INSERT INTO wb_child (id, parent_id) VALUES (?, ?)",
                id, parent);
    }

    static boolean parentExists(Handle h, WriteBehind.Key key, String id) {
        return Sql.first(h, key, "SELECT id FROM wb_parent WHERE id = ?", rs -> rs.getString(1), id).isPresent();
    }

    List<String> stored(String table) {
        return database.jdbi().withHandle(h -> h.createQuery("SELECT id FROM " + table + " ORDER BY id")
                .mapTo(String.class).list());
    }

    @Test
    void aWriteIsHeldUntilAReadNeedsItOrTheCommit() {
        List<Boolean> seen = commits.execute("k", h -> {
            addParent(h, "p1");
            // A read naming another row does not send it: it is still held.
            boolean beforeByOtherKey = parentExists(h, parentKey("p2"), "p1");
            // A read naming its row sends it first, as does a read naming none.
            boolean byItsKey = parentExists(h, parentKey("p1"), "p1");
            addParent(h, "p3");
            boolean unkeyed = Sql.first(h, "SELECT id FROM wb_parent WHERE id = ?", rs -> rs.getString(1), "p3")
                    .isPresent();
            addParent(h, "p4"); // sent by the commit
            return List.of(beforeByOtherKey, byItsKey, unkeyed);
        });
        assertThat(seen).containsExactly(false, true, true);
        assertThat(stored("wb_parent")).containsExactly("p1", "p3", "p4");
    }

    @Test
    void aJdbiStatementOrAnImmediateWriteFollowsTheHeldWrites() {
        commits.execute("k", h -> {
            addParent(h, "p1");
            // Needs the held parent row: it must have been sent before.
            Sql.update(h, "INSERT INTO wb_child (id, parent_id) VALUES (?, ?)", "c1", "p1");
            addParent(h, "p2");
            return h.createUpdate("INSERT INTO wb_child (id, parent_id) VALUES ('c2', 'p2')").execute();
        });
        assertThat(stored("wb_child")).containsExactly("c1", "c2");
    }

    @Test
    void heldWritesAreSentParentsFirstWhateverOrderTheyWereMadeIn() {
        commits.execute("k", h -> {
            addChild(h, "c1", "p1"); // its parent comes later: sent first by WriteOrder
            addParent(h, "p1");
            addChild(h, "c2", "p1");
            return null;
        });
        assertThat(stored("wb_parent")).containsExactly("p1");
        assertThat(stored("wb_child")).containsExactly("c1", "c2");
    }

    @Test
    void aFailingHeldWriteFailsOnlyItsUnitAndLeavesNothingOfIt() throws Exception {
        commits.execute("k", h -> {
            addParent(h, "taken");
            return null;
        });
        HeldCommitter held = new HeldCommitter(commits, "k"); // the next units share one batch
        List<CompletableFuture<Object>> units = new ArrayList<>();
        units.add(commits.submit("k", h -> {
            addParent(h, "good1");
            addChild(h, "g1", "good1");
            return null;
        }));
        CompletableFuture<Object> bad = commits.submit("k", h -> {
            addParent(h, "fresh");
            addParent(h, "taken"); // fails on the primary key, only when sent
            addChild(h, "b1", "fresh");
            return null;
        });
        units.add(commits.submit("k", h -> {
            addParent(h, "good2");
            return null;
        }));
        held.release();
        units.forEach(CompletableFuture::join);
        assertThatThrownBy(bad::join).hasMessageContaining("wb_parent");
        assertThat(stored("wb_parent")).containsExactly("good1", "good2", "taken");
        assertThat(stored("wb_child")).containsExactly("g1");
    }

    @Test
    void aUnitThatThrowsDropsWhatItHeld() {
        assertThatThrownBy(() -> commits.execute("k", h -> {
            addParent(h, "half-written");
            throw new ApiException(ErrorCode.INVALID_PARAMETER, "refused");
        })).isInstanceOf(ApiException.class);
        commits.execute("k", h -> {
            addParent(h, "next");
            return null;
        });
        assertThat(stored("wb_parent")).containsExactly("next");
    }

    @Test
    void ownValuesAreForgottenWhenAStatementMayHaveChangedThem() {
        List<Object> seen = commits.execute("k", h -> {
            WriteBehind.own(h, "name", 1L);
            Object afterKeyedRead = WriteBehind.own(h, "name");
            parentExists(h, parentKey("x"), "x");
            Object afterRead = WriteBehind.own(h, "name");
            h.createUpdate("INSERT INTO wb_parent (id) VALUES ('y')").execute();
            return java.util.Arrays.asList(afterKeyedRead, afterRead, WriteBehind.own(h, "name"));
        });
        assertThat(seen).containsExactly(1L, 1L, null);
    }

    /** Parents read ahead by name prefix (the scope) and id; PostgreSQL's arrays, as every read-ahead statement. */
    static final ReadAhead PARENTS_AHEAD = new ReadAhead("SELECT id FROM wb_parent WHERE id LIKE (? || '%') "
            + "AND id = ANY (?) ORDER BY id FOR UPDATE", rs -> "row " + rs.getString("id"),
            (scope, id) -> parentKey(id));

    /**
     * Runs {@code units} (each with its lookups) in one batch, in this order: the committer is held by a first unit
     * until all are queued. Returns each unit's result.
     */
    List<Object> inOneBatch(List<List<ReadAhead.Lookup>> lookups, List<GroupCommit.Work<Object>> units)
            throws Exception {
        HeldCommitter held = new HeldCommitter(commits, "k");
        List<CompletableFuture<Object>> futures = new ArrayList<>();
        for (int i = 0; i < units.size(); i++) {
            int unit = i;
            futures.add(CompletableFuture.supplyAsync(() -> commits.execute("k", lookups.get(unit), units.get(unit))));
            // Queued one after the other, so they run in this order.
            org.awaitility.Awaitility.await().until(() -> commits.queued() == unit + 1);
        }
        held.release();
        List<Object> results = new ArrayList<>();
        for (CompletableFuture<Object> future : futures) {
            results.add(future.join());
        }
        return results;
    }

    @Test
    void aBatchReadsTheRowsItsUnitsDeclaredBeforeRunningThem() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(db == TestDb.POSTGRESQL, "read ahead only where writes are held");
        database.jdbi().useHandle(h -> h.execute("INSERT INTO wb_parent (id) VALUES ('a1'), ('a2'), ('b1')"));
        List<Object> seen = inOneBatch(
                List.of(List.of(PARENTS_AHEAD.lookup("a", "a1"), PARENTS_AHEAD.lookup("a", "a9")),
                        List.of(PARENTS_AHEAD.lookup("b", "b1"), PARENTS_AHEAD.lookup("a", "b1"))),
                List.of(h -> java.util.Arrays.asList(WriteBehind.readAhead(h, parentKey("a1")), WriteBehind.readAhead(h, parentKey("a9")),
                                WriteBehind.readAhead(h, parentKey("a2"))),
                        h -> List.of(WriteBehind.readAhead(h, parentKey("b1")))));
        // Found rows as read, absent ones marked, rows nobody declared not read; a row outside one lookup's scope
        // ("b1" in "a") is still found by the lookup whose scope it is in.
        assertThat(seen).containsExactly(java.util.Arrays.asList("row a1", WriteBehind.ABSENT, null), List.of("row b1"));
    }

    @Test
    void aRowReadAheadIsDroppedOnceTheBatchWritesItOrRunsAStatementItCannotSeeInto() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(db == TestDb.POSTGRESQL, "read ahead only where writes are held");
        database.jdbi().useHandle(h -> h.execute("INSERT INTO wb_parent (id) VALUES ('x1')"));
        List<Object> seen = inOneBatch(
                List.of(List.of(PARENTS_AHEAD.lookup("x", "x2")), List.of(PARENTS_AHEAD.lookup("x", "x2")),
                        List.of(PARENTS_AHEAD.lookup("x", "x1"))),
                List.of(h -> {
                            Object before = WriteBehind.readAhead(h, parentKey("x2"));
                            addParent(h, "x2"); // held, touching x2: the next unit must not take x2 as absent
                            return List.of(before);
                        },
                        h -> {
                            Object ahead = WriteBehind.readAhead(h, parentKey("x2"));
                            boolean exists = parentExists(h, parentKey("x2"), "x2");
                            Object x1Before = WriteBehind.readAhead(h, parentKey("x1"));
                            h.createUpdate("UPDATE wb_parent SET id = id WHERE id = 'x1'").execute();
                            return java.util.Arrays.asList(ahead, exists, x1Before);
                        },
                        h -> java.util.Arrays.asList(WriteBehind.readAhead(h, parentKey("x1")))));
        assertThat(seen).containsExactly(List.of(WriteBehind.ABSENT), java.util.Arrays.asList(null, true, "row x1"),
                java.util.Arrays.asList((Object) null));
        assertThat(stored("wb_parent")).containsExactly("x1", "x2");
    }

    @Test
    void aFailingReadAheadFailsTheBatchWhoseUnitsThenRunAloneAndCommit() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(db == TestDb.POSTGRESQL, "read ahead only where writes are held");
        ReadAhead broken = new ReadAhead("SELECT id FROM no_such_table WHERE id LIKE ? AND id = ANY (?)",
                rs -> rs.getString("id"), (scope, id) -> parentKey(id));
        List<Object> seen = inOneBatch(List.of(List.of(broken.lookup("f", "f1")), List.of(broken.lookup("f", "f2"))),
                List.of(h -> {
                            addParent(h, "f1");
                            return java.util.Arrays.asList(WriteBehind.readAhead(h, parentKey("f1")));
                        },
                        h -> {
                            addParent(h, "f2");
                            return java.util.Arrays.asList(WriteBehind.readAhead(h, parentKey("f2")));
                        }));
        // Run alone, a unit reads nothing ahead.
        assertThat(seen).containsExactly(java.util.Arrays.asList((Object) null), java.util.Arrays.asList((Object) null));
        assertThat(stored("wb_parent")).containsExactly("f1", "f2");
    }

    @Test
    void workDeferredToTheCommitRunsOnceWithEveryValueAfterAllUnitsAndCommitsWithThem() throws Exception {
        List<String> runs = new java.util.concurrent.CopyOnWriteArrayList<>();
        WriteBehind.AtCommit<String> addChildren = (h, parents) -> {
            // Reads what the units held: it must see their parents.
            List<String> visible = Sql.list(h, "SELECT id FROM wb_parent ORDER BY id", rs -> rs.getString(1));
            runs.add(parents + " seeing " + visible);
            parents.forEach(parent -> addChild(h, "child of " + parent, parent));
        };
        List<Object> results = inOneBatch(List.of(List.of(), List.of()), List.of(
                h -> {
                    addParent(h, "d1");
                    WriteBehind.atCommit(h, addChildren, "d1");
                    WriteBehind.atCommit(h, addChildren, "d1"); // asked twice, done once
                    return runs.size();
                },
                h -> {
                    addParent(h, "d2");
                    WriteBehind.atCommit(h, addChildren, "d2");
                    return runs.size();
                }));
        assertThat(results).containsExactly(0, 0); // nothing ran while the units did
        assertThat(runs).containsExactly("[d1, d2] seeing [d1, d2]");
        assertThat(stored("wb_child")).containsExactly("child of d1", "child of d2");
    }
}
