package io.substate.projects;

import io.substate.http.Access;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** The {@code api_keys} table: keys by project, and by the SHA-256 of the key for authentication. */
final class ApiKeyRepository {
    private static final String COLUMNS = "id, project_id, name, permissions, hint, created_at, last_used_at";
    private final Jdbi jdbi;

    ApiKeyRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    void insert(ApiKey key, String sha256Hex) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO api_keys (" + COLUMNS + ", key_sha256) "
                        + "VALUES (:id, :project, :name, :permissions, :hint, :at, NULL, :sha)")
                .bind("id", key.id()).bind("project", key.projectId()).bind("name", key.name())
                .bind("permissions", key.permissions().value()).bind("hint", key.hint())
                .bind("at", key.createdAt()).bind("sha", sha256Hex).execute());
    }

    Optional<ApiKey> find(String projectId, String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM api_keys WHERE id = :id AND project_id = :p")
                .bind("id", id).bind("p", projectId).map(ApiKeyRepository::map).findOne());
    }

    Optional<ApiKey> findBySha256(String sha256Hex) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM api_keys WHERE key_sha256 = :sha")
                .bind("sha", sha256Hex).map(ApiKeyRepository::map).findOne());
    }

    /** Up to {@code limit + 1} keys of the project after {@code startingAfter}, oldest first. */
    List<ApiKey> list(String projectId, String startingAfter, int limit) {
        return jdbi.withHandle(h -> {
            if (startingAfter == null) {
                return h.createQuery("SELECT " + COLUMNS + " FROM api_keys WHERE project_id = :p "
                                + "ORDER BY created_at, id LIMIT :n")
                        .bind("p", projectId).bind("n", limit + 1).map(ApiKeyRepository::map).list();
            }
            return h.createQuery("SELECT " + COLUMNS + " FROM api_keys WHERE project_id = :p AND (created_at, id) > "
                            + "(SELECT created_at, id FROM api_keys WHERE id = :after) ORDER BY created_at, id LIMIT :n")
                    .bind("p", projectId).bind("after", startingAfter).bind("n", limit + 1)
                    .map(ApiKeyRepository::map).list();
        });
    }

    /** Deletes the key; false when the project has no such key. */
    boolean delete(String projectId, String id) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM api_keys WHERE id = :id AND project_id = :p")
                .bind("id", id).bind("p", projectId).execute()) > 0;
    }

    void touch(String id, long at) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE api_keys SET last_used_at = :at WHERE id = :id")
                .bind("id", id).bind("at", at).execute());
    }

    private static ApiKey map(ResultSet rs, StatementContext ctx) throws SQLException {
        long lastUsed = rs.getLong("last_used_at");
        Long lastUsedAt = rs.wasNull() ? null : lastUsed;
        return new ApiKey(rs.getString("id"), rs.getString("project_id"), rs.getString("name"),
                Access.valueOf(rs.getString("permissions").toUpperCase(Locale.ROOT)), rs.getString("hint"),
                rs.getLong("created_at"), lastUsedAt);
    }
}
