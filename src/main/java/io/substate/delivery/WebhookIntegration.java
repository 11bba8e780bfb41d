package io.substate.delivery;

import io.substate.common.Secrets;

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

    /**
     * Leaves out the secrets: the signing secrets, the authorization header, the settings' values (services' API
     * keys) and the URL past its host (Slack's webhook URL is itself a secret).
     */
    @Override
    public String toString() {
        return "WebhookIntegration[id=" + id + ", projectId=" + projectId + ", kind=" + kind + ", name=" + name
                + ", url=" + urlHost() + ", authorizationHeader=" + Secrets.mask(authorizationHeader)
                + ", environment=" + environment + ", eventTypes=" + eventTypes + ", appId=" + appId
                + ", signingSecret=" + Secrets.mask(signingSecret) + ", previousSigningSecret="
                + Secrets.mask(previousSigningSecret) + ", previousSecretExpiresAt=" + previousSecretExpiresAt
                + ", createdAt=" + createdAt + ", settings=" + settings.keySet() + "]";
    }

    private String urlHost() {
        if (url == null) {
            return "null";
        }
        int hostStart = url.indexOf("://");
        int pathStart = hostStart < 0 ? -1 : url.indexOf('/', hostStart + 3);
        return pathStart < 0 ? url.replaceAll("//[^/@]*@", "//") : url.substring(0, pathStart).replaceAll("//[^/@]*@", "//") + "/…";
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
