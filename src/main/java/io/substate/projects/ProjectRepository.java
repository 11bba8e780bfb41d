package io.substate.projects;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

final class ProjectRepository {
    private static final String COLUMNS = "id, name, secret_api_key_hint, transfer_behavior, created_at";
    /** How a hashed secret key is stored in {@code secret_api_key}; a value without it is a clear key of old. */
    static final String HASHED = "sha256:";
    private final Jdbi jdbi;

    ProjectRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    void insert(Project p, String keySha256Hex) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO projects (" + COLUMNS + ", secret_api_key) "
                        + "VALUES (:id, :name, :hint, :tb, :at, :key)")
                .bind("id", p.id()).bind("name", p.name()).bind("hint", p.secretApiKeyHint())
                .bind("key", HASHED + keySha256Hex).bind("tb", p.transferBehavior().value()).bind("at", p.createdAt())
                .execute());
    }

    /** Replaces the project's secret key (by its hash and hint); false when no such project exists. */
    boolean replaceSecretKey(String id, String keySha256Hex, String hint) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE projects SET secret_api_key = :key, "
                        + "secret_api_key_hint = :hint WHERE id = :id")
                .bind("id", id).bind("key", HASHED + keySha256Hex).bind("hint", hint).execute()) > 0;
    }

    /**
     * Hashes the secret keys still stored in clear (databases from before V21); answers how many. Idempotent: a
     * hashed key is left alone. Each row changes only if it still holds the clear key read, so a concurrent roll wins.
     */
    int hashClearKeys() {
        return jdbi.withHandle(h -> {
            List<String[]> clear = h.createQuery("SELECT id, secret_api_key FROM projects")
                    .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)}).list();
            int hashed = 0;
            for (String[] row : clear) {
                if (row[1].startsWith(HASHED)) {
                    continue;
                }
                hashed += h.createUpdate("UPDATE projects SET secret_api_key = :key, secret_api_key_hint = :hint "
                                + "WHERE id = :id AND secret_api_key = :clear")
                        .bind("id", row[0]).bind("clear", row[1]).bind("key", HASHED + ProjectService.sha256Hex(row[1]))
                        .bind("hint", ProjectService.hint(row[1])).execute();
            }
            return hashed;
        });
    }

    Optional<Project> find(String id) {
        return jdbi.withHandle(h -> find(h, id));
    }

    static Optional<Project> find(Handle h, String id) {
        return h.createQuery("SELECT " + COLUMNS + " FROM projects WHERE id = :id").bind("id", id)
                .map(ProjectRepository::map).findOne();
    }

    Optional<Project> findBySecretKeyHash(String keySha256Hex) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM projects WHERE secret_api_key = :key")
                .bind("key", HASHED + keySha256Hex).map(ProjectRepository::map).findOne());
    }

    /** Up to {@code limit + 1} projects after {@code startingAfter}, oldest first. */
    List<Project> list(String startingAfter, int limit) {
        return jdbi.withHandle(h -> {
            if (startingAfter == null) {
                return h.createQuery("SELECT " + COLUMNS + " FROM projects ORDER BY created_at, id LIMIT :n")
                        .bind("n", limit + 1).map(ProjectRepository::map).list();
            }
            return h.createQuery("SELECT " + COLUMNS + " FROM projects p WHERE (created_at, id) > "
                            + "(SELECT created_at, id FROM projects WHERE id = :after) ORDER BY created_at, id LIMIT :n")
                    .bind("after", startingAfter).bind("n", limit + 1).map(ProjectRepository::map).list();
        });
    }

    void update(Project p) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE projects SET name = :name, transfer_behavior = :tb WHERE id = :id")
                .bind("id", p.id()).bind("name", p.name()).bind("tb", p.transferBehavior().value()).execute());
    }

    private static Project map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Project(rs.getString("id"), rs.getString("name"), rs.getString("secret_api_key_hint"),
                TransferBehavior.of(rs.getString("transfer_behavior")), rs.getLong("created_at"));
    }
}
