package io.substate.delivery;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.ApiException;
import io.substate.common.Json;
import io.substate.http.JsonBody;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A create or update request for a webhook integration, checked field by field. For the nullable fields, absent keeps
 * the stored value (update) and {@code null} clears it ("all environments", "all types", "all apps", no header).
 */
record IntegrationChange(
        Optional<String> name,
        Optional<String> url,
        Nullable<String> authorizationHeader,
        Nullable<String> environment,
        Nullable<List<String>> eventTypes,
        Nullable<String> appId,
        Map<String, Nullable<String>> settings) {

    static final String[] FIELDS = {"name", "url", "authorization_header", "environment", "event_types", "app_id"};
    static final List<String> COMMON_FIELDS = List.of("name", "environment", "event_types", "app_id");
    static final List<String> ENVIRONMENTS = List.of("production", "sandbox");
    /** The analytics services' optional renaming of events, kept among the settings as a JSON object. */
    static final String EVENT_NAMES = "event_names";
    private static final int MAX_EVENT_NAME = 255;

    /** A field that may be left alone, cleared with {@code null}, or set. */
    record Nullable<T>(boolean present, T value) {
        static <T> Nullable<T> absent() {
            return new Nullable<>(false, null);
        }

        /** Whether it is set only: the value may be a secret (an authorization header, a service's API key). */
        @Override
        public String toString() {
            return present ? "Nullable[set]" : "Nullable[absent]";
        }

        T applyTo(T current) {
            return present ? value : current;
        }
    }

    static IntegrationChange parse(JsonBody body) {
        return parse(body, IntegrationKind.WEBHOOK);
    }

    /**
     * A webhook's fields, or for a service the common fields (name, environment, event types, app) and the kind's own
     * settings; no {@code url}, which a service's settings imply.
     */
    static IntegrationChange parse(JsonBody body, IntegrationKind kind) {
        if (kind == IntegrationKind.WEBHOOK) {
            body.allowOnly(FIELDS);
        } else {
            List<String> allowed = new ArrayList<>(COMMON_FIELDS);
            kind.settings().forEach(s -> allowed.add(s.name()));
            if (kind.namesEvents()) {
                allowed.add(EVENT_NAMES);
            }
            body.allowOnly(allowed.toArray(String[]::new));
        }
        Optional<String> name = body.optionalString("name").map(String::trim);
        name.filter(n -> n.length() > 1500).ifPresent(n -> {
            throw ApiException.invalid("Field 'name' is longer than 1500 characters");
        });
        if (body.isNull("name") || body.isNull("url")) {
            throw ApiException.invalid("Fields 'name' and 'url' cannot be null");
        }
        return new IntegrationChange(
                name,
                body.optionalString("url").map(String::trim).map(IntegrationChange::checkUrl),
                nullable(body, "authorization_header", body.optionalString("authorization_header")),
                nullable(body, "environment", body.optionalEnum("environment", ENVIRONMENTS)),
                nullable(body, "event_types", body.optionalStringList("event_types").map(EventTypes::validate)),
                nullable(body, "app_id", body.optionalString("app_id")),
                settings(body, kind));
    }

    private static Map<String, Nullable<String>> settings(JsonBody body, IntegrationKind kind) {
        Map<String, Nullable<String>> settings = new LinkedHashMap<>();
        for (IntegrationKind.Setting setting : kind.settings()) {
            settings.put(setting.name(), nullable(body, setting.name(),
                    body.optionalString(setting.name()).map(v -> kind.check(setting, v))));
        }
        if (kind.namesEvents()) {
            settings.put(EVENT_NAMES, nullable(body, EVENT_NAMES, body.optionalObject(EVENT_NAMES)
                    .map(IntegrationChange::eventNames)));
        }
        return settings;
    }

    /**
     * {@code event_names}: event keys ({@link ServiceEvent#NAME_KEYS}) to non-empty names, stored as a JSON object;
     * an empty object, like null, means RevenueCat's default names.
     */
    private static String eventNames(JsonBody names) {
        ObjectNode checked = Json.object();
        names.node().fields().forEachRemaining(e -> {
            if (!ServiceEvent.NAME_KEYS.contains(e.getKey())) {
                throw ApiException.invalid("Field 'event_names' contains '" + e.getKey() + "'; allowed keys: "
                        + String.join(", ", ServiceEvent.NAME_KEYS));
            }
            String name = e.getValue().isTextual() ? e.getValue().asText().trim() : "";
            if (name.isEmpty() || name.length() > MAX_EVENT_NAME) {
                throw ApiException.invalid("Field 'event_names." + e.getKey() + "' must be a non-empty string of at "
                        + "most " + MAX_EVENT_NAME + " characters (leave the key out for the default name)");
            }
            checked.put(e.getKey(), name);
        });
        return checked.isEmpty() ? null : Json.write(checked);
    }

    /** The stored settings with this change applied. */
    Map<String, String> applySettings(Map<String, String> current) {
        Map<String, String> next = new LinkedHashMap<>(current);
        settings.forEach((name, change) -> {
            if (change.present()) {
                if (change.value() == null) {
                    next.remove(name);
                } else {
                    next.put(name, change.value());
                }
            }
        });
        return next;
    }

    private static <T> Nullable<T> nullable(JsonBody body, String field, Optional<T> value) {
        if (!body.has(field)) {
            return Nullable.absent();
        }
        return new Nullable<>(true, value.orElse(null));
    }

    // Only absolute http(s) URLs with a host: anything else can never be POSTed to, and would fail every delivery.
    private static String checkUrl(String url) {
        if (!IntegrationKind.isHttpUrl(url)) {
            throw ApiException.invalid("Field 'url' must be an absolute http:// or https:// URL (got '" + url + "')");
        }
        return url;
    }
}
