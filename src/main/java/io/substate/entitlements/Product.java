package io.substate.entitlements;

/**
 * A Stripe product ({@code prod_…}) as sold by one app of a project.
 *
 * @param storeIdentifier the Stripe product id, which purchases carry
 * @param displayName optional; null when not given
 */
public record Product(String id, String projectId, String appId, String storeIdentifier, ProductType type,
                      String displayName, long createdAt) {}
