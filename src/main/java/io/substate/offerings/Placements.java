package io.substate.offerings;

import java.util.Map;

/**
 * A project's placements, in the shape RevenueCat's SDKs read them: placement identifier → offering id, where null
 * means "no offering" (the SDK shows none, and does not fall back); placements not listed get the fallback.
 *
 * @param fallbackOfferingId the offering for placements not listed, or null for the customer's current offering
 * @param offeringIdsByPlacement sorted by placement identifier; values may be null
 */
public record Placements(String fallbackOfferingId, Map<String, String> offeringIdsByPlacement) {}
