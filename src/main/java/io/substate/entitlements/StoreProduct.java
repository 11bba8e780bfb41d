package io.substate.entitlements;

/** A Stripe product id as sold by one app: the key of a purchase's product. */
public record StoreProduct(String appId, String storeIdentifier) {}
