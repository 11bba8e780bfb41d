package io.substate.storage;

/** The two supported databases. SQL that differs between them is chosen with this. */
public enum Dialect {
    SQLITE,
    POSTGRESQL;

    public static Dialect of(String jdbcUrl) {
        return jdbcUrl.startsWith("jdbc:postgresql:") ? POSTGRESQL : SQLITE;
    }

    /**
     * Flyway locations of this dialect's migrations: the scripts both databases run (db/common), and those written
     * for this one. A version stands in one of the two only.
     */
    public String[] migrations() {
        return new String[] {"classpath:db/common", this == SQLITE ? "classpath:db/sqlite" : "classpath:db/postgresql"};
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
