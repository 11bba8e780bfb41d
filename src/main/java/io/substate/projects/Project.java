package io.substate.projects;

/** A project: owns apps, customers, entitlements, products and webhook integrations. */
public record Project(String id, String name, String secretApiKey, TransferBehavior transferBehavior, long createdAt) {}
