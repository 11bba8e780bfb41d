package io.substate.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the database is ready, found by one background check on a schedule (README, "Deployment": health checks).
 * Every {@code interval} a thread of its own asks the database, on a connection of its own (never the pool's), how many
 * migrations it has recorded; {@link #current()} answers from the last check at once. A probe therefore never takes a
 * connection or a thread, and however many probes arrive, the database sees one check a second.
 *
 * <p>A check that hangs (a network that stopped answering) counts as not ready once it has run past its time, so a
 * stall shows within seconds even before the driver gives up. Changes between ready and not ready are logged once.
 */
public final class DatabaseHealth implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseHealth.class);
    private static final String COUNT_APPLIED = "SELECT COUNT(*) FROM flyway_schema_history WHERE success";

    /** The answer of one check. */
    public record Status(boolean ready, String reason) {}

    /** What a probe is told: the last check's answer, and how long ago it was made. */
    public record Reading(boolean ready, String reason, long checkedMillisAgo, Dialect dialect) {}

    private final Database database;
    private final Duration interval;
    private final Duration checkTimeout;
    private final ScheduledExecutorService scheduler;
    private Connection connection; // the checking thread's only
    private volatile Status last;
    private volatile long lastCheckedNanos;
    /** When the check now running started, or 0 when none is running. */
    private volatile long runningSinceNanos;

    private DatabaseHealth(Database database, Duration interval, Duration checkTimeout) {
        this.database = database;
        this.interval = interval;
        this.checkTimeout = checkTimeout;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "database-health");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Checks once now (so the first probe has an answer), then every {@code interval}. A check may take up to the
     * smaller of 2 s and the database timeout to connect, and as long again for its query.
     */
    public static DatabaseHealth start(Database database, Duration interval) {
        Duration checkTimeout = database.timeout().compareTo(Duration.ofSeconds(2)) < 0 ? database.timeout()
                : Duration.ofSeconds(2);
        DatabaseHealth health = new DatabaseHealth(database, interval, checkTimeout);
        health.check();
        health.scheduler.scheduleWithFixedDelay(health::check, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
        return health;
    }

    /** One check on a connection of its own, closed after (for {@link Database#isReady()}). */
    static Status checkOnce(Database database, Duration timeout) {
        try (Connection connection = database.openCheckConnection(timeout)) {
            return evaluate(database, connection, timeout);
        } catch (SQLException | RuntimeException e) {
            return new Status(false, "database unreachable");
        }
    }

    /** Migrations recorded as applied, on a connection of the check's own. */
    static int countApplied(Database database) throws SQLException {
        try (Connection connection = database.openCheckConnection(Duration.ofSeconds(10))) {
            return countApplied(connection, Duration.ofSeconds(10));
        }
    }

    /** The last check's answer, at once; a check running past its time, or none for too long, is not ready. */
    public Reading current() {
        long now = System.nanoTime();
        Status status = last;
        long ago = Duration.ofNanos(now - lastCheckedNanos).toMillis();
        long running = runningSinceNanos;
        // A check connects, then queries: each may take checkTimeout. Past both (and a margin for a busy machine),
        // the database is not answering, whatever the driver still waits for.
        long overdueAfter = checkTimeout.multipliedBy(2).plusSeconds(1).toMillis();
        if (running != 0 && Duration.ofNanos(now - running).toMillis() > overdueAfter) {
            return new Reading(false, "the database has not answered the health check for "
                    + Duration.ofNanos(now - running).toMillis() + " ms", ago, database.dialect());
        }
        if (ago > interval.toMillis() + overdueAfter) {
            return new Reading(false, "no health check has completed for " + ago + " ms", ago, database.dialect());
        }
        return new Reading(status.ready(), status.reason(), ago, database.dialect());
    }

    private void check() {
        runningSinceNanos = System.nanoTime();
        Status status;
        try {
            if (connection == null) {
                connection = database.openCheckConnection(checkTimeout);
            }
            status = evaluate(database, connection, checkTimeout);
        } catch (SQLException | RuntimeException e) {
            closeConnection();
            status = new Status(false, "database unreachable");
            if (last == null || last.ready()) {
                LOG.warn("Database not ready: {}", e.toString());
            }
        } finally {
            runningSinceNanos = 0;
        }
        Status previous = last;
        if (previous != null && previous.ready() != status.ready()) {
            if (status.ready()) {
                LOG.info("Database ready again");
            } else if (!status.reason().equals("database unreachable")) {
                LOG.warn("Database not ready: {}", status.reason());
            }
        }
        last = status;
        lastCheckedNanos = System.nanoTime();
    }

    private static Status evaluate(Database database, Connection connection, Duration timeout) throws SQLException {
        int applied = countApplied(connection, timeout);
        if (applied < database.appliedMigrations()) {
            return new Status(false, "migrations pending: the database records " + applied + " of the "
                    + database.appliedMigrations() + " migrations this server applied");
        }
        return new Status(true, null);
    }

    private static int countApplied(Connection connection, Duration timeout) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(COUNT_APPLIED)) {
            statement.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException | RuntimeException e) {
                LOG.debug("Closing the health check's connection failed: {}", e.toString());
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeConnection();
    }
}
