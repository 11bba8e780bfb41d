package io.substate.projects;

import io.substate.http.Access;

/**
 * A project API key as stored: never the key itself, only its SHA-256 (looked up, never shown) and its last four
 * characters ({@code hint}), to tell keys apart in lists.
 */
public record ApiKey(String id, String projectId, String name, Access permissions, String hint, long createdAt,
        Long lastUsedAt) {}
