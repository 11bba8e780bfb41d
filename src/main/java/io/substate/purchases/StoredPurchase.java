package io.substate.purchases;

/** A purchase as stored: who owns it, where it comes from, and its state machine state. */
public record StoredPurchase(String id, String projectId, String appId, String customerId, String token,
        PurchaseState state, long createdAt) {

    public StoredPurchase withState(PurchaseState next) {
        return new StoredPurchase(id, projectId, appId, customerId, token, next, createdAt);
    }

    public StoredPurchase withCustomer(String newCustomerId) {
        return new StoredPurchase(id, projectId, appId, newCustomerId, token, state, createdAt);
    }
}
