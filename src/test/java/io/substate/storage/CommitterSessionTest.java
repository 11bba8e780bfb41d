package io.substate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.substate.testing.TestDb;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.StatementCustomizer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The committer's statement cache on real databases: reuse with fresh bindings, nesting, and closing with the handle. */
@ParameterizedClass
@EnumSource(TestDb.class)
class CommitterSessionTest {
    @Parameter
    TestDb db;

    Database database;
    /** Every JDBC statement the statements under test executed with, in order. */
    final List<Statement> used = new ArrayList<>();

    @BeforeEach
    void open() {
        database = db.openNewDatabase();
        database.jdbi().useHandle(h -> h.execute("CREATE TABLE cache_probe (id INTEGER PRIMARY KEY, name TEXT)"));
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void aStatementIsReusedWithTheNewBindingsOnly() {
        try (Handle h = CommitterSession.install(database.jdbi().open())) {
            insert(h, 1, "one");
            insert(h, 2, null);
            assertThat(used.get(0)).isSameAs(used.get(1));
            // A parameter bound the first time and not the second would leak through without clearing.
            assertThat(name(h, 1)).isEqualTo("one");
            assertThat(name(h, 2)).isNull();
            assertThat(used.get(2)).isSameAs(used.get(3));
        }
    }

    @Test
    void theSameSqlUsedWhileOpenGetsItsOwnStatement() {
        try (Handle h = CommitterSession.install(database.jdbi().open())) {
            insert(h, 1, "one");
            insert(h, 2, "two");
            List<String> pairs = new ArrayList<>();
            h.createQuery("SELECT id FROM cache_probe ORDER BY id").addCustomizer(recorder()).mapTo(Integer.class)
                    .useStream(ids -> ids.forEach(id -> h.createQuery("SELECT id FROM cache_probe ORDER BY id")
                            .addCustomizer(recorder()).mapTo(Integer.class).list()
                            .forEach(inner -> pairs.add(id + "-" + inner))));
            assertThat(pairs).containsExactly("1-1", "1-2", "2-1", "2-2");
        }
    }

    @Test
    void statementsCloseWithTheHandle() throws SQLException {
        try (Handle h = CommitterSession.install(database.jdbi().open())) {
            insert(h, 1, "one");
            assertThat(used.get(0).isClosed()).isFalse();
        }
        assertThat(used.get(0).isClosed()).isTrue();
    }

    @Test
    void aRolledBackTransactionLeavesNothingAndTheCacheKeepsWorking() {
        try (Handle h = CommitterSession.install(database.jdbi().open())) {
            h.begin();
            insert(h, 1, "gone");
            h.rollback();
            h.begin();
            insert(h, 1, "kept");
            h.commit();
            assertThat(name(h, 1)).isEqualTo("kept");
            assertThat(used.get(0)).isSameAs(used.get(1));
        }
    }

    private void insert(Handle h, int id, String name) {
        h.createUpdate("INSERT INTO cache_probe (id, name) VALUES (:id, :name)").addCustomizer(recorder())
                .bind("id", id).bind("name", name).execute();
    }

    private String name(Handle h, int id) {
        return h.createQuery("SELECT name FROM cache_probe WHERE id = :id").addCustomizer(recorder()).bind("id", id)
                .mapTo(String.class).one();
    }

    private StatementCustomizer recorder() {
        return new StatementCustomizer() {
            @Override
            public void beforeExecution(PreparedStatement stmt, StatementContext ctx) {
                used.add(stmt);
            }
        };
    }
}
