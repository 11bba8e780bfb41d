package io.substate.storage;

import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Server-wide values kept in the database (for example the admin token's hash). */
public final class ServerSettingsRepository {
    private final Jdbi jdbi;

    public ServerSettingsRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public Optional<String> find(String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT value FROM server_settings WHERE name = :name")
                .bind("name", name).mapTo(String.class).findOne());
    }

    /** Stores the value unless one exists; returns the value that is stored afterwards (first writer wins). */
    public String putIfAbsent(String name, String value) {
        return jdbi.inTransaction(h -> {
            h.createUpdate("INSERT INTO server_settings (name, value) VALUES (:name, :value) ON CONFLICT (name) DO NOTHING")
                    .bind("name", name).bind("value", value).execute();
            return h.createQuery("SELECT value FROM server_settings WHERE name = :name")
                    .bind("name", name).mapTo(String.class).one();
        });
    }

    public void put(String name, String value) {
        jdbi.useHandle(h -> h.createUpdate("""
                INSERT INTO server_settings (name, value) VALUES (:name, :value)
                ON CONFLICT (name) DO UPDATE SET value = excluded.value""")
                .bind("name", name).bind("value", value).execute());
    }
}
