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
import java.util.Optional;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;

/**
 * Writes of a group-commit transaction held back and sent together, one JDBC batch per statement, so a batch of
 * events costs one round trip per kind of row instead of one per row (on PostgreSQL each round trip is CPU on both
 * sides: BENCHMARKS.md). Only a handle made by {@link GroupCommit} for PostgreSQL has one; elsewhere
 * {@link #later} runs at once.
 *
 * <p>What keeps it correct:
 * <ul>
 *   <li>Every held write is sent before the transaction commits ({@link GroupCommit}), and dropped when it rolls back.
 *   <li>Any other statement — an immediate write, a jdbi statement, a read that names no key — first sends every held
 *       write, in order, so it sees and follows them as if they had run at once.
 *   <li>A read that names its keys (the row it looks up, {@link Sql#first(Handle, Key, String, Sql.Row, Object...)})
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
    /**
     * A row a held write touches or a read looks up, named by its table and key values: {@code WriteBehind.key("purchases",
     * appId, token)}. A read naming a key some held write touches sends the held writes first.
     */
    public record Key(String value) {}

    public static Key key(String table, String... values) {
        return new Key(table + '\u0000' + String.join("\u0000", values));
    }

    /**
     * A write whose result the caller does not need: held until the transaction needs it where the handle holds
     * writes, else run at once. {@code touched} names the rows it writes that a keyed read may
     * look up in the same transaction.
     */
    public static void later(Handle h, WriteOrder order, List<Key> touched, String sql, Object... args) {
        WriteBehind writes = of(h);
        if (writes == null) {
            Sql.update(h, sql, args);
        } else {
            writes.hold(order, sql, args, touched);
        }
    }

    /** Each row of {@code rows} as {@link #later}. */
    public static void later(Handle h, WriteOrder order, List<Key> touched, String sql, List<Object[]> rows) {
        WriteBehind writes = of(h);
        if (writes == null) {
            Sql.batch(h, sql, rows);
        } else {
            rows.forEach(row -> writes.hold(order, sql, row, touched));
        }
    }

    /**
     * A value this transaction wrote itself and noted with {@link #own(Handle, Object, Object)}, or null: null also
     * where the handle holds no writes, or after a statement Substate cannot see into (it may have changed it).
     */
    public static Object own(Handle h, Object name) {
        WriteBehind writes = of(h);
        return writes == null ? null : writes.own().get(name);
    }

    /**
     * Notes a value the transaction wrote or read and holds locked (no other transaction can change it before this
     * one commits), for {@link #own(Handle, Object)}; a null {@code value} forgets it.
     */
    public static void own(Handle h, Object name, Object value) {
        WriteBehind writes = of(h);
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
        void run(Handle h, Set<T> values);
    }

    /**
     * Where the handle holds writes, runs {@code action} once just before the transaction commits, with every value
     * the batch's units deferred it with: work that reads what they wrote (and so would send their held writes
     * mid-batch) is then done once, after them all. Elsewhere runs it at once with this value.
     */
    public static <T> void atCommit(Handle h, AtCommit<T> action, T value) {
        WriteBehind writes = of(h);
        if (writes == null) {
            action.run(h, Set.of(value));
        } else {
            writes.defer(action, value);
        }
    }

    /** GroupCommit's last step before a commit: the deferred work ({@link #atCommit}), then the held writes. */
    static void beforeCommit(Handle h) {
        WriteBehind writes = of(h);
        if (writes != null) {
            writes.runDeferred(h);
        }
        send(h, false);
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


    /** The handle's held writes, or null where its writes run at once. */
    private static WriteBehind of(Handle h) {
        return h.getStatementBuilder() instanceof CommitterSession session ? session.writeBehind() : null;
    }

    /** Before a statement that may read or change anything ({@link Sql}): every held write goes first. */
    static void send(Handle h, boolean forgetOwn) {
        if (h.getStatementBuilder() instanceof CommitterSession session) {
            session.sendHeld(h.getConnection(), forgetOwn);
        }
    }

    /** Before a read of the rows named by {@code key} ({@link Sql}): the held writes go first if one touches them. */
    static void sendIfTouching(Handle h, Key key) {
        WriteBehind writes = of(h);
        if (writes != null && writes.touches(key)) {
            send(h, false);
        }
    }

    private record Held(WriteOrder order, String sql, Object[] args) {}

    private final List<Held> held = new ArrayList<>();
    private final Set<Key> keys = new HashSet<>();
    /** Values the transaction itself wrote and may use instead of reading them back: see {@link #own(Handle, Object)}. */
    private final Map<Object, Object> own = new HashMap<>();
    /** Work deferred to the commit ({@link #atCommit}), with the values each was deferred with. */
    private final Map<AtCommit<?>, Set<Object>> deferred = new LinkedHashMap<>();

    void hold(WriteOrder order, String sql, Object[] args, List<Key> touched) {
        held.add(new Held(order, sql, args));
        keys.addAll(touched);
        touched.forEach(own::remove); // a row read ahead is stale once the transaction writes it
    }

    void defer(AtCommit<?> action, Object value) {
        deferred.computeIfAbsent(action, a -> new LinkedHashSet<>()).add(value);
    }

    /** Runs the deferred work, each action once with all its values (and what that work defers in turn). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    void runDeferred(Handle h) {
        while (!deferred.isEmpty()) {
            Map<AtCommit<?>, Set<Object>> now = new LinkedHashMap<>(deferred);
            deferred.clear();
            now.forEach((action, values) -> ((AtCommit) action).run(h, values));
        }
    }

    boolean touches(Key key) {
        return keys.contains(key);
    }

    Map<Object, Object> own() {
        return own;
    }

    /** Sends every held write, grouped into one batch per run of the same statement. */
    void send(Connection connection, CommitterSession cache) {
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
