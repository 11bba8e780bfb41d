package io.substate.projects;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

final class ProjectRepository {
    private static final String COLUMNS = "id, name, secret_api_key, transfer_behavior, created_at";
    private final Jdbi jdbi;

    ProjectRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    void insert(Project p) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO projects (" + COLUMNS + ") VALUES (:id, :name, :key, :tb, :at)")
                .bind("id", p.id()).bind("name", p.name()).bind("key", p.secretApiKey())
                .bind("tb", p.transferBehavior().value()).bind("at", p.createdAt()).execute());
    }

    Optional<Project> find(String id) {
        return jdbi.withHandle(h -> find(h, id));
    }

    static Optional<Project> find(Handle h, String id) {
        return h.createQuery("SELECT " + COLUMNS + " FROM projects WHERE id = :id").bind("id", id)
                .map(ProjectRepository::map).findOne();
    }

    Optional<Project> findBySecretKey(String key) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM projects WHERE secret_api_key = :key")
                .bind("key", key).map(ProjectRepository::map).findOne());
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
        return new Project(rs.getString("id"), rs.getString("name"), rs.getString("secret_api_key"),
                TransferBehavior.of(rs.getString("transfer_behavior")), rs.getLong("created_at"));
    }
}
