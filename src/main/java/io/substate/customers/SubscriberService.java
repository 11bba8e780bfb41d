package io.substate.customers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.ApiException;
import io.substate.storage.GroupCommit;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The RevenueCat v1 subscriber operations: get-or-create, identify (logIn), attributes, delete. Writes go through
 * group commit (one transaction per batch); a read of an existing customer without X-Platform writes nothing.
 */
public final class SubscriberService {
    private final Jdbi jdbi;
    private final GroupCommit commits;
    private final Clock clock;
    private final SubscriberCache cache = new SubscriberCache();

    public SubscriberService(Jdbi jdbi, GroupCommit commits, Clock clock) {
        this.jdbi = jdbi;
        this.commits = commits;
        this.clock = clock;
    }

    /** A subscriber response, and whether this request created the customer (201 instead of 200). */
    public record Answer(ObjectNode body, boolean created) {}

    /**
     * A subscriber read's answer: the subscriber object ({@link SubscriberJson}, with its ETag), the customer's
     * {@code last_seen}, the time of the request, and whether this request created the customer (201, not 200).
     */
    public record Read(SubscriberJson json, long lastSeen, long now, boolean created) {
        public byte[] body() {
            return json.body(now, lastSeen);
        }
    }

    /**
     * {@code GET /v1/subscribers/{id}}: creates the customer if needed; {@code seen} updates {@code last_seen}. An
     * existing customer without {@code seen} is read without a transaction, through {@link SubscriberCache}.
     */
    public Read get(ApiCaller caller, String appUserId, boolean seen) {
        AppUserIds.require(appUserId, "app_user_id");
        if (!seen) {
            long now = clock.millis();
            Optional<SubscriberCache.Read> existing = jdbi.withHandle(h -> cache.read(h, caller, appUserId, now));
            if (existing.isPresent()) {
                return new Read(existing.get().json(), existing.get().lastSeen(), now, false);
            }
        }
        return commits.execute(appUserId, h -> {
            long now = clock.millis();
            Optional<Customer> found = CustomerStore.findByAppUserId(h, caller.projectId(), appUserId);
            Customer customer = found.orElseGet(() -> CustomerStore.create(h, caller.projectId(), appUserId, now));
            if (seen) {
                customer = CustomerStore.touch(h, customer, now);
            }
            SubscriberView.Inputs inputs = SubscriberView.load(h, customer,
                    io.substate.purchases.PurchaseStore.forCustomer(h, customer.id()), caller);
            SubscriberJson json = SubscriberJson.of(SubscriberView.subscriber(inputs, SubscriberJson.LAST_SEEN_MARK,
                    caller, now));
            return new Read(json, customer.lastSeen(), now, found.isEmpty());
        });
    }

    /**
     * {@code POST /v1/subscribers/identify}, RevenueCat's logIn: from an anonymous id to a new id, or to an existing
     * id that has no anonymous id yet, the two are merged; any other case switches to the new id without moving
     * anything. 201 when the new id's customer was created.
     */
    public Answer identify(ApiCaller caller, String currentId, String newId) {
        AppUserIds.require(currentId, "app_user_id");
        AppUserIds.require(newId, "new_app_user_id");
        return commits.execute(newId, h -> {
            long now = clock.millis();
            Optional<Customer> current = CustomerStore.findByAppUserId(h, caller.projectId(), currentId);
            Optional<Customer> target = CustomerStore.findByAppUserId(h, caller.projectId(), newId);
            boolean anonymousCurrent = AppUserIds.isAnonymous(currentId) && current.isPresent()
                    && CustomerStore.isAnonymous(h, current.get().id());
            Customer result;
            boolean created = false;
            if (target.isEmpty()) {
                if (anonymousCurrent) {
                    CustomerStore.addAlias(h, caller.projectId(), newId, current.get().id(), now);
                    result = current.get();
                } else {
                    result = CustomerStore.create(h, caller.projectId(), newId, now);
                }
                created = true;
            } else if (anonymousCurrent && !current.get().id().equals(target.get().id())
                    && !CustomerStore.hasAnonymousAlias(h, target.get().id())) {
                result = CustomerStore.merge(h, current.get(), target.get());
            } else {
                result = target.get();
            }
            return new Answer(SubscriberView.render(h, result, caller, now), created);
        });
    }

    /**
     * {@code POST /v1/subscribers/{id}/attributes}: saves the valid attributes; when some were refused, answers 7263
     * with {@code attribute_errors} after saving the others.
     */
    public ObjectNode setAttributes(ApiCaller caller, String appUserId, JsonNode attributes) {
        AppUserIds.require(appUserId, "app_user_id");
        List<SubscriberAttributes.Change> changes = SubscriberAttributes.parse(attributes, clock.millis());
        record Saved(ObjectNode body, List<SubscriberAttributes.AttributeError> errors) {}
        Saved saved = commits.execute(appUserId, h -> {
            long now = clock.millis();
            Customer customer = CustomerStore.findOrCreate(h, caller.projectId(), appUserId, now);
            List<SubscriberAttributes.AttributeError> errors = SubscriberAttributes.apply(h, customer.id(), changes);
            return new Saved(SubscriberView.render(h, customer, caller, now), errors);
        });
        if (!saved.errors().isEmpty()) {
            throw SubscriberAttributes.refused(saved.errors());
        }
        return saved.body();
    }

    /** {@code DELETE /v1/subscribers/{id}} (any alias): the customer, its aliases and attributes. */
    public void delete(ApiCaller caller, String appUserId) {
        AppUserIds.require(appUserId, "app_user_id");
        commits.execute(appUserId, h -> {
            Customer customer = CustomerStore.findByAppUserId(h, caller.projectId(), appUserId)
                    .orElseThrow(() -> ApiException.notFound("Subscriber", appUserId));
            CustomerStore.delete(h, customer.id());
            return null;
        });
    }
}
