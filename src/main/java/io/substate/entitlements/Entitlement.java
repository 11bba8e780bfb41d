package io.substate.entitlements;

import java.util.List;

/** A project-level access level ({@code lookup_key}, e.g. "premium") that attached products unlock. */
public record Entitlement(String id, String projectId, String lookupKey, String displayName, long createdAt,
                          List<Product> products) {}
