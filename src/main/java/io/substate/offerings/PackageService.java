package io.substate.offerings;

import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.entitlements.Product;
import io.substate.entitlements.ProductStore;
import io.substate.http.Page;
import io.substate.projects.ProjectService;
import io.substate.storage.Constraints;
import io.substate.storage.Ids;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Packages of an offering and the products attached to them (README, "Offerings"). A package holds at most one
 * product per app: the SDK of an app shows one product per package. Attaching and detaching are all or nothing.
 */
public final class PackageService {
    /** RevenueCat's limit on the products of one attach or detach request. */
    static final int MAX_PRODUCTS_PER_REQUEST = 50;
    /** The one eligibility RevenueCat's API accepts that means something for Stripe (the others are Google's). */
    static final String ELIGIBILITY_ALL = "all";

    private final Jdbi jdbi;
    private final ProjectService projects;
    private final Clock clock;

    public PackageService(Jdbi jdbi, ProjectService projects, Clock clock) {
        this.jdbi = jdbi;
        this.projects = projects;
        this.clock = clock;
    }

    /** A package, with its products when they were asked for (else null). */
    public record PackageView(OfferingPackage pkg, List<PackageProduct> products) {}

    /** One product to attach, by Substate product id ({@code prdl…}). */
    public record Attachment(String productId, String eligibilityCriteria) {}

    public PackageView create(String projectId, String offeringId, String lookupKey, String displayName,
            Optional<Integer> position) {
        projects.get(projectId);
        try {
            return jdbi.inTransaction(handle -> {
                OfferingService.find(handle, projectId, offeringId);
                if (PackageStore.lookupKeyTaken(handle, offeringId, lookupKey)) {
                    throw lookupKeyTaken(lookupKey);
                }
                OfferingPackage pkg = new OfferingPackage(Ids.random("pkge", 12), offeringId, lookupKey, displayName,
                        position.orElseGet(() -> PackageStore.nextPosition(handle, offeringId)), clock.millis());
                PackageStore.insert(handle, pkg);
                return new PackageView(pkg, null);
            });
        } catch (RuntimeException e) {
            if (Constraints.isUniqueViolation(e)) {
                throw lookupKeyTaken(lookupKey);
            }
            throw e;
        }
    }

    public PackageView get(String projectId, String id, boolean withProducts) {
        projects.get(projectId);
        return jdbi.withHandle(handle -> views(handle, List.of(find(handle, projectId, id)), withProducts).get(0));
    }

    public Page<PackageView> list(String projectId, String offeringId, String startingAfter, int limit,
            boolean withProducts) {
        projects.get(projectId);
        return jdbi.withHandle(handle -> {
            OfferingService.find(handle, projectId, offeringId);
            if (startingAfter != null) {
                OfferingPackage after = find(handle, projectId, startingAfter);
                if (!after.offeringId().equals(offeringId)) {
                    throw ApiException.notFound("Package", startingAfter);
                }
            }
            Page<OfferingPackage> page = Page.of(PackageStore.list(handle, offeringId, startingAfter, limit), limit);
            return new Page<>(views(handle, page.items(), withProducts), page.hasMore());
        });
    }

    public PackageView update(String projectId, String id, Optional<String> displayName, Optional<Integer> position) {
        projects.get(projectId);
        return jdbi.inTransaction(handle -> {
            OfferingPackage current = find(handle, projectId, id);
            OfferingPackage next = new OfferingPackage(id, current.offeringId(), current.lookupKey(),
                    displayName.orElse(current.displayName()), position.orElse(current.position()),
                    current.createdAt());
            PackageStore.update(handle, next);
            return new PackageView(next, null);
        });
    }

    public OfferingPackage delete(String projectId, String id) {
        projects.get(projectId);
        return jdbi.inTransaction(handle -> {
            OfferingPackage pkg = find(handle, projectId, id);
            PackageStore.delete(handle, id);
            return pkg;
        });
    }

    /** The package's products, oldest first (a package has one per app: one page is nearly always all). */
    public Page<PackageProduct> products(String projectId, String id, String startingAfter, int limit) {
        projects.get(projectId);
        return jdbi.withHandle(handle -> {
            find(handle, projectId, id);
            List<PackageProduct> all = PackageStore.products(handle, List.of(id)).getOrDefault(id, List.of());
            int from = 0;
            if (startingAfter != null) {
                from = indexOf(all, startingAfter) + 1;
                if (from == 0) {
                    throw ApiException.notFound("Product of this package", startingAfter);
                }
            }
            return Page.of(all.subList(from, Math.min(all.size(), from + limit + 1)), limit);
        });
    }

    /**
     * Attaches products of this project; all or nothing: an unknown product, a criterion other than {@code all}, or a
     * second product of an app (already in the package, or twice in the request) attaches none.
     */
    public PackageView attach(String projectId, String id, List<Attachment> attachments) {
        projects.get(projectId);
        requireCount(attachments.size(), "products");
        for (Attachment a : attachments) {
            if (!ELIGIBILITY_ALL.equals(a.eligibilityCriteria())) {
                throw ApiException.invalid("Field 'products[].eligibility_criteria' must be 'all' (got '"
                        + a.eligibilityCriteria() + "'): the other criteria select Google Play SDK versions");
            }
        }
        return jdbi.inTransaction(handle -> {
            find(handle, projectId, id);
            Map<String, Product> products = requireProducts(handle, projectId,
                    attachments.stream().map(Attachment::productId).toList());
            Map<String, Product> byApp = new HashMap<>();
            PackageStore.products(handle, List.of(id)).getOrDefault(id, List.of())
                    .forEach(pp -> byApp.put(pp.product().appId(), pp.product()));
            for (Product product : products.values()) {
                Product other = byApp.putIfAbsent(product.appId(), product);
                if (other != null && !other.id().equals(product.id())) {
                    throw new ApiException(ErrorCode.RESOURCE_ALREADY_EXISTS, "A package holds one product per app, "
                            + "and product '" + other.id() + "' (" + other.storeIdentifier() + ") of app '"
                            + product.appId() + "' is in it or in this request before '" + product.id()
                            + "': detach one of them; nothing was changed");
                }
            }
            long now = clock.millis();
            for (Attachment a : attachments) {
                PackageStore.attach(handle, id, a.productId(), a.eligibilityCriteria(), now);
            }
            return views(handle, List.of(find(handle, projectId, id)), true).get(0);
        });
    }

    /** Detaches products; ids of this project's products that are not attached are ignored, unknown ids refused. */
    public PackageView detach(String projectId, String id, List<String> productIds) {
        projects.get(projectId);
        requireCount(productIds.size(), "product_ids");
        return jdbi.inTransaction(handle -> {
            find(handle, projectId, id);
            PackageStore.detach(handle, id, requireProducts(handle, projectId, productIds).keySet());
            return views(handle, List.of(find(handle, projectId, id)), true).get(0);
        });
    }

    static List<PackageView> views(Handle handle, List<OfferingPackage> packages, boolean withProducts) {
        if (!withProducts) {
            return packages.stream().map(p -> new PackageView(p, null)).toList();
        }
        Map<String, List<PackageProduct>> products = PackageStore.products(handle,
                packages.stream().map(OfferingPackage::id).toList());
        return packages.stream().map(p -> new PackageView(p, products.getOrDefault(p.id(), List.of()))).toList();
    }

    private static OfferingPackage find(Handle handle, String projectId, String id) {
        return PackageStore.find(handle, projectId, id).orElseThrow(() -> ApiException.notFound("Package", id));
    }

    private static Map<String, Product> requireProducts(Handle handle, String projectId, List<String> productIds) {
        Set<String> wanted = new LinkedHashSet<>(productIds);
        Map<String, Product> found = new LinkedHashMap<>();
        ProductStore.findAll(handle, projectId, wanted).forEach(p -> found.put(p.id(), p));
        List<String> missing = new ArrayList<>(wanted);
        missing.removeAll(found.keySet());
        if (!missing.isEmpty()) {
            throw new ApiException(ErrorCode.RESOURCE_MISSING, "No product of this project has the id "
                    + String.join(", ", missing.stream().map(m -> "'" + m + "'").toList()) + "; nothing was changed");
        }
        return found;
    }

    private static void requireCount(int count, String field) {
        if (count < 1 || count > MAX_PRODUCTS_PER_REQUEST) {
            throw ApiException.invalid("Field '" + field + "' must hold from 1 to " + MAX_PRODUCTS_PER_REQUEST
                    + " items (got " + count + ")");
        }
    }

    private static int indexOf(List<PackageProduct> products, String productId) {
        for (int i = 0; i < products.size(); i++) {
            if (products.get(i).product().id().equals(productId)) {
                return i;
            }
        }
        return -1;
    }

    private static ApiException lookupKeyTaken(String lookupKey) {
        return new ApiException(ErrorCode.RESOURCE_ALREADY_EXISTS,
                "A package with lookup_key '" + lookupKey + "' already exists in this offering");
    }
}
