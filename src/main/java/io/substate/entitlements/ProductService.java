package io.substate.entitlements;

import io.substate.apps.AppService;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.http.Page;
import io.substate.projects.ProjectService;
import io.substate.storage.Constraints;
import io.substate.storage.Ids;
import java.time.Clock;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Products of a project: the Stripe products each app sells. */
public final class ProductService {
    private final Jdbi jdbi;
    private final ProjectService projects;
    private final AppService apps;
    private final Clock clock;

    public ProductService(Jdbi jdbi, ProjectService projects, AppService apps, Clock clock) {
        this.jdbi = jdbi;
        this.projects = projects;
        this.apps = apps;
        this.clock = clock;
    }

    public Product create(String projectId, String appId, String storeIdentifier, ProductType type, String displayName) {
        apps.get(projectId, appId);
        Product product = new Product(Ids.productId(), projectId, appId, storeIdentifier, type, displayName,
                clock.millis());
        try {
            return jdbi.inTransaction(handle -> {
                if (ProductStore.existsForApp(handle, appId, storeIdentifier)) {
                    throw alreadyExists(storeIdentifier);
                }
                ProductStore.insert(handle, product);
                return product;
            });
        } catch (RuntimeException e) {
            if (Constraints.isUniqueViolation(e)) {
                throw alreadyExists(storeIdentifier);
            }
            throw e;
        }
    }

    public Product get(String projectId, String id) {
        projects.get(projectId);
        return jdbi.withHandle(handle -> find(handle, projectId, id));
    }

    /** Products of the project, optionally only those of one app. */
    public Page<Product> list(String projectId, String appId, String startingAfter, int limit) {
        if (appId != null) {
            apps.get(projectId, appId);
        } else {
            projects.get(projectId);
        }
        return jdbi.withHandle(handle -> {
            if (startingAfter != null) {
                find(handle, projectId, startingAfter);
            }
            return Page.of(ProductStore.list(handle, projectId, appId, startingAfter, limit), limit);
        });
    }

    /**
     * Deletes the product; it is detached from every entitlement with it, and the database's cascade takes it out of
     * every offering's package too (src/main/resources/db/common/V13__offerings.sql).
     */
    public Product delete(String projectId, String id) {
        projects.get(projectId);
        return jdbi.inTransaction(handle -> {
            Product product = find(handle, projectId, id);
            ProductStore.delete(handle, id);
            return product;
        });
    }

    private static Product find(Handle handle, String projectId, String id) {
        return ProductStore.find(handle, projectId, id).orElseThrow(() -> ApiException.notFound("Product", id));
    }

    private static ApiException alreadyExists(String storeIdentifier) {
        return new ApiException(ErrorCode.RESOURCE_ALREADY_EXISTS,
                "This app already has a product with store_identifier '" + storeIdentifier + "'");
    }
}
