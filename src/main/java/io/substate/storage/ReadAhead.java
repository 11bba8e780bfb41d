package io.substate.storage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import org.jdbi.v3.core.Handle;

/**
 * A kind of row that group-commit units look up, read for a whole batch at once. A unit declares its lookups when it
 * is submitted ({@link GroupCommit#execute(String, List, GroupCommit.Work)}); where the committer holds writes
 * (PostgreSQL, {@link WriteBehind}) it reads each kind with one statement per scope for all the batch's units before
 * running them, so a batch of twenty events costs one round trip per kind instead of twenty. The unit's own lookup
 * then finds the row, or its absence, with {@link WriteBehind#readAhead(Handle, WriteBehind.Key)}, and reads it as usual where it was
 * not read ahead or has since been written.
 *
 * <p>A row read ahead is as good as one read at the unit's start: the batch's held writes are not in the database
 * yet either, a held write that touches the row's key drops it, and any statement Substate cannot see into drops
 * them all. Where the statement locks ({@code FOR UPDATE}) it sorts, so that instances lock rows in the same order.
 *
 * <p>Every kind is a lookup by a scope (an app, a project) and a value unique within it (an event id, a purchase
 * token, an App User ID). Its statement takes the scope and a PostgreSQL {@code text[]} of values, and returns the
 * value in its first column.
 */
public final class ReadAhead {
    /** One unit's lookup of one row. */
    public record Lookup(ReadAhead kind, String scope, String value) {}

    private final String sql;
    private final Sql.Row<?> row;
    private final BiFunction<String, String, WriteBehind.Key> key;

    /**
     * @param sql the statement: {@code ? = scope} and {@code = ANY (?)} of the values, the value first in each row
     * @param row reads a row (by column name) into what the unit's own lookup returns
     * @param key the key the unit's lookup and held writes name the row by, from the scope and the value
     */
    public ReadAhead(String sql, Sql.Row<?> row, BiFunction<String, String, WriteBehind.Key> key) {
        this.sql = sql;
        this.row = row;
        this.key = key;
    }

    public Lookup lookup(String scope, String value) {
        return new Lookup(this, scope, value);
    }

    /** Reads the rows of {@code lookups} (all of this kind) and notes each, or {@link WriteBehind#ABSENT}. */
    void readAll(Handle h, List<Lookup> lookups) {
        Map<String, Set<String>> valuesByScope = new LinkedHashMap<>();
        for (Lookup lookup : lookups) {
            valuesByScope.computeIfAbsent(lookup.scope(), scope -> new LinkedHashSet<>()).add(lookup.value());
        }
        valuesByScope.forEach((scope, values) -> {
            record Found(String value, Object row) {}
            List<Found> found = Sql.list(h, sql, rs -> new Found(rs.getString(1), row.read(rs)), scope,
                    values.toArray(String[]::new));
            Set<String> missing = new LinkedHashSet<>(values);
            for (Found f : found) {
                WriteBehind.readAhead(h, key.apply(scope, f.value()), f.row());
                missing.remove(f.value());
            }
            missing.forEach(value -> WriteBehind.readAhead(h, key.apply(scope, value), WriteBehind.ABSENT));
        });
    }

    /** Groups a batch's lookups by kind, kinds in the order first declared. */
    static Map<ReadAhead, List<Lookup>> byKind(List<List<Lookup>> lookupsOfUnits) {
        Map<ReadAhead, List<Lookup>> byKind = new LinkedHashMap<>();
        for (List<Lookup> lookups : lookupsOfUnits) {
            for (Lookup lookup : lookups) {
                byKind.computeIfAbsent(lookup.kind(), kind -> new ArrayList<>()).add(lookup);
            }
        }
        return byKind;
    }
}
