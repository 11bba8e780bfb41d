package io.substate.offerings;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A set of packages a paywall shows (RevenueCat's offering). Exactly one offering of a project with offerings is
 * current: the one the SDK shows when nothing else (an override, a placement) says otherwise.
 *
 * @param lookupKey the identifier the SDK sees ({@code offerings[].identifier}); never changes
 * @param metadata a free-form JSON object, or null
 */
public record Offering(String id, String projectId, String lookupKey, String displayName, ObjectNode metadata,
                       boolean current, long createdAt) {}
