package io.substate.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Collection;
import java.util.Collections;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Plain JDBC on a jdbi handle's connection: the one way every {@code …Store} runs SQL (ARCHITECTURE.md, "Data
 * access"). It began with the dozen statements every Stripe webhook runs: jdbi's per-statement
 * machinery (a statement context, a copy of its configuration, binding by type lookup, a result pipeline) cost more
 * CPU than SQLite's execution of these statements, and the group committer runs them one after another for every
 * event of a batch. Parameters are positional ({@code ?}); the statement comes from the handle's {@link
 * CommitterSession} when it has one. Errors are thrown as jdbi's, so callers see one kind of database exception.
 *
 * <p>Every statement here runs now. In a group-commit transaction on PostgreSQL, writes made with
 * {@link WriteBehind#later} are held: every statement here first sends them, except a read naming
 * {@link WriteBehind.Key}s that no held write touches.
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

    /**
     * The placeholders of an {@code IN (…)} list of {@code count} values: {@code "?, ?, ?"}. The values go into the
     * arguments with {@link #params}. An empty list is the caller's to avoid: {@code IN ()} is no SQL.
     */
    public static String marks(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("an IN list needs at least one value");
        }
        return String.join(", ", Collections.nCopies(count, "?"));
    }

    /** Statement arguments in order, each collection among them spread out in place (an {@code IN} list's values). */
    public static Object[] params(Object... values) {
        List<Object> flat = new ArrayList<>();
        for (Object value : values) {
            if (value instanceof Collection<?> many) {
                flat.addAll(many);
            } else {
                flat.add(value);
            }
        }
        return flat.toArray();
    }

    /** Runs an INSERT, UPDATE or DELETE and returns the number of rows it changed. */
    public static int update(Handle h, String sql, Object... args) {
        WriteBehind.send(h, true);
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

    /**
     * Runs one statement for each row of parameters as one JDBC batch (one round trip on PostgreSQL) and returns the
     * number of rows each changed (for an UPDATE; a rewritten INSERT batch on PostgreSQL may report no counts).
     */
    public static int[] batch(Handle h, String sql, List<Object[]> rows) {
        if (rows.isEmpty()) {
            return new int[0];
        }
        WriteBehind.send(h, true);
        return batchNow(h.getConnection(), cacheOf(h), sql, rows);
    }

    /** The rows a {@link #batch} changed, as far as the driver reports them (a rewritten insert's are not counted). */
    public static int changed(int[] counts) {
        int changed = 0;
        for (int count : counts) {
            changed += Math.max(count, 0); // SUCCESS_NO_INFO is negative
        }
        return changed;
    }

    /**
     * {@link #batch} without sending held writes first: for {@link WriteBehind}, which is sending them. {@code cache}
     * may be null (the statement is then prepared and closed here).
     */
    static int[] batchNow(Connection connection, CommitterSession cache, String sql, List<Object[]> rows) {
        PreparedStatement statement = prepare(connection, cache, sql);
        try {
            for (Object[] row : rows) {
                bind(statement, row);
                statement.addBatch();
            }
            return statement.executeBatch();
        } catch (SQLException e) {
            throw failed(e, sql);
        } finally {
            release(cache, statement);
        }
    }

    /** The first row, if any. */
    public static <T> Optional<T> first(Handle h, String sql, Row<T> row, Object... args) {
        WriteBehind.send(h, false);
        List<T> rows = query(h, sql, row, 1, args);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /** The first row, if any, of a read that looks up only the rows named by {@code key}. */
    public static <T> Optional<T> first(Handle h, WriteBehind.Key key, String sql, Row<T> row, Object... args) {
        WriteBehind.sendIfTouching(h, key);
        List<T> rows = query(h, sql, row, 1, args);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    public static <T> List<T> list(Handle h, String sql, Row<T> row, Object... args) {
        WriteBehind.send(h, false);
        return query(h, sql, row, Integer.MAX_VALUE, args);
    }

    /** Every row of a read that looks up only the rows named by {@code key}. */
    public static <T> List<T> list(Handle h, WriteBehind.Key key, String sql, Row<T> row, Object... args) {
        WriteBehind.sendIfTouching(h, key);
        return query(h, sql, row, Integer.MAX_VALUE, args);
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

    private static CommitterSession cacheOf(Handle h) {
        return h.getStatementBuilder() instanceof CommitterSession cache ? cache : null;
    }

    private static PreparedStatement prepare(Handle h, String sql) {
        return prepare(h.getConnection(), cacheOf(h), sql);
    }

    private static PreparedStatement prepare(Connection connection, CommitterSession cache, String sql) {
        try {
            return cache != null ? cache.borrow(connection, sql) : connection.prepareStatement(sql);
        } catch (SQLException e) {
            throw failed(e, sql);
        }
    }

    private static void release(Handle h, PreparedStatement statement) {
        release(cacheOf(h), statement);
    }

    private static void release(CommitterSession cache, PreparedStatement statement) {
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
