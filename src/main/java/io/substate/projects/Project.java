package io.substate.projects;

/**
 * A project: owns apps, customers, entitlements, products and webhook integrations.
 *
 * @param secretApiKeyHint what is shown of the project's secret key ({@code sk_…} and its last 4 characters): the
 *     key itself is stored as its SHA-256 and answered once, when made ({@link NewSecretKey})
 */
public record Project(String id, String name, String secretApiKeyHint, TransferBehavior transferBehavior,
        long createdAt) {}
