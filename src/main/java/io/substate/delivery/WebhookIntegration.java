package io.substate.delivery;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A project's integration: a team's webhook endpoint, or a service ({@link IntegrationKind}) that outgoing events are
 * sent to in its own format; which events go there; for a service, {@code url} is its endpoint and {@code settings}
 * its own settings (secrets included: never answered, never logged).
 *
 * @param authorizationHeader sent verbatim as {@code Authorization}; write-only in the API
 * @param environment {@code production}, {@code sandbox}, or null for both
 * @param eventTypes RevenueCat v2 lowercase type names ({@code initial_purchase}…), or null for all
 * @param appId only events of this app, or null for every app of the project
 * @param previousSigningSecret the secret replaced by the last rotation, still signing until its expiry
 */
public record WebhookIntegration(
        String id,
        String projectId,
        String name,
        String url,
        String authorizationHeader,
        String environment,
        List<String> eventTypes,
        String appId,
        String signingSecret,
        String previousSigningSecret,
        Long previousSecretExpiresAt,
        long createdAt,
        IntegrationKind kind,
        Map<String, String> settings) {

    public WebhookIntegration {
        settings = settings == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /** A service's setting in effect (stored, or its default). */
    String setting(String name) {
        return kind.effective(settings, name);
    }

    /** Secrets each delivery is signed with at {@code nowMillis}: the current one, plus the rotated one for 24 h. */
    public List<String> signingSecrets(long nowMillis) {
        List<String> secrets = new ArrayList<>(2);
        secrets.add(signingSecret);
        if (previousSigningSecret != null && previousSecretExpiresAt != null && nowMillis < previousSecretExpiresAt) {
            secrets.add(previousSigningSecret);
        }
        return secrets;
    }
}
