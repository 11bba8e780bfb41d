package io.substate.entitlements;

import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.http.Page;
import io.substate.projects.ProjectService;
import io.substate.storage.Constraints;
import io.substate.storage.Ids;
import java.time.Clock;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Entitlements of a project, the products attached to them, and which entitlements a purchase's product unlocks. */
public final class EntitlementService {
    private final Jdbi jdbi;
    private final ProjectService projects;
    private final Clock clock;

    public EntitlementService(Jdbi jdbi, ProjectService projects, Clock clock) {
        this.jdbi = jdbi;
        this.projects = projects;
        this.clock = clock;
    }

    public Entitlement create(String projectId, String lookupKey, String displayName) {
        projects.get(projectId);
        Entitlement entitlement = new Entitlement(Ids.entitlementId(), projectId, lookupKey, displayName,
                clock.millis(), List.of());
        return conflictAware(lookupKey, () -> jdbi.inTransaction(handle -> {
            requireFreeLookupKey(handle, projectId, lookupKey, null);
            EntitlementStore.insert(handle, entitlement);
            return entitlement;
        }));
    }

    public Entitlement get(String projectId, String id) {
        projects.get(projectId);
        return jdbi.withHandle(handle -> find(handle, projectId, id));
    }

    public Page<Entitlement> list(String projectId, String startingAfter, int limit) {
        projects.get(projectId);
        return jdbi.withHandle(handle -> {
            if (startingAfter != null) {
                find(handle, projectId, startingAfter);
            }
            return Page.of(EntitlementStore.list(handle, projectId, startingAfter, limit), limit);
        });
    }

    public Entitlement update(String projectId, String id, Optional<String> lookupKey, Optional<String> displayName) {
        projects.get(projectId);
        return conflictAware(lookupKey.orElse(""), () -> jdbi.inTransaction(handle -> {
            Entitlement current = find(handle, projectId, id);
            Entitlement next = new Entitlement(id, projectId, lookupKey.orElse(current.lookupKey()),
                    displayName.orElse(current.displayName()), current.createdAt(), current.products());
            requireFreeLookupKey(handle, projectId, next.lookupKey(), id);
            EntitlementStore.update(handle, next);
            return next;
        }));
    }

    public Entitlement delete(String projectId, String id) {
        projects.get(projectId);
        return jdbi.inTransaction(handle -> {
            Entitlement current = find(handle, projectId, id);
            EntitlementStore.delete(handle, id);
            return current;
        });
    }

    /** Attaches products (ids of this project's products); all or nothing: one unknown id attaches none. */
    public Entitlement attachProducts(String projectId, String id, List<String> productIds) {
        projects.get(projectId);
        return jdbi.inTransaction(handle -> {
            find(handle, projectId, id);
            EntitlementStore.attach(handle, id, requireProducts(handle, projectId, productIds));
            return find(handle, projectId, id);
        });
    }

    /** Detaches products; ids that exist but are not attached are ignored, unknown ids are refused. */
    public Entitlement detachProducts(String projectId, String id, List<String> productIds) {
        projects.get(projectId);
        return jdbi.inTransaction(handle -> {
            find(handle, projectId, id);
            EntitlementStore.detach(handle, id, requireProducts(handle, projectId, productIds));
            return find(handle, projectId, id);
        });
    }

    /**
     * Which entitlement lookup keys each Stripe product ({@code prod_…}) of an app unlocks: store identifier → keys,
     * sorted; products without entitlements (or unknown to the app) map to an empty list. Inside a caller's
     * transaction: {@link EntitlementStore#entitlementsForProducts(Handle, String, Collection)}.
     */
    public Map<String, List<String>> entitlementsForProducts(String appId, Collection<String> storeIdentifiers) {
        return jdbi.withHandle(handle -> EntitlementStore.entitlementsForProducts(handle, appId, storeIdentifiers));
    }

    private static Entitlement find(Handle handle, String projectId, String id) {
        return EntitlementStore.find(handle, projectId, id)
                .orElseThrow(() -> ApiException.notFound("Entitlement", id));
    }

    private static Set<String> requireProducts(Handle handle, String projectId, List<String> productIds) {
        if (productIds.isEmpty()) {
            throw ApiException.invalid("Field 'product_ids' must contain at least one product id");
        }
        if (productIds.size() > 100) {
            throw ApiException.invalid("Field 'product_ids' may contain at most 100 product ids");
        }
        Set<String> wanted = new LinkedHashSet<>(productIds);
        Set<String> missing = new LinkedHashSet<>(wanted);
        ProductStore.findAll(handle, projectId, wanted).forEach(p -> missing.remove(p.id()));
        if (!missing.isEmpty()) {
            throw new ApiException(ErrorCode.RESOURCE_MISSING, "No product of this project has the id "
                    + String.join(", ", missing.stream().map(m -> "'" + m + "'").toList()) + "; nothing was changed");
        }
        return wanted;
    }

    private static void requireFreeLookupKey(Handle handle, String projectId, String lookupKey, String exceptId) {
        if (EntitlementStore.lookupKeyTaken(handle, projectId, lookupKey, exceptId)) {
            throw lookupKeyTaken(lookupKey);
        }
    }

    /** A concurrent insert can pass the check and lose at the unique index; that is the same 409. */
    private static <T> T conflictAware(String lookupKey, Supplier<T> write) {
        try {
            return write.get();
        } catch (RuntimeException e) {
            if (Constraints.isUniqueViolation(e)) {
                throw lookupKeyTaken(lookupKey);
            }
            throw e;
        }
    }

    private static ApiException lookupKeyTaken(String lookupKey) {
        return new ApiException(ErrorCode.RESOURCE_ALREADY_EXISTS,
                "An entitlement with lookup_key '" + lookupKey + "' already exists in this project");
    }
}
