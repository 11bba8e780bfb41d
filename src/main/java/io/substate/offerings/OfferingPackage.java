package io.substate.offerings;

/**
 * A package of an offering (RevenueCat's package; named so as not to hide {@link java.lang.Package}): at most one
 * product per app, shown in {@code position} order.
 *
 * @param lookupKey the identifier the SDK sees, such as {@code $rc_monthly}; unique within the offering
 * @param position 1 or more; a package created without one goes after the offering's last
 */
public record OfferingPackage(String id, String offeringId, String lookupKey, String displayName, int position,
                              long createdAt) {}
