package io.substate.offerings;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.http.Page;
import io.substate.projects.ProjectService;
import io.substate.storage.Constraints;
import io.substate.storage.Ids;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * A project's offerings and placements (README, "Offerings"). A project with offerings has exactly one current
 * offering: the first one created becomes current, making another current clears it, and the current one can be
 * neither un-made current nor deleted while other offerings exist. An offering a placement names cannot be deleted.
 */
public final class OfferingService {
    private final Jdbi jdbi;
    private final ProjectService projects;
    private final Clock clock;

    public OfferingService(Jdbi jdbi, ProjectService projects, Clock clock) {
        this.jdbi = jdbi;
        this.projects = projects;
        this.clock = clock;
    }

    /** What an update asks for: absent fields keep their value; {@code metadata} given as null clears it. */
    public record Change(Optional<String> displayName, boolean metadataGiven, ObjectNode metadata,
                         Optional<Boolean> current) {}

    /** What a request expands: the offering's packages, and the packages' products. */
    public record Expand(boolean packages, boolean products) {
        public static final Expand NONE = new Expand(false, false);
    }

    /** An offering, with its packages when they were asked for (else null). */
    public record OfferingView(Offering offering, List<PackageService.PackageView> packages) {}

    public Offering create(String projectId, String lookupKey, String displayName, ObjectNode metadata) {
        projects.get(projectId);
        // Two first offerings created at once may both see no current one; the unique index lets one win, and the
        // other, run again, sees it.
        return onceMoreOnConflict(() -> jdbi.inTransaction(handle -> {
            if (OfferingStore.lookupKeyTaken(handle, projectId, lookupKey)) {
                throw lookupKeyTaken(lookupKey);
            }
            boolean first = OfferingStore.current(handle, projectId).isEmpty();
            Offering offering = new Offering(Ids.random("ofrng", 12), projectId, lookupKey, displayName, metadata,
                    first, clock.millis());
            OfferingStore.insert(handle, offering);
            return offering;
        }), () -> new ApiException(ErrorCode.RESOURCE_ALREADY_EXISTS, "Another change to this project's offerings "
                + "ran at the same time; retry"));
    }

    public OfferingView get(String projectId, String id, Expand expand) {
        projects.get(projectId);
        return jdbi.withHandle(handle -> expand(handle, List.of(find(handle, projectId, id)), expand).get(0));
    }

    public Page<OfferingView> list(String projectId, String startingAfter, int limit, Expand expand) {
        projects.get(projectId);
        return jdbi.withHandle(handle -> {
            if (startingAfter != null) {
                find(handle, projectId, startingAfter);
            }
            Page<Offering> page = Page.of(OfferingStore.list(handle, projectId, startingAfter, limit), limit);
            return new Page<>(expand(handle, page.items(), expand), page.hasMore());
        });
    }

    public Offering update(String projectId, String id, Change change) {
        projects.get(projectId);
        return onceMoreOnConflict(() -> jdbi.inTransaction(handle -> {
            Offering current = find(handle, projectId, id);
            boolean makeCurrent = change.current().orElse(current.current());
            if (current.current() && !makeCurrent) {
                throw new ApiException(ErrorCode.OFFERING_IS_CURRENT, "Offering '" + current.lookupKey() + "' is the "
                        + "current offering: make another offering current instead (is_current: true on it)");
            }
            Offering next = new Offering(id, projectId, current.lookupKey(),
                    change.displayName().orElse(current.displayName()),
                    change.metadataGiven() ? change.metadata() : current.metadata(), makeCurrent, current.createdAt());
            OfferingStore.update(handle, next);
            if (makeCurrent && !current.current()) {
                OfferingStore.makeCurrent(handle, projectId, id);
            }
            return next;
        }), () -> new ApiException(ErrorCode.RESOURCE_ALREADY_EXISTS, "Another offering was made current at the same "
                + "time; retry"));
    }

    /** Deletes the offering with its packages; customers it was given to get the current offering again. */
    public Offering delete(String projectId, String id) {
        projects.get(projectId);
        return jdbi.inTransaction(handle -> {
            Offering offering = find(handle, projectId, id);
            if (offering.current() && OfferingStore.count(handle, projectId) > 1) {
                throw new ApiException(ErrorCode.OFFERING_IS_CURRENT, "Offering '" + offering.lookupKey() + "' is the "
                        + "current offering: make another offering current first, then delete this one");
            }
            List<String> placements = OfferingStore.placementsNaming(handle, id);
            if (!placements.isEmpty()) {
                throw new ApiException(ErrorCode.OFFERING_IN_USE, "Offering '" + offering.lookupKey() + "' is named by "
                        + "the placements " + String.join(", ", placements) + ": point them at another offering "
                        + "(POST /v2/projects/" + projectId + "/placements) first");
            }
            OfferingStore.delete(handle, id);
            return offering;
        });
    }

    public Placements placements(String projectId) {
        projects.get(projectId);
        return jdbi.withHandle(handle -> OfferingStore.placements(handle, projectId));
    }

    /**
     * Replaces the project's placements. {@code fallback} empty keeps the fallback, a value sets it (null: none, the
     * customer's current offering); {@code byPlacement} empty keeps the placements, a map replaces all of them. Every
     * offering id must be one of the project's; all or nothing.
     */
    public Placements replacePlacements(String projectId, Optional<Optional<String>> fallback,
            Optional<Map<String, String>> byPlacement) {
        projects.get(projectId);
        return jdbi.inTransaction(handle -> {
            Placements current = OfferingStore.placements(handle, projectId);
            String nextFallback = fallback.isPresent() ? fallback.get().orElse(null) : current.fallbackOfferingId();
            Placements next = new Placements(nextFallback,
                    byPlacement.<Map<String, String>>map(TreeMap::new).orElse(current.offeringIdsByPlacement()));
            Set<String> named = new LinkedHashSet<>();
            if (next.fallbackOfferingId() != null) {
                named.add(next.fallbackOfferingId());
            }
            next.offeringIdsByPlacement().values().stream().filter(v -> v != null).forEach(named::add);
            Set<String> unknown = new LinkedHashSet<>(named);
            OfferingStore.all(handle, projectId).forEach(o -> unknown.remove(o.id()));
            if (!unknown.isEmpty()) {
                throw new ApiException(ErrorCode.RESOURCE_MISSING, "No offering of this project has the id "
                        + String.join(", ", unknown.stream().map(u -> "'" + u + "'").toList())
                        + "; nothing was changed");
            }
            OfferingStore.replacePlacements(handle, projectId, next);
            return OfferingStore.placements(handle, projectId);
        });
    }

    private static List<OfferingView> expand(Handle handle, List<Offering> offerings, Expand expand) {
        if (!expand.packages()) {
            return offerings.stream().map(o -> new OfferingView(o, null)).toList();
        }
        Map<String, List<OfferingPackage>> packages = PackageStore.forOfferings(handle,
                offerings.stream().map(Offering::id).toList());
        List<OfferingPackage> all = packages.values().stream().flatMap(List::stream).toList();
        List<PackageService.PackageView> views = PackageService.views(handle, all, expand.products());
        return offerings.stream().map(o -> new OfferingView(o, views.stream()
                .filter(v -> v.pkg().offeringId().equals(o.id())).toList())).toList();
    }

    static Offering find(Handle handle, String projectId, String id) {
        return OfferingStore.find(handle, projectId, id).orElseThrow(() -> ApiException.notFound("Offering", id));
    }

    private static ApiException lookupKeyTaken(String lookupKey) {
        return new ApiException(ErrorCode.RESOURCE_ALREADY_EXISTS,
                "An offering with lookup_key '" + lookupKey + "' already exists in this project");
    }

    /** Runs the write again once when it lost a race at a unique index; a second loss is {@code conflict}. */
    private static <T> T onceMoreOnConflict(Supplier<T> write, Supplier<ApiException> conflict) {
        try {
            return write.get();
        } catch (RuntimeException e) {
            if (!Constraints.isUniqueViolation(e)) {
                throw e;
            }
        }
        try {
            return write.get();
        } catch (RuntimeException e) {
            throw Constraints.isUniqueViolation(e) ? conflict.get() : e;
        }
    }
}
