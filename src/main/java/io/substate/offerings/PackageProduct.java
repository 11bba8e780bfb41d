package io.substate.offerings;

import io.substate.entitlements.Product;

/** A product attached to a package, with RevenueCat's {@code eligibility_criteria} (always {@code all} for Stripe). */
public record PackageProduct(String packageId, Product product, String eligibilityCriteria) {}
