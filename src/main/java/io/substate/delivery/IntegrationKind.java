package io.substate.delivery;

import io.substate.common.ApiException;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What an integration delivers to: a generic webhook, or one of the services Substate formats events for. Each kind
 * has its own settings (stored as one JSON object beside the common fields); secrets among them are write-only.
 */
enum IntegrationKind {
    WEBHOOK("webhooks", List.of()),
    SLACK("slack", List.of(Setting.secretUrl("webhook_url", true))),
    POSTHOG("posthog", List.of(Setting.secret("api_key", true), Setting.url("host", "https://us.i.posthog.com"))),
    SEGMENT("segment", List.of(Setting.secret("write_key", true), Setting.url("base_url", "https://api.segment.io"))),
    AMPLITUDE("amplitude", List.of(Setting.secret("api_key", true), Setting.choice("region", "us", "us", "eu"),
            Setting.url("base_url", null))),
    MIXPANEL("mixpanel", List.of(Setting.secret("project_token", false), Setting.secret("api_secret", false),
            Setting.plain("service_account_username"), Setting.secret("service_account_secret", false),
            Setting.plain("project_id"), Setting.choice("region", "us", "us", "eu", "in"), Setting.url("base_url", null)));

    /** One service setting: secret ones are answered as {@code <name>_set}; {@code fallback} applies when unset. */
    record Setting(String name, boolean secret, boolean required, boolean isUrl, List<String> choices,
            String fallback) {
        static Setting secret(String name, boolean required) {
            return new Setting(name, true, required, false, List.of(), null);
        }

        static Setting secretUrl(String name, boolean required) {
            return new Setting(name, true, required, true, List.of(), null);
        }

        static Setting url(String name, String fallback) {
            return new Setting(name, false, false, true, List.of(), fallback);
        }

        static Setting plain(String name) {
            return new Setting(name, false, false, false, List.of(), null);
        }

        static Setting choice(String name, String fallback, String... choices) {
            return new Setting(name, false, false, false, List.of(choices), fallback);
        }
    }

    private final String path;
    private final List<Setting> settings;

    IntegrationKind(String path, List<Setting> settings) {
        this.path = path;
        this.settings = settings;
    }

    /** The path segment under {@code /integrations/}. */
    String path() {
        return path;
    }

    /** The stored name ({@code webhook}, {@code slack}…). */
    String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    List<Setting> settings() {
        return settings;
    }

    /** Whether the kind sends named events, which may be renamed ({@code event_names}); Slack writes text. */
    boolean namesEvents() {
        return this != WEBHOOK && this != SLACK;
    }

    static IntegrationKind of(String value) {
        return Arrays.stream(values()).filter(k -> k.value().equals(value)).findFirst()
                .orElseThrow(() -> new IllegalStateException("Unknown integration kind " + value));
    }

    /** A setting's value checked on its own: a URL must be absolute http(s), a choice one of its values. */
    String check(Setting setting, String value) {
        if (value == null) {
            return null;
        }
        String trimmed = value.trim();
        if (setting.isUrl()) {
            checkUrl(setting.name(), trimmed);
            return trimmed.endsWith("/") && !setting.secret() ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
        }
        if (!setting.choices().isEmpty() && !setting.choices().contains(trimmed)) {
            throw ApiException.invalid("Field '" + setting.name() + "' must be one of " + setting.choices()
                    + " (got '" + trimmed + "')");
        }
        if (trimmed.isEmpty()) {
            throw ApiException.invalid("Field '" + setting.name() + "' cannot be empty (use null to clear it)");
        }
        return trimmed;
    }

    /** The settings as a whole, after a create or an update: required ones set, and each kind's own rules. */
    void checkComplete(Map<String, String> values) {
        for (Setting setting : settings) {
            if (setting.required() && values.get(setting.name()) == null) {
                throw ApiException.invalid("Field '" + setting.name() + "' is required for a " + value()
                        + " integration");
            }
        }
        if (this == MIXPANEL) {
            boolean serviceAccount = values.get("service_account_username") != null
                    || values.get("service_account_secret") != null;
            if (serviceAccount && (values.get("service_account_username") == null
                    || values.get("service_account_secret") == null || values.get("project_id") == null)) {
                throw ApiException.invalid("A Mixpanel service account needs 'service_account_username', "
                        + "'service_account_secret' and 'project_id'");
            }
            if (!serviceAccount && values.get("api_secret") == null && values.get("project_token") == null) {
                throw ApiException.invalid("A Mixpanel integration needs 'project_token' (track API), or "
                        + "'api_secret' or a service account (import API)");
            }
        }
    }

    /** The value in effect: the stored one, else the setting's default, else the region's public endpoint. */
    String effective(Map<String, String> values, String name) {
        String stored = values.get(name);
        if (stored != null) {
            return stored;
        }
        Optional<Setting> setting = settings.stream().filter(s -> s.name().equals(name)).findFirst();
        if (setting.map(Setting::fallback).isPresent()) {
            return setting.get().fallback();
        }
        if (name.equals("base_url")) {
            String region = effective(values, "region");
            if (this == AMPLITUDE) {
                return region.equals("eu") ? "https://api.eu.amplitude.com" : "https://api2.amplitude.com";
            }
            if (this == MIXPANEL) {
                return switch (region) {
                    case "eu" -> "https://api-eu.mixpanel.com";
                    case "in" -> "https://api-in.mixpanel.com";
                    default -> "https://api.mixpanel.com";
                };
            }
        }
        return null;
    }

    /** Where the integration's requests go, kept in the table's {@code url} column for the delivery log. */
    String endpoint(Map<String, String> values) {
        return switch (this) {
            case WEBHOOK -> throw new IllegalStateException("A webhook's URL is its own field");
            case SLACK -> values.get("webhook_url");
            case POSTHOG -> effective(values, "host");
            default -> effective(values, "base_url");
        };
    }

    static void checkUrl(String field, String url) {
        if (!isHttpUrl(url)) {
            // A secret URL (Slack's) is not echoed back, not even in an error.
            throw ApiException.invalid("Field '" + field + "' must be an absolute http:// or https:// URL");
        }
    }

    /** An absolute http(s) URL with a host: anything else can never be POSTed to. */
    static boolean isHttpUrl(String url) {
        try {
            URI uri = URI.create(url);
            String scheme = uri.getScheme();
            return scheme != null && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
