package io.substate.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Plain JDBC on a jdbi handle's connection, for the dozen statements every Stripe webhook runs. jdbi's per-statement
 * machinery (a statement context, a copy of its configuration, binding by type lookup, a result pipeline) cost more
 * CPU than SQLite's execution of these statements, and the group committer runs them one after another for every
 * event of a batch. Parameters are positional ({@code ?}); the statement comes from the handle's {@link
 * StatementCache} when it has one. Errors are thrown as jdbi's, so callers see one kind of database exception.
 *
 * <p>In a group-commit transaction on PostgreSQL, writes made with {@link #later} are held and sent together
 * ({@link WriteBehind}); every other statement here first sends them, except a read naming {@link Key}s that no held
 * write touches.
 */
public final class Sql {
    /** Reads one row of a result set. */
    @FunctionalInterface
    public interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /**
     * A null of a known SQL type. PostgreSQL's driver prepares a statement for the types of its parameters, so a
     * parameter that is sometimes a string and sometimes an untyped null would be prepared again and again; and an
     * untyped null says nothing about the column. Nullable parameters are therefore passed through {@link #text},
     * {@link #bigint} or {@link #integer}, and a bare {@code null} is refused.
     */
    public record TypedNull(int sqlType) {}

    /**
     * A row a held write touches or a read looks up, named by its table and key values: {@code Sql.key("purchase",
     * appId, token)}. A read naming a key some held write touches sends the held writes first.
     */
    public record Key(String value) {}

    public static Key key(String table, String... values) {
        return new Key(table + '\u0000' + String.join("\u0000", values));
    }

    private static final TypedNull NULL_TEXT = new TypedNull(Types.VARCHAR);
    private static final TypedNull NULL_BIGINT = new TypedNull(Types.BIGINT);
    private static final TypedNull NULL_INTEGER = new TypedNull(Types.INTEGER);

    private Sql() {}

    /** A nullable text parameter. */
    public static Object text(String value) {
        return value == null ? NULL_TEXT : value;
    }

    /** A nullable BIGINT parameter. */
    public static Object bigint(Long value) {
        return value == null ? NULL_BIGINT : value;
    }

    /** A nullable INTEGER parameter. */
    public static Object integer(Integer value) {
        return value == null ? NULL_INTEGER : value;
    }

    /** Runs an INSERT, UPDATE or DELETE and returns the number of rows it changed. */
    public static int update(Handle h, String sql, Object... args) {
        sendHeld(h, true);
        PreparedStatement statement = prepare(h, sql);
        try {
            bind(statement, args);
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw failed(e, sql);
        } finally {
            release(h, statement);
        }
    }

    /** Runs one statement for each row of parameters as one JDBC batch (one round trip on PostgreSQL). */
    public static void batch(Handle h, String sql, List<Object[]> rows) {
        if (rows.isEmpty()) {
            return;
        }
        sendHeld(h, true);
        batchNow(h.getConnection(), cacheOf(h), sql, rows);
    }

    /**
     * {@link #batch} without sending held writes first: for {@link WriteBehind}, which is sending them. {@code cache}
     * may be null (the statement is then prepared and closed here).
     */
    static void batchNow(Connection connection, StatementCache cache, String sql, List<Object[]> rows) {
        PreparedStatement statement = prepare(connection, cache, sql);
        try {
            for (Object[] row : rows) {
                bind(statement, row);
                statement.addBatch();
            }
            statement.executeBatch();
        } catch (SQLException e) {
            throw failed(e, sql);
        } finally {
            release(cache, statement);
        }
    }

    /**
     * A write whose result the caller does not need: held until the transaction needs it where the handle holds
     * writes ({@link WriteBehind}), else run at once. {@code touched} names the rows it writes that a keyed read may
     * look up in the same transaction.
     */
    public static void later(Handle h, WriteOrder order, List<Key> touched, String sql, Object... args) {
        WriteBehind writes = writeBehind(h);
        if (writes == null) {
            update(h, sql, args);
        } else {
            writes.hold(order, sql, args, touched);
        }
    }

    /** Each row of {@code rows} as {@link #later}. */
    public static void later(Handle h, WriteOrder order, List<Key> touched, String sql, List<Object[]> rows) {
        WriteBehind writes = writeBehind(h);
        if (writes == null) {
            batch(h, sql, rows);
        } else {
            rows.forEach(row -> writes.hold(order, sql, row, touched));
        }
    }

    /**
     * A value this transaction wrote itself and noted with {@link #own(Handle, Object, Object)}, or null: null also
     * where the handle holds no writes, or after a statement Substate cannot see into (it may have changed it).
     */
    public static Object own(Handle h, Object name) {
        WriteBehind writes = writeBehind(h);
        return writes == null ? null : writes.own().get(name);
    }

    /**
     * Notes a value the transaction wrote or read and holds locked (no other transaction can change it before this
     * one commits), for {@link #own(Handle, Object)}; a null {@code value} forgets it.
     */
    public static void own(Handle h, Object name, Object value) {
        WriteBehind writes = writeBehind(h);
        if (writes == null) {
            return;
        }
        if (value == null) {
            writes.own().remove(name);
        } else {
            writes.own().put(name, value);
        }
    }

    /** Work deferred to just before the commit ({@link #atCommit}), given every value it was deferred with. */
    @FunctionalInterface
    public interface AtCommit<T> {
        void run(Handle h, java.util.Set<T> values);
    }

    /**
     * Where the handle holds writes, runs {@code action} once just before the transaction commits, with every value
     * the batch's units deferred it with: work that reads what they wrote (and so would send their held writes
     * mid-batch) is then done once, after them all. Elsewhere runs it at once with this value.
     */
    public static <T> void atCommit(Handle h, AtCommit<T> action, T value) {
        WriteBehind writes = writeBehind(h);
        if (writes == null) {
            action.run(h, java.util.Set.of(value));
        } else {
            writes.defer(action, value);
        }
    }

    /** GroupCommit's last step before a commit: the deferred work ({@link #atCommit}), then the held writes. */
    static void beforeCommit(Handle h) {
        WriteBehind writes = writeBehind(h);
        if (writes != null) {
            writes.runDeferred(h);
        }
        sendHeld(h, false);
    }

    /** What {@link #readAhead(Handle, Key)} holds for a row that was looked up ahead and is not there. */
    public static final Object ABSENT = new Object() {
        @Override
        public String toString() {
            return "ABSENT";
        }
    };

    /**
     * The row a batch looked up ahead for this key ({@link ReadAhead}), or {@link #ABSENT} if it looked and found
     * none; null if it did not look, or if since then a held write touched the key or a statement Substate cannot see
     * into ran (then the caller reads it as usual). Null wherever the handle holds no writes.
     */
    public static Object readAhead(Handle h, Key key) {
        return own(h, key);
    }

    /**
     * The row of {@code type} a batch read ahead for {@code key}, or its absence ({@link #readAhead(Handle, Key)});
     * what {@code read} finds where it was not read ahead or has since been written (and wherever the handle holds no
     * writes).
     */
    public static <T> Optional<T> readAheadOr(Handle h, Key key, Class<T> type, Supplier<Optional<T>> read) {
        Object ahead = readAhead(h, key);
        if (ahead == ABSENT) {
            return Optional.empty();
        }
        return type.isInstance(ahead) ? Optional.of(type.cast(ahead)) : read.get();
    }

    /** Notes a row read ahead for the batch (or {@link #ABSENT}), for {@link #readAhead(Handle, Key)}. */
    public static void readAhead(Handle h, Key key, Object rowOrAbsent) {
        own(h, key, rowOrAbsent);
    }

    /** The first row, if any. */
    public static <T> Optional<T> first(Handle h, String sql, Row<T> row, Object... args) {
        sendHeld(h, false);
        List<T> rows = query(h, sql, row, 1, args);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /** The first row, if any, of a read that looks up only the rows named by {@code key}. */
    public static <T> Optional<T> first(Handle h, Key key, String sql, Row<T> row, Object... args) {
        sendHeldTouching(h, key);
        List<T> rows = query(h, sql, row, 1, args);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    public static <T> List<T> list(Handle h, String sql, Row<T> row, Object... args) {
        sendHeld(h, false);
        return query(h, sql, row, Integer.MAX_VALUE, args);
    }

    /** Every row of a read that looks up only the rows named by {@code key}. */
    public static <T> List<T> list(Handle h, Key key, String sql, Row<T> row, Object... args) {
        sendHeldTouching(h, key);
        return query(h, sql, row, Integer.MAX_VALUE, args);
    }

    private static WriteBehind writeBehind(Handle h) {
        StatementCache cache = cacheOf(h);
        return cache == null ? null : cache.writeBehind();
    }

    /** Before a statement that may read or change anything: every held write goes first. */
    private static void sendHeld(Handle h, boolean forgetOwn) {
        StatementCache cache = cacheOf(h);
        if (cache != null) {
            cache.sendHeld(h.getConnection(), forgetOwn);
        }
    }

    private static void sendHeldTouching(Handle h, Key key) {
        WriteBehind writes = writeBehind(h);
        if (writes != null && writes.touches(key)) {
            sendHeld(h, false);
        }
    }

    private static <T> List<T> query(Handle h, String sql, Row<T> row, int max, Object... args) {
        PreparedStatement statement = prepare(h, sql);
        try {
            bind(statement, args);
            List<T> rows = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rows.size() < max && rs.next()) {
                    rows.add(row.read(rs));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw failed(e, sql);
        } finally {
            release(h, statement);
        }
    }

    /** A nullable BIGINT column. */
    public static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    private static StatementCache cacheOf(Handle h) {
        return h.getStatementBuilder() instanceof StatementCache cache ? cache : null;
    }

    private static PreparedStatement prepare(Handle h, String sql) {
        return prepare(h.getConnection(), cacheOf(h), sql);
    }

    private static PreparedStatement prepare(Connection connection, StatementCache cache, String sql) {
        try {
            return cache != null ? cache.borrow(connection, sql) : connection.prepareStatement(sql);
        } catch (SQLException e) {
            throw failed(e, sql);
        }
    }

    private static void release(Handle h, PreparedStatement statement) {
        release(cacheOf(h), statement);
    }

    private static void release(StatementCache cache, PreparedStatement statement) {
        try {
            if (cache != null) {
                cache.giveBack(statement);
            } else {
                statement.close();
            }
        } catch (SQLException e) {
            // A statement that cannot be reset or closed is dropped; the connection's close releases it.
        }
    }

    private static void bind(PreparedStatement statement, Object[] args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object arg = args[i];
            int index = i + 1;
            if (arg == null) {
                throw new IllegalArgumentException("parameter " + index + " is a bare null: pass it through "
                        + "Sql.text, Sql.bigint or Sql.integer");
            } else if (arg instanceof TypedNull typed) {
                statement.setNull(index, typed.sqlType());
            } else if (arg instanceof String s) {
                statement.setString(index, s);
            } else if (arg instanceof Long l) {
                statement.setLong(index, l);
            } else if (arg instanceof Integer n) {
                statement.setInt(index, n);
            } else if (arg instanceof Boolean b) {
                statement.setBoolean(index, b);
            } else if (arg instanceof Double d) {
                statement.setDouble(index, d);
            } else if (arg instanceof String[] values) {
                // PostgreSQL's text[], for "= ANY (?)": one statement text whatever the number of values.
                statement.setArray(index, statement.getConnection().createArrayOf("text", values));
            } else {
                throw new IllegalArgumentException("Sql cannot bind a " + arg.getClass().getName());
            }
        }
    }

    private static UnableToExecuteStatementException failed(SQLException e, String sql) {
        return new UnableToExecuteStatementException("Statement failed: " + sql, e, null);
    }
}
