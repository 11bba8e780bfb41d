package io.substate.customers;

/** A customer of a project: first known as {@code originalAppUserId}, reachable through any of its aliases. */
public record Customer(String id, String projectId, String originalAppUserId, long firstSeen, long lastSeen, long createdAt) {}
