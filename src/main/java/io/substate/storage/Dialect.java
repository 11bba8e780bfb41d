package io.substate.storage;

/** The two supported databases. SQL that differs between them is chosen with this. */
public enum Dialect {
    SQLITE,
    POSTGRESQL;

    public static Dialect of(String jdbcUrl) {
        return jdbcUrl.startsWith("jdbc:postgresql:") ? POSTGRESQL : SQLITE;
    }

    /** Flyway location of this dialect's migrations. */
    public String migrations() {
        return this == SQLITE ? "classpath:db/sqlite" : "classpath:db/postgresql";
    }

    /** Row lock that other instances skip rather than wait on; SQLite has one writer, so nothing is needed. */
    public String forUpdateSkipLocked() {
        return this == POSTGRESQL ? " FOR UPDATE SKIP LOCKED" : "";
    }

    /** Row lock for a read-modify-write of one row; SQLite serializes writers already. */
    public String forUpdate() {
        return this == POSTGRESQL ? " FOR UPDATE" : "";
    }
}
