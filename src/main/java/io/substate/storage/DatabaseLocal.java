package io.substate.storage;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.config.JdbiConfig;

/**
 * Objects that belong to one opened database, reachable from any of its handles, the pool's and the PostgreSQL
 * committers' alike ({@link Database#committerJdbi}): a feature attaches one when it starts and finds it again from
 * the handle of a transaction it takes part in. Static state would not do: a process (the tests) may open several
 * databases at once. Keyed by class, one object each.
 */
public final class DatabaseLocal implements JdbiConfig<DatabaseLocal> {
    /** Shared by every copy (each handle copies its Jdbi's configuration when it opens). */
    private Map<Class<?>, Object> values;

    public DatabaseLocal() {}

    private DatabaseLocal(DatabaseLocal other) {
        this.values = other.values;
    }

    /** Attaches {@code value} to the database of {@code jdbi} (replacing one of its class). */
    public static <T> void attach(Jdbi jdbi, Class<T> type, T value) {
        shared(jdbi).put(type, value);
    }

    /** Detaches {@code value}, if it is still the one attached for its class. */
    public static <T> void detach(Jdbi jdbi, Class<T> type, T value) {
        shared(jdbi).remove(type, value);
    }

    /** What is attached for {@code type} to the database of this handle; empty for a Jdbi that Database did not open. */
    public static <T> Optional<T> of(Handle h, Class<T> type) {
        Map<Class<?>, Object> values = h.getConfig(DatabaseLocal.class).values;
        return values == null ? Optional.empty() : Optional.ofNullable(values.get(type)).map(type::cast);
    }

    /** Gives this Jdbi its values now, before any handle copies its configuration. */
    static void installOn(Jdbi jdbi) {
        shared(jdbi);
    }

    /** Gives the second Jdbi of the same database the first one's values; before its first handle is opened. */
    static void share(Jdbi from, Jdbi to) {
        to.getConfig(DatabaseLocal.class).values = shared(from);
    }

    private static Map<Class<?>, Object> shared(Jdbi jdbi) {
        DatabaseLocal local = jdbi.getConfig(DatabaseLocal.class);
        synchronized (local) {
            if (local.values == null) {
                local.values = new ConcurrentHashMap<>();
            }
            return local.values;
        }
    }

    @Override
    public DatabaseLocal createCopy() {
        return new DatabaseLocal(this);
    }
}
