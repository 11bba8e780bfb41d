package io.substate.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.common.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Rows of {@code webhook_integrations} (every kind); {@code event_types} is stored as a JSON array of names, a service's
 * {@code settings} as a JSON object of strings.
 */
final class IntegrationRepository {
    static final String COLUMNS = "id, project_id, name, url, authorization_header, environment, event_types, app_id, "
            + "signing_secret, previous_signing_secret, previous_secret_expires_at, created_at, kind, settings";
    private final Jdbi jdbi;

    IntegrationRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    void insert(WebhookIntegration i) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO webhook_integrations (" + COLUMNS + ") VALUES (:id, :project, "
                        + ":name, :url, :auth, :env, :types, :app, :secret, :previous, :previousExpires, :at, :kind, :settings)")
                .bindMap(bindings(i)).execute());
    }

    void update(WebhookIntegration i) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE webhook_integrations SET name = :name, url = :url, "
                        + "authorization_header = :auth, environment = :env, event_types = :types, app_id = :app, "
                        + "signing_secret = :secret, previous_signing_secret = :previous, "
                        + "previous_secret_expires_at = :previousExpires, settings = :settings WHERE id = :id")
                .bindMap(bindings(i)).execute());
    }

    /** Deletes the integration; its deliveries and their attempts go with it (ON DELETE CASCADE). */
    void delete(String id) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM webhook_integrations WHERE id = :id").bind("id", id).execute());
    }

    Optional<WebhookIntegration> find(String id) {
        return jdbi.withHandle(h -> find(h, id));
    }

    private static Optional<WebhookIntegration> find(Handle h, String id) {
        return h.createQuery("SELECT " + COLUMNS + " FROM webhook_integrations WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> map(rs)).findOne();
    }

    /** Up to {@code limit + 1} integrations of the kind in the project after {@code startingAfter}, oldest first. */
    List<WebhookIntegration> list(String projectId, IntegrationKind kind, String startingAfter, int limit) {
        return jdbi.withHandle(h -> {
            String after = startingAfter == null ? "" : " AND (created_at, id) > "
                    + "(SELECT created_at, id FROM webhook_integrations WHERE id = :after)";
            var query = h.createQuery("SELECT " + COLUMNS + " FROM webhook_integrations WHERE project_id = :project"
                    + " AND kind = :kind" + after + " ORDER BY created_at, id LIMIT :n").bind("project", projectId)
                    .bind("kind", kind.value()).bind("n", limit + 1);
            if (startingAfter != null) {
                query.bind("after", startingAfter);
            }
            return query.map((rs, ctx) -> map(rs)).list();
        });
    }

    private static java.util.Map<String, Object> bindings(WebhookIntegration i) {
        java.util.Map<String, Object> map = new java.util.HashMap<>();
        map.put("id", i.id());
        map.put("project", i.projectId());
        map.put("name", i.name());
        map.put("url", i.url());
        map.put("auth", i.authorizationHeader());
        map.put("env", i.environment());
        map.put("types", i.eventTypes() == null ? null : Json.write(i.eventTypes()));
        map.put("app", i.appId());
        map.put("secret", i.signingSecret());
        map.put("previous", i.previousSigningSecret());
        map.put("previousExpires", i.previousSecretExpiresAt());
        map.put("at", i.createdAt());
        map.put("kind", i.kind().value());
        map.put("settings", i.kind() == IntegrationKind.WEBHOOK ? null : Json.write(i.settings()));
        return map;
    }

    /** A row of {@link #COLUMNS}. */
    static WebhookIntegration map(ResultSet rs) throws SQLException {
        long previousExpires = rs.getLong("previous_secret_expires_at");
        Long previousExpiresAt = rs.wasNull() ? null : previousExpires;
        return new WebhookIntegration(rs.getString("id"), rs.getString("project_id"), rs.getString("name"),
                rs.getString("url"), rs.getString("authorization_header"), rs.getString("environment"),
                eventTypes(rs.getString("event_types")), rs.getString("app_id"), rs.getString("signing_secret"),
                rs.getString("previous_signing_secret"), previousExpiresAt, rs.getLong("created_at"),
                IntegrationKind.of(rs.getString("kind")), settings(rs.getString("settings")));
    }

    private static Map<String, String> settings(String json) {
        Map<String, String> settings = new LinkedHashMap<>();
        if (json != null) {
            Json.read(json).fields().forEachRemaining(e -> settings.put(e.getKey(), e.getValue().asText()));
        }
        return settings;
    }

    private static List<String> eventTypes(String json) {
        if (json == null) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (JsonNode name : Json.read(json)) {
            names.add(name.asText());
        }
        return List.copyOf(names);
    }
}
