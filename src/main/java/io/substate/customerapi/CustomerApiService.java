package io.substate.customerapi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.apps.AppService;
import io.substate.charts.ChartFactsStore;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.common.Json;
import io.substate.customerapi.CustomerObject.ActiveEntitlement;
import io.substate.customerapi.CustomerObject.Attribute;
import io.substate.customers.AppUserIds;
import io.substate.customers.Customer;
import io.substate.customers.CustomerStore;
import io.substate.customers.SubscriberAttributes;
import io.substate.http.Page;
import io.substate.delivery.OutgoingEventStore;
import io.substate.projects.ProjectService;
import io.substate.purchases.PurchaseStore;
import io.substate.purchases.StoredPurchase;
import io.substate.storage.Dialect;
import io.substate.storage.GroupCommit;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * RevenueCat API v2's customer operations (README, "Customers (API v2)"). A customer is named by any of its App User
 * IDs; reads use a plain handle, writes one group-commit transaction each, which a refused part rolls back whole.
 */
public final class CustomerApiService {
    private final Jdbi jdbi;
    private final GroupCommit commits;
    private final Dialect dialect;
    private final ProjectService projects;
    private final AppService apps;
    private final CustomerRepository repository;
    private final Clock clock;

    public CustomerApiService(Jdbi jdbi, GroupCommit commits, Dialect dialect, ProjectService projects, AppService apps,
            Clock clock) {
        this.jdbi = jdbi;
        this.commits = commits;
        this.dialect = dialect;
        this.projects = projects;
        this.apps = apps;
        this.repository = new CustomerRepository(jdbi);
        this.clock = clock;
    }

    /** An attribute to set: {@code value} null (or empty) deletes it. */
    public record AttributeInput(String name, String value) {}

    /** The project's customers, optionally those {@code search} names exactly (see {@link CustomerRepository}). */
    public Page<Customer> list(String projectId, String search, String startingAfter, int limit) {
        return repository.list(projects.get(projectId).id(), search, startingAfter, limit);
    }

    /** The customer known by {@code customerId} (any App User ID of it). */
    public ObjectNode get(String projectId, String customerId, boolean withAttributes) {
        String project = projects.get(projectId).id();
        return jdbi.withHandle(h -> CustomerObject.render(h, find(h, project, customerId), withAttributes,
                clock.millis()));
    }

    /** A new customer with {@code id} as its App User ID and the given attributes; 409 when the id is taken. */
    public ObjectNode create(String projectId, String id, List<AttributeInput> attributes) {
        String project = projects.get(projectId).id();
        AppUserIds.require(id, "id");
        return commits.execute(id, h -> {
            long now = clock.millis();
            if (CustomerStore.findByAppUserId(h, project, id).isPresent()) {
                throw new ApiException(ErrorCode.RESOURCE_ALREADY_EXISTS, "Customer '" + id + "' exists already");
            }
            Customer customer = CustomerStore.create(h, project, id, now);
            setAttributes(h, customer, attributes, now);
            return CustomerObject.render(h, customer, false, now);
        });
    }

    /**
     * Deletes the customer as {@code DELETE /v1/subscribers/{id}} does ({@link CustomerStore#delete}): aliases,
     * attributes and grants go; purchases stay without an owner. Answers RevenueCat's deleted object.
     */
    public ObjectNode delete(String projectId, String customerId) {
        String project = projects.get(projectId).id();
        return commits.execute(customerId, h -> {
            long now = clock.millis();
            Customer customer = find(h, project, customerId);
            CustomerStore.delete(h, customer.id());
            ObjectNode body = Json.object();
            body.put("object", "customer");
            body.put("id", customer.originalAppUserId());
            body.put("deleted_at", now);
            return body;
        });
    }

    /** The customer, for rendering a list that belongs to it. */
    public record Owned<T>(Customer customer, Page<T> page) {}

    public Owned<CustomerStore.Alias> aliases(String projectId, String customerId, String startingAfter, int limit) {
        String project = projects.get(projectId).id();
        return jdbi.withHandle(h -> {
            Customer c = find(h, project, customerId);
            return new Owned<>(c, Page.slice(CustomerStore.aliasesWithDates(h, c.id(), c.originalAppUserId()),
                    CustomerStore.Alias::appUserId, startingAfter, limit));
        });
    }

    public Owned<Attribute> attributes(String projectId, String customerId, String startingAfter, int limit) {
        String project = projects.get(projectId).id();
        return jdbi.withHandle(h -> {
            Customer c = find(h, project, customerId);
            return new Owned<>(c, Page.slice(CustomerObject.attributes(h, c), Attribute::name, startingAfter, limit));
        });
    }

    /**
     * Sets attributes with v1's rules ({@link SubscriberAttributes}); unlike v1, a refused one refuses the request
     * whole (nothing is saved). Each write is newer than the stored one, so the API's write wins over an SDK's.
     */
    public Owned<Attribute> setAttributes(String projectId, String customerId, List<AttributeInput> attributes,
            int limit) {
        String project = projects.get(projectId).id();
        return commits.execute(customerId, h -> {
            long now = clock.millis();
            Customer c = find(h, project, customerId);
            setAttributes(h, c, attributes, now);
            return new Owned<>(c, Page.slice(CustomerObject.attributes(h, c), Attribute::name, null, limit));
        });
    }

    public Owned<ActiveEntitlement> activeEntitlements(String projectId, String customerId, String startingAfter,
            int limit) {
        String project = projects.get(projectId).id();
        return jdbi.withHandle(h -> {
            Customer c = find(h, project, customerId);
            return new Owned<>(c, Page.slice(CustomerObject.activeEntitlements(h, c, clock.millis()),
                    ActiveEntitlement::entitlementId, startingAfter, limit));
        });
    }

    /**
     * Moves the customer's purchases (those of {@code appIds} when given) to the target customer, as a restore that
     * transfers does ({@code PurchaseOwnership} in {@code ingest}): charts follow the owner, and a TRANSFER event
     * (from the source's App User IDs to the target's) goes out per app and environment that had a purchase moved.
     * Granted entitlements stay with the source. Answers both customers as they are after the move.
     */
    public ObjectNode transfer(String projectId, String customerId, String targetId, Optional<List<String>> appIds) {
        String project = projects.get(projectId).id();
        appIds.ifPresent(ids -> ids.forEach(id -> apps.get(project, id))); // an app of another project is a 404
        return commits.execute(customerId, h -> {
            long now = clock.millis();
            Customer source = find(h, project, customerId);
            Customer target = find(h, project, targetId);
            if (source.id().equals(target.id())) {
                throw ApiException.invalid("'" + customerId + "' and '" + targetId + "' are the same customer");
            }
            List<String> from = CustomerStore.aliases(h, source.id());
            List<String> to = CustomerStore.aliases(h, target.id());
            java.util.Set<String> announced = new java.util.HashSet<>();
            // Purchases are locked before any customer row is written, in the order webhook batches lock them
            // (the webhook path locks a purchase, then its owner's row): two orders could deadlock.
            List<StoredPurchase> listed = PurchaseStore.forCustomer(h, source.id()).stream()
                    .filter(p -> appIds.isEmpty() || appIds.get().contains(p.appId()))
                    .sorted(java.util.Comparator.comparing(StoredPurchase::appId).thenComparing(StoredPurchase::token))
                    .toList();
            List<StoredPurchase> locked = new ArrayList<>();
            for (StoredPurchase purchase : listed) {
                // Re-read locked: a webhook changing it meanwhile must not be overwritten with this copy.
                PurchaseStore.findForUpdate(h, purchase.appId(), purchase.token(), dialect.forUpdate())
                        .filter(current -> source.id().equals(current.customerId()))
                        .ifPresent(locked::add);
            }
            for (StoredPurchase current : locked) {
                StoredPurchase moved = current.withCustomer(target.id());
                PurchaseStore.update(h, moved, now);
                ChartFactsStore.ownerChanged(h, moved.id(), source.id(), target.id());
                String group = moved.appId() + "\n" + moved.state().livemode();
                if (announced.add(group)) {
                    // RevenueCat sends TRANSFER for the destination user only.
                    OutgoingEventStore.appendTransfer(h, new OutgoingEventStore.Source(project, moved.appId(), target,
                            null, moved.state().livemode(), null), from, to, now);
                }
            }
            ObjectNode body = Json.object();
            body.set("source_customer", CustomerObject.render(h, source, false, now));
            body.set("target_customer", CustomerObject.render(h, target, false, now));
            return body;
        });
    }

    private static void setAttributes(Handle h, Customer c, List<AttributeInput> inputs, long now) {
        if (inputs.isEmpty()) {
            return;
        }
        SortedMap<String, CustomerStore.StoredAttribute> stored = CustomerStore.attributes(h, c.id());
        List<SubscriberAttributes.Change> changes = new ArrayList<>();
        for (AttributeInput input : inputs) {
            CustomerStore.StoredAttribute before = stored.get(input.name());
            long at = before == null ? now : Math.max(now, before.updatedAtMs() + 1);
            String value = input.value() == null || input.value().isEmpty() ? null : input.value();
            changes.add(new SubscriberAttributes.Change(input.name(), value, at));
        }
        List<SubscriberAttributes.AttributeError> errors = SubscriberAttributes.apply(h, c.id(), changes);
        if (!errors.isEmpty()) {
            throw SubscriberAttributes.refused(errors); // thrown in the transaction: nothing of it is saved
        }
    }

    private static Customer find(Handle h, String projectId, String customerId) {
        return CustomerStore.findByAppUserId(h, projectId, customerId)
                .orElseThrow(() -> ApiException.notFound("Customer", customerId));
    }
}
