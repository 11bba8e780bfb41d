package io.substate.testing;

import io.substate.config.Settings;
import io.substate.storage.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;

/**
 * The two real databases every HTTP test runs against. Each {@link #newDatabaseUrl()} is a new empty database: a
 * fresh SQLite file, or a fresh PostgreSQL database on the local server (dropped when the JVM exits).
 */
public enum TestDb {
    SQLITE,
    POSTGRESQL;

    /** Admin connection to the machine's PostgreSQL (trust auth); override with SUBSTATE_TEST_PG_URL. */
    public static final String PG_ADMIN_URL = System.getenv().getOrDefault("SUBSTATE_TEST_PG_URL",
            "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

    /**
     * The key of stored secrets on PostgreSQL, which has no generated key file (storage.SecretBox): every server and
     * command of a test on one database uses it. SQLite servers make their key file beside the database.
     */
    public static final String ENCRYPTION_KEY = "c3Vic3RhdGUtdGVzdC1rZXktMDEyMzQ1Njc4OWFiY2Q=";

    private static final Map<String, Boolean> CREATED = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TestDb::dropCreatedDatabases));
    }

    public String newDatabaseUrl() {
        String name = "substate_t_" + Long.toHexString(System.nanoTime()) + Integer.toHexString((int) (Math.random() * 0xffff));
        if (this == SQLITE) {
            try {
                Path dir = Files.createTempDirectory("substate-test");
                return "jdbc:sqlite:" + dir.resolve(name + ".db");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        try (Connection c = DriverManager.getConnection(PG_ADMIN_URL); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
            CREATED.put(name, true);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL must run at 127.0.0.1:5432 for the tests: " + e.getMessage(), e);
        }
        return PG_ADMIN_URL.replaceFirst("/test\\?", "/" + name + "?");
    }

    /** A new empty database of this kind, opened and migrated as the server opens its own. */
    public Database openNewDatabase() {
        return Database.open(Settings.fromEnvironment(env(newDatabaseUrl())));
    }

    /** The environment of a server or command on this database: its URL, and on PostgreSQL the test key. */
    public Map<String, String> env(String databaseUrl) {
        return this == SQLITE ? Map.of("SUBSTATE_DATABASE_URL", databaseUrl)
                : Map.of("SUBSTATE_DATABASE_URL", databaseUrl, "SUBSTATE_ENCRYPTION_KEY", ENCRYPTION_KEY);
    }

    /** A project {@code proj1} with a Stripe app {@code app1}, written straight to the tables (no API). */
    public static void insertProjectAndApp(Jdbi jdbi) {
        jdbi.useHandle(h -> {
            h.execute("INSERT INTO projects (id, name, secret_api_key, transfer_behavior, created_at) "
                    + "VALUES ('proj1', 'P', 'sk_1', 'transfer', 0)");
            h.execute("INSERT INTO apps (id, project_id, name, type, public_api_key, created_at) "
                    + "VALUES ('app1', 'proj1', 'A', 'stripe', 'strp_1', 0)");
        });
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    private static void dropCreatedDatabases() {
        if (CREATED.isEmpty()) {
            return;
        }
        try (Connection c = DriverManager.getConnection(PG_ADMIN_URL); Statement s = c.createStatement()) {
            for (String name : CREATED.keySet()) {
                s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        } catch (SQLException e) {
            System.err.println("Could not drop test databases: " + e.getMessage());
        }
    }
}
