package io.substate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.substate.testing.TestDb;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteConnection;

/** The settings every SQLite connection of the server is opened with, read back from a real connection. */
class SqliteConnectionSettingsTest {
    Database database;

    @BeforeEach
    void open() {
        database = TestDb.SQLITE.openNewDatabase();
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void walWithFullSyncAndForeignKeys() {
        try (Handle h = database.jdbi().open()) {
            assertThat(h.createQuery("PRAGMA journal_mode").mapTo(String.class).one()).isEqualToIgnoringCase("wal");
            // 2 = FULL: a commit is on disk before the webhook is answered.
            assertThat(h.createQuery("PRAGMA synchronous").mapTo(Integer.class).one()).isEqualTo(2);
            assertThat(h.createQuery("PRAGMA foreign_keys").mapTo(Integer.class).one()).isEqualTo(1);
            // The database timeout (SUBSTATE_DATABASE_TIMEOUT, 5 s by default): a write waits no longer for a lock.
            assertThat(h.createQuery("PRAGMA busy_timeout").mapTo(Integer.class).one()).isEqualTo(5_000);
        }
    }

    @Test
    void insertsDoNotQueryGeneratedKeys() throws Exception {
        try (Handle h = database.jdbi().open()) {
            SQLiteConnection connection = h.getConnection().unwrap(SQLiteConnection.class);
            assertThat(connection.getConnectionConfig().isGetGeneratedKeys()).isFalse();
            h.execute("CREATE TABLE keys_probe (id TEXT PRIMARY KEY)");
            assertThat(h.execute("INSERT INTO keys_probe (id) VALUES ('a')")).isEqualTo(1);
        }
    }
}
