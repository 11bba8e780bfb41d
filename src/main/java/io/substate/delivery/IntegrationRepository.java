package io.substate.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.common.Json;
import io.substate.storage.Dialect;
import io.substate.storage.SecretBox;
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
 * {@code settings} as a JSON object of strings. The secrets are sealed ({@link SecretBox}) on the way in and opened on
 * the way out: the authorization header, the signing secrets, a service's secret settings (inside the JSON, so the
 * rest of it stays readable), and the {@code url} of a Slack integration, which is its secret webhook URL.
 */
final class IntegrationRepository {
    static final String COLUMNS = "id, project_id, name, url, authorization_header, environment, event_types, app_id, "
            + "signing_secret, previous_signing_secret, previous_secret_expires_at, created_at, kind, settings";
    private final Jdbi jdbi;
    private final SecretBox box;

    IntegrationRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
        this.box = SecretBox.of(jdbi);
    }

    /**
     * Seals every secret stored in clear (before encryption) or with an old key (a rotation), and checks that every
     * other one opens; answers how many rows were written again. Each row is locked while it changes.
     */
    int resealSecrets(Dialect dialect) {
        List<String> ids = jdbi.withHandle(h -> h.createQuery("SELECT id FROM webhook_integrations")
                .mapTo(String.class).list());
        int written = 0;
        for (String id : ids) {
            written += jdbi.inTransaction(h -> {
                Optional<String[]> row = h.createQuery("SELECT kind, url, authorization_header, signing_secret, "
                                + "previous_signing_secret, settings FROM webhook_integrations WHERE id = :id"
                                + dialect.forUpdate()).bind("id", id)
                        .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3),
                                rs.getString(4), rs.getString(5), rs.getString(6)}).findOne();
                if (row.isEmpty()) {
                    return 0;
                }
                String[] stored = row.get();
                IntegrationKind kind = IntegrationKind.of(stored[0]);
                // Opening checks every value; writing back seals what needs it (a sealed value is never sealed twice).
                Map<String, String> settings = openSettings(kind, stored[5], box);
                String url = openUrl(kind, stored[1], box);
                boolean changed = (kind == IntegrationKind.SLACK && box.needsSealing(stored[1]))
                        || box.needsSealing(stored[2]) || box.needsSealing(stored[3]) || box.needsSealing(stored[4]);
                for (IntegrationKind.Setting setting : kind.settings()) {
                    changed |= setting.secret() && box.needsSealing(storedSetting(stored[5], setting.name()));
                }
                if (!changed) {
                    return 0;
                }
                h.createUpdate("UPDATE webhook_integrations SET url = :url, authorization_header = :auth, "
                                + "signing_secret = :secret, previous_signing_secret = :previous, settings = :settings "
                                + "WHERE id = :id").bind("id", id)
                        .bind("url", kind == IntegrationKind.SLACK ? box.seal(url) : url)
                        .bind("auth", box.reseal(stored[2])).bind("secret", box.reseal(stored[3]))
                        .bind("previous", box.reseal(stored[4]))
                        .bind("settings", kind == IntegrationKind.WEBHOOK ? stored[5] : sealSettings(kind, settings, box))
                        .execute();
                return 1;
            });
        }
        return written;
    }

    private static String storedSetting(String json, String name) {
        if (json == null) {
            return null;
        }
        JsonNode value = Json.read(json).get(name);
        return value == null || value.isNull() ? null : value.asText();
    }

    void insert(WebhookIntegration i) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO webhook_integrations (" + COLUMNS + ") VALUES (:id, :project, "
                        + ":name, :url, :auth, :env, :types, :app, :secret, :previous, :previousExpires, :at, :kind, :settings)")
                .bindMap(bindings(i, box)).execute());
    }

    void update(WebhookIntegration i) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE webhook_integrations SET name = :name, url = :url, "
                        + "authorization_header = :auth, environment = :env, event_types = :types, app_id = :app, "
                        + "signing_secret = :secret, previous_signing_secret = :previous, "
                        + "previous_secret_expires_at = :previousExpires, settings = :settings WHERE id = :id")
                .bindMap(bindings(i, box)).execute());
    }

    /** Deletes the integration; its deliveries and their attempts go with it (ON DELETE CASCADE). */
    void delete(String id) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM webhook_integrations WHERE id = :id").bind("id", id).execute());
    }

    Optional<WebhookIntegration> find(String id) {
        return jdbi.withHandle(h -> find(h, id));
    }

    private Optional<WebhookIntegration> find(Handle h, String id) {
        return h.createQuery("SELECT " + COLUMNS + " FROM webhook_integrations WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> map(rs, box)).findOne();
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
            return query.map((rs, ctx) -> map(rs, box)).list();
        });
    }

    private static java.util.Map<String, Object> bindings(WebhookIntegration i, SecretBox box) {
        java.util.Map<String, Object> map = new java.util.HashMap<>();
        map.put("id", i.id());
        map.put("project", i.projectId());
        map.put("name", i.name());
        map.put("url", i.kind() == IntegrationKind.SLACK ? box.seal(i.url()) : i.url());
        map.put("auth", box.seal(i.authorizationHeader()));
        map.put("env", i.environment());
        map.put("types", i.eventTypes() == null ? null : Json.write(i.eventTypes()));
        map.put("app", i.appId());
        map.put("secret", box.seal(i.signingSecret()));
        map.put("previous", box.seal(i.previousSigningSecret()));
        map.put("previousExpires", i.previousSecretExpiresAt());
        map.put("at", i.createdAt());
        map.put("kind", i.kind().value());
        map.put("settings", i.kind() == IntegrationKind.WEBHOOK ? null : sealSettings(i.kind(), i.settings(), box));
        return map;
    }

    /** The settings as stored: a JSON object with each secret setting's value sealed. */
    private static String sealSettings(IntegrationKind kind, Map<String, String> settings, SecretBox box) {
        Map<String, String> stored = new LinkedHashMap<>(settings);
        for (IntegrationKind.Setting setting : kind.settings()) {
            if (setting.secret()) {
                stored.computeIfPresent(setting.name(), (name, value) -> box.seal(value));
            }
        }
        return Json.write(stored);
    }

    /** The settings in clear: each secret setting's value opened (a value from before encryption is clear already). */
    private static Map<String, String> openSettings(IntegrationKind kind, String json, SecretBox box) {
        Map<String, String> settings = settings(json);
        for (IntegrationKind.Setting setting : kind.settings()) {
            if (setting.secret()) {
                settings.computeIfPresent(setting.name(), (name, value) -> box.open(value));
            }
        }
        return settings;
    }

    private static String openUrl(IntegrationKind kind, String stored, SecretBox box) {
        return kind == IntegrationKind.SLACK ? box.open(stored) : stored;
    }

    /** A row of {@link #COLUMNS}, its secrets opened with {@code box}. */
    static WebhookIntegration map(ResultSet rs, SecretBox box) throws SQLException {
        long previousExpires = rs.getLong("previous_secret_expires_at");
        Long previousExpiresAt = rs.wasNull() ? null : previousExpires;
        IntegrationKind kind = IntegrationKind.of(rs.getString("kind"));
        return new WebhookIntegration(rs.getString("id"), rs.getString("project_id"), rs.getString("name"),
                openUrl(kind, rs.getString("url"), box), box.open(rs.getString("authorization_header")),
                rs.getString("environment"), eventTypes(rs.getString("event_types")), rs.getString("app_id"),
                box.open(rs.getString("signing_secret")), box.open(rs.getString("previous_signing_secret")),
                previousExpiresAt, rs.getLong("created_at"), kind, openSettings(kind, rs.getString("settings"), box));
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
