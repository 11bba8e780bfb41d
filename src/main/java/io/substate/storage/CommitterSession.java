package io.substate.storage;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.DefaultStatementBuilder;
import org.jdbi.v3.core.statement.StatementBuilder;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * What a group committer's handle keeps between statements: its prepared statements, for the life of the handle, and
 * for the transaction under way the values read once per batch ({@link TransactionMemo}) and the held writes
 * ({@link WriteBehind}, PostgreSQL only). Installed as the handle's jdbi statement builder, so that every statement,
 * jdbi's or {@link Sql}'s, passes here: a statement Substate cannot see into first sends the held writes.
 *
 * <p>Prepared statements are reused by SQL text. A group-commit
 * batch runs the same dozen statements for every unit in it, and sqlite-jdbc has no statement cache of its own, so
 * without this each of them is parsed and planned afresh per unit. A statement jdbi is done with goes back to the
 * idle list (parameters and batch cleared); one in use is never handed out twice, so nested use of the same SQL gets
 * a second statement. Everything is closed with the handle: the pool closes a connection's statements on return
 * anyway, and a handle whose transaction failed is closed, not reused (GroupCommit).
 */
final class CommitterSession implements StatementBuilder {
    private final DefaultStatementBuilder plain = new DefaultStatementBuilder();
    private final Map<String, ArrayDeque<PreparedStatement>> idle = new HashMap<>();
    /** Every statement made here, with the SQL it was prepared from (jdbi's close passes the unparsed SQL instead). */
    private final Map<PreparedStatement, String> all = new IdentityHashMap<>();
    private final Set<PreparedStatement> inUse = Collections.newSetFromMap(new IdentityHashMap<>());
    /** {@link TransactionMemo}'s values: they belong to the same handle, and die with it. */
    private final Map<Object, Object> memo = new HashMap<>();
    /** The transaction's held writes, or null where writes run at once. */
    private final WriteBehind writeBehind;

    private CommitterSession(boolean holdWrites) {
        this.writeBehind = holdWrites ? new WriteBehind() : null;
    }

    /** Makes {@code handle} reuse its prepared statements until it closes (and hold no writes); returns it. */
    static Handle install(Handle handle) {
        return install(handle, false);
    }

    /** As {@link #install(Handle)}, and with {@code holdWrites} the handle holds {@link WriteBehind#later} writes. */
    static Handle install(Handle handle, boolean holdWrites) {
        CommitterSession session = new CommitterSession(holdWrites);
        handle.setStatementBuilder(session);
        // jdbi tells only the builder a handle was created with that the handle closes, so this one is told here.
        Connection connection = handle.getConnection();
        handle.addCleanable(() -> session.close(connection));
        return handle;
    }

    /** Starts a new transaction on a handle that is kept: what the last one remembered may have changed since. */
    static void forgetMemo(Handle handle) {
        if (handle.getStatementBuilder() instanceof CommitterSession cache) {
            cache.memo.clear();
            if (cache.writeBehind != null) {
                cache.writeBehind.clear();
            }
        }
    }

    Map<Object, Object> memo() {
        return memo;
    }

    WriteBehind writeBehind() {
        return writeBehind;
    }

    /** Sends the held writes, if any; with {@code forgetOwn} the next statement may change what they noted. */
    void sendHeld(Connection connection, boolean forgetOwn) {
        if (writeBehind != null) {
            writeBehind.send(connection, this);
            if (forgetOwn) {
                writeBehind.forgetOwn();
            }
        }
    }

    @Override
    public Statement create(Connection conn, StatementContext ctx) throws SQLException {
        sendHeld(conn, true);
        return plain.create(conn, ctx);
    }

    @Override
    public PreparedStatement create(Connection conn, String sql, StatementContext ctx) throws SQLException {
        // A jdbi statement may read or write anything: the held writes go first.
        sendHeld(conn, true);
        if (ctx.isReturningGeneratedKeys() || ctx.isConcurrentUpdatable()) {
            return plain.create(conn, sql, ctx); // prepared differently: not shared with the plain form
        }
        return take(sql, () -> plain.create(conn, sql, ctx));
    }

    /** A statement of {@code sql} for {@link Sql}, reused like jdbi's; hand it back with {@link #giveBack}. */
    PreparedStatement borrow(Connection conn, String sql) throws SQLException {
        return take(sql, () -> conn.prepareStatement(sql));
    }

    @FunctionalInterface
    private interface Prepare {
        PreparedStatement prepare() throws SQLException;
    }

    /** An idle statement of {@code sql}, or a new one, marked in use. */
    private PreparedStatement take(String sql, Prepare prepare) throws SQLException {
        ArrayDeque<PreparedStatement> free = idle.get(sql);
        PreparedStatement statement = free == null ? null : free.pollFirst();
        if (statement == null) {
            statement = prepare.prepare();
            all.put(statement, sql);
        }
        inUse.add(statement);
        return statement;
    }

    void giveBack(PreparedStatement statement) throws SQLException {
        close(null, null, statement);
    }

    @Override
    public CallableStatement createCall(Connection conn, String sql, StatementContext ctx) throws SQLException {
        sendHeld(conn, true);
        return plain.createCall(conn, sql, ctx);
    }

    @Override
    public void close(Connection conn, String sql, Statement statement) throws SQLException {
        String key = statement instanceof PreparedStatement ? all.get(statement) : null;
        if (key == null) {
            plain.close(conn, sql, statement);
            return;
        }
        PreparedStatement prepared = (PreparedStatement) statement;
        if (!inUse.remove(prepared)) {
            return; // closed twice: it is already idle
        }
        try {
            prepared.clearParameters();
            prepared.clearBatch();
        } catch (SQLException e) {
            // A statement that cannot be reset is not reused.
            all.remove(prepared);
            prepared.close();
            return;
        }
        idle.computeIfAbsent(key, s -> new ArrayDeque<>()).addFirst(prepared);
    }

    @Override
    public void close(Connection conn) {
        for (PreparedStatement statement : all.keySet()) {
            try {
                statement.close();
            } catch (SQLException e) {
                // Closing with the handle; the connection's own close releases whatever this could not.
            }
        }
        all.clear();
        inUse.clear();
        idle.clear();
        memo.clear();
        if (writeBehind != null) {
            writeBehind.clear();
        }
    }
}
