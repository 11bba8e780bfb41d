package io.substate.delivery;

import java.util.ArrayList;
import java.util.List;

/**
 * A team's webhook endpoint: where a project's outgoing events are POSTed, and which of them.
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
        long createdAt) {

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
