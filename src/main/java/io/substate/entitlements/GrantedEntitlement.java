package io.substate.entitlements;

/**
 * An entitlement granted to a customer by hand, RevenueCat's promotional entitlement: access from {@code startsAt}
 * until {@code expiresAt}, or until {@code revokedAt} when it was revoked earlier. {@code lookupKey} is the
 * entitlement's lookup key now; {@code productIdentifier} ({@code rc_promo_…}) keeps the one of the grant's time.
 */
public record GrantedEntitlement(String id, String projectId, String customerId, String entitlementId, String lookupKey,
        String productIdentifier, String storeTransactionId, long startsAt, long expiresAt, Long revokedAt,
        boolean expirationSent, long createdAt) {

    /** When access ends or ended: the revocation, when it came before the end. */
    public long endsAt() {
        return revokedAt != null && revokedAt < expiresAt ? revokedAt : expiresAt;
    }

    /** Whether it gives access at {@code now}. */
    public boolean active(long now) {
        return startsAt <= now && endsAt() > now;
    }
}
