package io.substate.ingest;

import io.substate.apps.App;
import io.substate.common.ErrorCode;
import io.substate.customers.Customer;
import io.substate.customers.CustomerStore;
import io.substate.purchases.Outcome;
import io.substate.purchases.PurchaseState;
import io.substate.purchases.PurchaseStore;
import io.substate.purchases.StoredPurchase;
import io.substate.purchases.StripeFact;
import io.substate.storage.Dialect;
import io.substate.storage.ReadAhead;
import io.substate.stripe.StripeEvent;
import io.substate.stripe.StripeEvents;
import io.substate.stripe.StripeFacts;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * One Stripe event's unit of work inside its group-commit transaction: the duplicate check, the purchase (found,
 * created by tracking, or missing: parked), the facts applied, the log row written last with the outcome, and the
 * events that were parked for a purchase that now exists.
 */
final class WebhookUnit {
    private final PurchaseUpdater updater;
    private final Dialect dialect;

    WebhookUnit(PurchaseUpdater updater, Dialect dialect) {
        this.updater = updater;
        this.dialect = dialect;
    }

    /**
     * The rows {@link #run} will look up, in the order it does: the event's log row, its purchase, and the customer a
     * new purchase would go to (looked up in vain when the purchase exists: still one statement for the whole batch).
     * Read for the whole batch at once on PostgreSQL ({@link ReadAhead}).
     */
    static List<ReadAhead.Lookup> lookups(App app, StripeEvent event, ResolvedEvent resolved, IngestOptions options) {
        List<ReadAhead.Lookup> lookups = new ArrayList<>(3);
        lookups.add(StripeEventStore.KNOWN_AHEAD.lookup(app.id(), event.id()));
        if (resolved.failure() == null && resolved.ignoredBecause() == null && resolved.token() != null) {
            lookups.add(PurchaseStore.FIND_FOR_UPDATE_AHEAD.lookup(app.id(), resolved.token()));
            if (app.trackNewPurchases() && NewPurchaseTracking.canStart(resolved.fact())) {
                String appUserId = detect(app, resolved.fact(), options).appUserId();
                if (appUserId != null) {
                    lookups.add(CustomerStore.BY_APP_USER_ID_AHEAD.lookup(app.projectId(), appUserId));
                }
            }
        }
        return lookups;
    }

    WebhookResult run(Handle h, App app, StripeEvent event, String payload, ResolvedEvent resolved, boolean replay,
            long now, IngestOptions options) {
        Optional<StripeEventStore.Known> known = StripeEventStore.known(h, app.id(), event.id(), dialect.forUpdate());
        if (known.isPresent() && !replay && known.get().status().isFinal()) {
            StripeEventStore.countDuplicate(h, app.id(), event.id());
            return WebhookResult.duplicate(event.id(), known.get().purchaseId());
        }
        LogRow log = new LogRow(h, app.id(), event, payload, now, known.isPresent());
        if (resolved.failure() != null) {
            // Not parked: a failure to read Stripe is retried on Stripe's next delivery, or replayed by hand.
            log.write(StripeEventStatus.FAILED, resolved.failure().errorCode().code(),
                    resolved.failure().getMessage(), resolved.parkKey(), null);
            return WebhookResult.rejected(event.id(), StripeEventStatus.FAILED, resolved.failure().errorCode(),
                    resolved.failure().getMessage());
        }
        if (resolved.ignoredBecause() != null) {
            log.write(StripeEventStatus.PROCESSED, null, resolved.ignoredBecause(), null, null);
            return WebhookResult.ok(event.id(), StripeEventStatus.PROCESSED, null);
        }
        if (resolved.token() == null) {
            return park(log, resolved.parkKey(), ErrorCode.PURCHASE_NOT_FOUND, notFoundMessage(resolved.parkKey()));
        }
        Optional<StoredPurchase> existing = PurchaseStore.findForUpdate(h, app.id(), resolved.token(),
                dialect.forUpdate());
        boolean created = existing.isEmpty();
        StoredPurchase purchase;
        PurchaseUpdater.KnownCustomer customerKnown = null;
        if (existing.isPresent()) {
            purchase = existing.get();
        } else if (app.trackNewPurchases() && NewPurchaseTracking.canStart(resolved.fact())) {
            NewPurchaseTracking.Detection detection = detect(app, resolved.fact(), options);
            if (detection.appUserId() == null) {
                return park(log, resolved.token(), ErrorCode.APP_USER_ID_NOT_DETECTED, detection.problem());
            }
            Optional<Customer> found = CustomerStore.findByAppUserId(h, app.projectId(), detection.appUserId());
            Customer customer = found.orElseGet(() -> CustomerStore.create(h, app.projectId(), detection.appUserId(),
                    now));
            // A customer created just now has one App User ID; an existing one's aliases are read when needed.
            customerKnown = new PurchaseUpdater.KnownCustomer(customer,
                    found.isPresent() ? null : List.of(detection.appUserId()));
            // Stored by the first fact applied below, with the state after it.
            purchase = PurchaseStore.unsaved(app.projectId(), app.id(), customer.id(), resolved.token(),
                    PurchaseState.empty(kindOf(resolved.fact()), resolved.token(), event.livemode()), now);
        } else {
            return park(log, resolved.token(), ErrorCode.PURCHASE_NOT_FOUND, notFoundMessage(resolved.token()));
        }
        List<StripeFact> facts = new ArrayList<>(resolved.prelude());
        facts.add(resolved.fact());
        facts.addAll(resolved.following());
        Outcome outcome = Outcome.STALE;
        boolean unsaved = created;
        for (StripeFact f : facts) {
            PurchaseUpdater.Applied applied = unsaved
                    ? updater.applyToNew(h, purchase, f, event.id(), now, customerKnown, options.deliverEvents())
                    : updater.apply(h, purchase, f, event.id(), now, customerKnown, options.deliverEvents());
            unsaved = false;
            purchase = applied.purchase();
            if (f == resolved.fact()) {
                outcome = applied.outcome();
            }
        }
        StripeEventStatus status = statusOf(outcome);
        // Written before the parked events are applied: a parked event delivered again is not among them twice.
        log.write(status, null, null, resolved.token(), purchase.id());
        if (created) {
            applyParked(h, purchase, now, customerKnown, options.deliverEvents());
        }
        return WebhookResult.ok(event.id(), status, purchase.id());
    }

    /** Logs an event of a type Substate does not accept as failed (counted as a duplicate if it was logged before). */
    void logUnsupported(Handle h, App app, StripeEvent event, String payload, long now, String message) {
        boolean logged = StripeEventStore.known(h, app.id(), event.id(), dialect.forUpdate()).isPresent();
        if (logged) {
            StripeEventStore.countDuplicate(h, app.id(), event.id());
        }
        new LogRow(h, app.id(), event, payload, now, logged).write(StripeEventStatus.FAILED,
                ErrorCode.UNSUPPORTED_EVENT_TYPE.code(), message, null, null);
    }

    /**
     * Applies the events that were parked while this purchase did not exist (the receipt rule), oldest first.
     * Called when a purchase appears: by tracking here, or when its receipt is posted.
     */
    int applyParked(Handle h, StoredPurchase purchase, long now, PurchaseUpdater.KnownCustomer known) {
        return applyParked(h, purchase, now, known, true);
    }

    private int applyParked(Handle h, StoredPurchase purchase, long now, PurchaseUpdater.KnownCustomer known,
            boolean deliver) {
        if (!StripeEventStore.anyParked(h, purchase.appId())) {
            return 0;
        }
        int applied = 0;
        StoredPurchase current = purchase;
        for (LoggedStripeEvent parked : StripeEventStore.parkedFor(h, purchase.appId(), purchase.token())) {
            StripeEvent event = StripeEvents.parse(parked.payload());
            PurchaseUpdater.Applied result = updater.apply(h, current, StripeFacts.from(event), event.id(), now, known,
                    deliver);
            current = result.purchase();
            StripeEventStore.recordOutcome(h, purchase.appId(), event.id(), statusOf(result.outcome()), null, null,
                    purchase.token(), purchase.id(), now);
            applied++;
        }
        return applied;
    }

    /**
     * The event's row in the log, written once with the outcome: inserted if the event is new, else (a parked or
     * failed event delivered or replayed again) updated.
     */
    private record LogRow(Handle h, String appId, StripeEvent event, String payload, long now, boolean exists) {
        void write(StripeEventStatus status, String errorCode, String errorMessage, String purchaseToken,
                String purchaseId) {
            if (exists) {
                StripeEventStore.recordOutcome(h, appId, event.id(), status, errorCode, errorMessage, purchaseToken,
                        purchaseId, now);
            } else {
                StripeEventStore.insert(h, appId, event, payload, now, status, errorCode, errorMessage, purchaseToken,
                        purchaseId);
            }
        }
    }

    private static WebhookResult park(LogRow log, String parkKey, ErrorCode code, String message) {
        log.write(StripeEventStatus.PARKED, code.code(), message, parkKey, null);
        StripeEventStore.forgetAnyParked(log.h(), log.appId());
        return WebhookResult.rejected(log.event().id(), StripeEventStatus.PARKED, code, message);
    }

    private static StripeEventStatus statusOf(Outcome outcome) {
        return outcome == Outcome.STALE ? StripeEventStatus.STALE : StripeEventStatus.PROCESSED;
    }

    private static String notFoundMessage(String key) {
        return "No purchase for " + key + " exists in this app yet. Post the Stripe token to /v1/receipts first "
                + "(send your purchase tokens), or enable 'Track new purchases from server-to-server notifications' "
                + "for this app. The event is parked: it is applied as soon as the purchase exists, and Stripe's "
                + "retries are then answered 200.";
    }

    /** The App User ID a new purchase gets: the caller's (an import's mapping), else the app's detection method. */
    static NewPurchaseTracking.Detection detect(App app, StripeFact fact, IngestOptions options) {
        return options.appUserId() != null ? new NewPurchaseTracking.Detection(options.appUserId(), null)
                : NewPurchaseTracking.detect(app, fact);
    }

    static PurchaseState.Kind kindOf(StripeFact fact) {
        return fact instanceof StripeFact.CheckoutFact c && "payment".equals(c.mode())
                ? PurchaseState.Kind.ONE_TIME : PurchaseState.Kind.SUBSCRIPTION;
    }
}
