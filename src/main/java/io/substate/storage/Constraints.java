package io.substate.storage;

import java.sql.SQLException;

/** Recognizes constraint violations of both databases, so a lost insert race becomes a 409 instead of a 500. */
public final class Constraints {
    private static final String POSTGRESQL_UNIQUE_VIOLATION = "23505";
    private static final int SQLITE_CONSTRAINT = 19;

    private Constraints() {}

    public static boolean isUniqueViolation(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                if (POSTGRESQL_UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                    return true;
                }
                String message = String.valueOf(sql.getMessage());
                if (sql.getErrorCode() == SQLITE_CONSTRAINT && message.contains("UNIQUE")) {
                    return true;
                }
            }
        }
        return false;
    }
}
