package io.substate.storage;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes of a group-commit transaction held back and sent together, one JDBC batch per statement, so a batch of
 * events costs one round trip per kind of row instead of one per row (on PostgreSQL each round trip is CPU on both
 * sides: BENCHMARKS.md). Only a handle made by {@link GroupCommit} for PostgreSQL has one; elsewhere
 * {@link Sql#later} runs at once.
 *
 * <p>What keeps it correct:
 * <ul>
 *   <li>Every held write is sent before the transaction commits ({@link GroupCommit}), and dropped when it rolls back.
 *   <li>Any other statement — an immediate write, a jdbi statement, a read that names no key — first sends every held
 *       write, in order, so it sees and follows them as if they had run at once.
 *   <li>A read that names its keys (the row it looks up, {@link Sql#first(org.jdbi.v3.core.Handle, Sql.Key, String, Sql.Row, Object...)})
 *       sends the held writes only if one of them touches such a key: the hot path's lookups (this event, this
 *       purchase, this customer) pass by the writes of the batch's other purchases.
 *   <li>Held writes are sent in {@link WriteOrder} (parents before the rows that point at them), in the order made
 *       within one order. A later write of a lower order about the same row would be reordered: the orders follow
 *       each row's life (inserted, then updated) so that none is made.
 * </ul>
 * A held write that fails fails at the commit, which fails the batch; GroupCommit then runs each unit alone, as for
 * any failing unit. Not thread-safe: one committer thread owns it.
 */
public final class WriteBehind {
    private record Held(WriteOrder order, String sql, Object[] args) {}

    private final List<Held> held = new ArrayList<>();
    private final Set<Sql.Key> keys = new HashSet<>();
    /** Values the transaction itself wrote and may use instead of reading them back: see {@link Sql#own}. */
    private final Map<Object, Object> own = new HashMap<>();
    /** Work deferred to the commit ({@link Sql#atCommit}), with the values each was deferred with. */
    private final Map<Sql.AtCommit<?>, Set<Object>> deferred = new LinkedHashMap<>();

    void hold(WriteOrder order, String sql, Object[] args, List<Sql.Key> touched) {
        held.add(new Held(order, sql, args));
        keys.addAll(touched);
        touched.forEach(own::remove); // a row read ahead is stale once the transaction writes it
    }

    void defer(Sql.AtCommit<?> action, Object value) {
        deferred.computeIfAbsent(action, a -> new LinkedHashSet<>()).add(value);
    }

    /** Runs the deferred work, each action once with all its values (and what that work defers in turn). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    void runDeferred(org.jdbi.v3.core.Handle h) {
        while (!deferred.isEmpty()) {
            Map<Sql.AtCommit<?>, Set<Object>> now = new LinkedHashMap<>(deferred);
            deferred.clear();
            now.forEach((action, values) -> ((Sql.AtCommit) action).run(h, values));
        }
    }

    boolean touches(Sql.Key key) {
        return keys.contains(key);
    }

    Map<Object, Object> own() {
        return own;
    }

    /** Sends every held write, grouped into one batch per run of the same statement. */
    void send(Connection connection, StatementCache cache) {
        if (held.isEmpty()) {
            return;
        }
        List<Held> writes = new ArrayList<>(held);
        held.clear();
        keys.clear();
        writes.sort(Comparator.comparing(Held::order)); // stable: the order made within one WriteOrder stays
        int start = 0;
        while (start < writes.size()) {
            String sql = writes.get(start).sql();
            int end = start + 1;
            while (end < writes.size() && writes.get(end).sql().equals(sql)) {
                end++;
            }
            Sql.batchNow(connection, cache, sql, writes.subList(start, end).stream().map(Held::args).toList());
            start = end;
        }
    }

    /** The transaction ended (rolled back, or a new one starts on a kept handle): nothing held belongs to the next. */
    void clear() {
        deferred.clear();
        held.clear();
        keys.clear();
        own.clear();
    }

    /** Values of {@link #own} may be changed by a statement this class cannot see into. */
    void forgetOwn() {
        own.clear();
    }
}
