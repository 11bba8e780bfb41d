package io.substate.grants;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.config.UsdRates;
import io.substate.customerapi.CustomerApiService;
import io.substate.customers.ApiCaller;
import io.substate.customers.AppUserIds;
import io.substate.customers.Customer;
import io.substate.customers.CustomerStore;
import io.substate.customers.SubscriberView;
import io.substate.entitlements.Entitlement;
import io.substate.entitlements.EntitlementStore;
import io.substate.entitlements.GrantStore;
import io.substate.entitlements.GrantedEntitlement;
import io.substate.projects.ProjectService;
import io.substate.storage.GroupCommit;
import io.substate.storage.Ids;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Granting and revoking entitlements by hand (README, "Granted entitlements"): RevenueCat's v1 promotional routes
 * (by lookup key, answered with the subscriber JSON) and its v2 actions (by entitlement id, answered with
 * RevenueCat v2's customer object). Each change and the outgoing events it sends ({@link GrantEvents}) are one
 * group-commit transaction.
 */
public final class GrantService {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final GroupCommit commits;
    private final ProjectService projects;
    private final CustomerApiService customers;
    private final UsdRates rates;
    private final Clock clock;

    public GrantService(GroupCommit commits, ProjectService projects, CustomerApiService customers, UsdRates rates,
            Clock clock) {
        this.commits = commits;
        this.projects = projects;
        this.customers = customers;
        this.rates = rates;
        this.clock = clock;
    }

    /**
     * {@code POST /v1/subscribers/{id}/entitlements/{lookup key}/promotional}: a new grant, whatever grants the
     * customer has already (the entitlement shows the one that ends last). Creates the customer, as RevenueCat's v1
     * routes do.
     */
    public ObjectNode grantPromotional(ApiCaller caller, String appUserId, String lookupKey, GrantLength length) {
        AppUserIds.require(appUserId, "app_user_id");
        length.end(clock.millis()); // a refused length is answered without a transaction
        return commits.execute(appUserId, h -> {
            long now = clock.millis();
            Entitlement entitlement = byLookupKey(h, caller.projectId(), lookupKey);
            Customer customer = CustomerStore.findOrCreate(h, caller.projectId(), appUserId, now);
            grant(h, customer, entitlement, length, now);
            return SubscriberView.render(h, customer, caller, now);
        });
    }

    /**
     * {@code POST /v1/subscribers/{id}/entitlements/{lookup key}/revoke_promotionals}: ends every grant of the
     * entitlement that gives access now (none is no error).
     */
    public ObjectNode revokePromotionals(ApiCaller caller, String appUserId, String lookupKey) {
        AppUserIds.require(appUserId, "app_user_id");
        return commits.execute(appUserId, h -> {
            long now = clock.millis();
            Entitlement entitlement = byLookupKey(h, caller.projectId(), lookupKey);
            Customer customer = CustomerStore.findOrCreate(h, caller.projectId(), appUserId, now);
            revoke(h, customer, entitlement, now);
            return SubscriberView.render(h, customer, caller, now);
        });
    }

    /**
     * {@code POST /v2/projects/{id}/customers/{app user id}/actions/grant_entitlement}: a grant, unless one of the
     * entitlement gives the customer access already (409: revoke it first to change its end), as RevenueCat's v2.
     */
    public ObjectNode grantEntitlement(String projectId, String appUserId, String entitlementId, GrantLength length) {
        String project = projects.get(projectId).id();
        length.end(clock.millis());
        commits.execute(appUserId, h -> {
            long now = clock.millis();
            Customer customer = customer(h, project, appUserId);
            Entitlement entitlement = byId(h, project, entitlementId);
            CustomerStore.lock(h, customer.id()); // two grants racing: the second waits, then sees the first
            if (!GrantStore.active(h, customer.id(), entitlement.id(), now).isEmpty()) {
                throw new ApiException(ErrorCode.ENTITLEMENT_ALREADY_GRANTED, "Customer '" + appUserId
                        + "' has an active grant of entitlement '" + entitlement.lookupKey() + "' already; revoke it "
                        + "first (actions/revoke_granted_entitlement) to grant it with another end");
            }
            grant(h, customer, entitlement, length, now);
            return null;
        });
        return customers.get(project, appUserId, false);
    }

    /**
     * {@code POST /v2/projects/{id}/customers/{app user id}/actions/revoke_granted_entitlement}: ends the customer's
     * active grants of the entitlement; 404 when there is none.
     */
    public ObjectNode revokeGrantedEntitlement(String projectId, String appUserId, String entitlementId) {
        String project = projects.get(projectId).id();
        commits.execute(appUserId, h -> {
            long now = clock.millis();
            Customer customer = customer(h, project, appUserId);
            Entitlement entitlement = byId(h, project, entitlementId);
            if (revoke(h, customer, entitlement, now).isEmpty()) {
                throw new ApiException(ErrorCode.RESOURCE_MISSING, "Customer '" + appUserId + "' has no active "
                        + "grant of entitlement '" + entitlement.lookupKey() + "' to revoke");
            }
            return null;
        });
        return customers.get(project, appUserId, false);
    }

    private void grant(Handle h, Customer customer, Entitlement entitlement, GrantLength length, long now) {
        GrantedEntitlement grant = new GrantedEntitlement(Ids.random("grnt", 16), customer.projectId(), customer.id(),
                entitlement.id(), entitlement.lookupKey(),
                "rc_promo_" + entitlement.lookupKey() + "_" + length.productSuffix(), transactionId(), now,
                length.end(now), null, false, now);
        GrantStore.insert(h, grant);
        GrantEvents.granted(h, customer, grant, rates, now);
    }

    private List<GrantedEntitlement> revoke(Handle h, Customer customer, Entitlement entitlement, long now) {
        List<GrantedEntitlement> revoked = GrantStore.revokeActive(h, customer.id(), entitlement.id(), now);
        revoked.forEach(grant -> GrantEvents.revoked(h, customer, grant, rates, now));
        return revoked;
    }

    private static Entitlement byLookupKey(Handle h, String projectId, String lookupKey) {
        return EntitlementStore.findByLookupKey(h, projectId, lookupKey)
                .orElseThrow(() -> ApiException.notFound("Entitlement", lookupKey));
    }

    private static Entitlement byId(Handle h, String projectId, String entitlementId) {
        return EntitlementStore.findWithoutProducts(h, projectId, entitlementId)
                .orElseThrow(() -> ApiException.notFound("Entitlement", entitlementId));
    }

    private static Customer customer(Handle h, String projectId, String appUserId) {
        return CustomerStore.findByAppUserId(h, projectId, appUserId)
                .orElseThrow(() -> ApiException.notFound("Customer", appUserId));
    }

    /** 32 lowercase hex digits, as RevenueCat's promotional transaction ids. */
    private static String transactionId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
