package io.substate.storage;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import org.sqlite.SQLiteException;

/**
 * The database cannot be reached, migrated or written in time: at start-up (the message says which and why), or
 * while serving, where HTTP answers it 503 {@code database_unavailable} with {@code Retry-After} (README, "Deployment").
 */
public class DatabaseUnavailableException extends RuntimeException {
    /** PostgreSQL's class 08 (connection exception) and the states of a server shutting down or full. */
    private static final java.util.Set<String> POSTGRESQL_UNAVAILABLE = java.util.Set.of(
            "57P01", // admin_shutdown
            "57P02", // crash_shutdown
            "57P03", // cannot_connect_now
            "53300", // too_many_connections
            "57014"); // query_canceled: the statement timeout ended it

    /** SQLite's primary result codes (extended ones included): busy, locked, I/O error, full, cannot open. */
    private static final java.util.Set<Integer> SQLITE_UNAVAILABLE = java.util.Set.of(5, 6, 10, 13, 14);

    /** SQLite's busy and locked. */
    private static final java.util.Set<Integer> SQLITE_WAITED = java.util.Set.of(5, 6);

    public DatabaseUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Whether {@code error} ended a wait that already took a timeout's length: a lock SQLite did not get within its busy
     * timeout, a statement PostgreSQL ended at the query timeout, a socket that timed out, a pool with no connection
     * in time. Trying again would make the caller wait as long again, unlike after a connection found broken at once.
     */
    public static boolean isExpiredWait(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SQLTimeoutException || t instanceof SQLTransientConnectionException
                    || t instanceof java.net.SocketTimeoutException) {
                return true;
            }
            if (t instanceof SQLiteException sqlite && SQLITE_WAITED.contains(sqlite.getResultCode().code & 0xff)) {
                return true;
            }
            if (t instanceof SQLException sql && "57014".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code error} comes from the database being out of reach or too slow rather than from the request: no
     * connection within the database timeout, a connection lost or timed out, PostgreSQL shutting down or refusing
     * connections, a statement ended by the query timeout, or SQLite's lock not obtained within its busy timeout.
     */
    public static boolean isCauseOf(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof DatabaseUnavailableException || t instanceof SQLTransientConnectionException
                    || t instanceof SQLNonTransientConnectionException || t instanceof SQLTimeoutException) {
                return true;
            }
            // A connection lost mid-transaction: jdbi's rollback then fails to restore auto-commit on HikariCP's
            // closed proxy, whose SQLException ("Connection is closed") carries no SQLState.
            if (t instanceof org.jdbi.v3.core.transaction.UnableToRestoreAutoCommitStateException
                    || t instanceof SQLException closed && closed.getSQLState() == null
                    && "Connection is closed".equals(closed.getMessage())) {
                return true;
            }
            if (t instanceof SQLiteException sqlite) {
                if (SQLITE_UNAVAILABLE.contains(sqlite.getResultCode().code & 0xff)) {
                    return true;
                }
            } else if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || POSTGRESQL_UNAVAILABLE.contains(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }
}
