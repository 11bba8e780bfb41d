package io.substate.ingest;

import io.substate.apps.App;
import io.substate.apps.AppService;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.purchases.StoredPurchase;
import io.substate.purchases.StripeFact;
import io.substate.storage.DatabaseUnavailableException;
import io.substate.storage.Dialect;
import io.substate.storage.GroupCommit;
import io.substate.stripe.SignatureException;
import io.substate.stripe.StripeEvent;
import io.substate.stripe.StripeEvents;
import io.substate.stripe.StripeFacts;
import io.substate.stripe.StripeSignatureVerifier;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import io.substate.purchases.PurchaseState;
import io.substate.purchases.PurchaseStateMachine;
import io.substate.purchases.PurchaseStore;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The Stripe webhook endpoint's work (README, "Stripe webhook endpoint"): verify, parse, find the purchase, then
 * commit the event-log row, the new state and the outgoing events in one transaction ({@link WebhookUnit}) before
 * answering. Every answer is a {@link WebhookResult}: what Stripe must be told is wrong is a result, never thrown.
 */
public final class StripeWebhookService {
    private final AppService apps;
    private final PurchaseResolver resolver;
    private final WebhookUnit unit;
    private final GroupCommit commits;
    private final Jdbi jdbi;
    private final Clock clock;

    public StripeWebhookService(AppService apps, Jdbi jdbi, Dialect dialect, GroupCommit commits,
            PurchaseUpdater updater, String stripeApiBase, Clock clock) {
        this.apps = apps;
        this.resolver = new PurchaseResolver(jdbi, stripeApiBase);
        this.unit = new WebhookUnit(updater, dialect);
        this.commits = commits;
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /** Handles one delivery from Stripe: the app's secrets check the signature on the exact bytes received. */
    public WebhookResult receive(String appId, byte[] body, String signatureHeader) {
        return receive(appId, () -> body, signatureHeader);
    }

    /**
     * The same, reading the body only once the app is known to exist and have a secret: a delivery to an unknown
     * app is answered before its body arrives, so no client holds a request thread by sending one slowly there. A
     * body that cannot be read (too slow, too many at once, cut short) is a refused result too.
     */
    public WebhookResult receive(String appId, Supplier<byte[]> bodyReader, String signatureHeader) {
        App app = apps.findForWebhook(appId).orElse(null);
        if (app == null) {
            return unknownApp(appId);
        }
        long now = clock.millis();
        List<String> secrets = app.validWebhookSecrets(now);
        if (secrets.isEmpty()) {
            apps.recordSignatureFailure(appId, "webhook secret not configured", now);
            return WebhookResult.refused(null, new ApiException(ErrorCode.WEBHOOK_SECRET_NOT_CONFIGURED, "This app "
                    + "has no Stripe Webhook Secret. In Stripe's Webhooks page, open this endpoint, reveal its Signing "
                    + "secret (whsec_…), and paste it into the app's Stripe Webhook Secret field in Substate."));
        }
        byte[] body;
        try {
            body = bodyReader.get();
        } catch (ApiException e) {
            return WebhookResult.refused(null, e);
        }
        try {
            StripeSignatureVerifier.verify(body, signatureHeader, secrets, now / 1000);
        } catch (SignatureException e) {
            apps.recordSignatureFailure(appId, e.getMessage(), now);
            return WebhookResult.refused(null, new ApiException(ErrorCode.INVALID_SIGNATURE, e.getMessage()));
        }
        try {
            return process(app, new String(body, StandardCharsets.UTF_8), false, IngestOptions.WEBHOOK);
        } catch (RuntimeException e) {
            if (DatabaseUnavailableException.isCauseOf(e)) {
                throw e; // answered 503: Stripe retries; asking the database about the app would only wait again
            }
            // The app was deleted while this event was on its way (or another instance deleted it within the
            // moment this one reuses an app it read): the writes failed on its foreign keys. Stripe is told the
            // app is gone, as it would be a moment later, not that Substate failed.
            if (apps.find(appId).isEmpty()) {
                return unknownApp(appId);
            }
            throw e;
        }
    }

    private static WebhookResult unknownApp(String appId) {
        return WebhookResult.refused(null, new ApiException(ErrorCode.RESOURCE_MISSING, "No Stripe app '" + appId
                + "' exists. Copy the Stripe Webhook Endpoint again from the app's Webhook Configuration in the "
                + "Substate dashboard and update the endpoint URL in Stripe."));
    }

    /**
     * Handles an event Substate fetched from Stripe itself (the Events API, with the app's key), exactly as a
     * delivery of the same bytes: a new event-log row, or a duplicate counted; no signature, since no one could
     * forge it.
     */
    public WebhookResult ingestVerified(App app, String payload) {
        return process(app, payload, false, IngestOptions.WEBHOOK);
    }

    /**
     * Handles an event the Stripe import made from an object it read ({@code sync.StripeImport}): as
     * {@link #ingestVerified}, with the import's App User ID for a purchase it starts and its choice of delivering
     * outgoing events.
     */
    public WebhookResult ingestImported(App app, String payload, IngestOptions options) {
        // An object read again unchanged is an event already applied: answered before resolving it, so a second
        // import asks Stripe for nothing more than its lists. (The unit checks again in its transaction.)
        StripeEvent event;
        try {
            event = StripeEvents.parse(payload);
        } catch (ApiException e) {
            return WebhookResult.refused(null, e);
        }
        var known = jdbi.withHandle(h -> StripeEventStore.known(h, app.id(), event.id(), ""));
        if (known.isPresent() && known.get().status().isFinal()) {
            return WebhookResult.duplicate(event.id(), known.get().purchaseId());
        }
        return process(app, event, payload, false, options);
    }

    /** What {@link #ingestImported} would do with an event, found without writing anything (a dry run). */
    public enum PreviewOutcome {
        /** A new purchase would be created. */
        WOULD_CREATE,
        /** A known purchase would change. */
        WOULD_CHANGE,
        /** Nothing would change: the event was applied before, or says nothing new. */
        UNCHANGED,
        /** A new purchase, but the app's detection method finds no App User ID for it: it would be parked. */
        NO_APP_USER_ID,
        /** No purchase to apply it to (not tracked, or a refund of a payment no purchase made): it would be parked. */
        NO_PURCHASE,
        /** The object concerns no purchase. */
        IGNORED,
        /** Stripe could not be read to resolve it. */
        FAILED
    }

    /** A dry run's answer for one event; {@code error} and {@code message} say why when FAILED or NO_APP_USER_ID. */
    public record Preview(PreviewOutcome outcome, ErrorCode error, String message) {}

    /**
     * Resolves the event as {@link #ingestImported} would (the same Stripe reads) and runs the pure state machine over
     * the stored purchase, reading the database only: nothing is written.
     */
    public Preview preview(App app, String payload, IngestOptions options) {
        StripeEvent event;
        StripeFact fact;
        try {
            event = StripeEvents.parse(payload);
            fact = StripeFacts.from(event);
        } catch (ApiException e) {
            return new Preview(PreviewOutcome.FAILED, e.errorCode(), e.getMessage());
        }
        var known = jdbi.withHandle(h -> StripeEventStore.known(h, app.id(), event.id(), ""));
        if (known.isPresent() && known.get().status().isFinal()) {
            return new Preview(PreviewOutcome.UNCHANGED, null, null);
        }
        ResolvedEvent resolved = resolver.resolve(app, fact, options.reads());
        return jdbi.withHandle(h -> {
            if (resolved.failure() != null) {
                return new Preview(PreviewOutcome.FAILED, resolved.failure().errorCode(),
                        resolved.failure().getMessage());
            }
            if (resolved.ignoredBecause() != null) {
                return new Preview(PreviewOutcome.IGNORED, null, resolved.ignoredBecause());
            }
            if (resolved.token() == null) {
                return new Preview(PreviewOutcome.NO_PURCHASE, ErrorCode.PURCHASE_NOT_FOUND, null);
            }
            var existing = PurchaseStore.findForUpdate(h, app.id(), resolved.token(), "");
            if (existing.isEmpty()) {
                if (!app.trackNewPurchases() || !NewPurchaseTracking.canStart(resolved.fact())) {
                    return new Preview(PreviewOutcome.NO_PURCHASE, ErrorCode.PURCHASE_NOT_FOUND, null);
                }
                NewPurchaseTracking.Detection detection = WebhookUnit.detect(app, resolved.fact(), options);
                return detection.appUserId() == null
                        ? new Preview(PreviewOutcome.NO_APP_USER_ID, ErrorCode.APP_USER_ID_NOT_DETECTED,
                                detection.problem())
                        : new Preview(PreviewOutcome.WOULD_CREATE, null, null);
            }
            PurchaseState state = existing.get().state();
            List<StripeFact> facts = new ArrayList<>(resolved.prelude());
            facts.add(resolved.fact());
            facts.addAll(resolved.following());
            PurchaseState next = state;
            for (StripeFact f : facts) {
                next = PurchaseStateMachine.apply(next, f).next();
            }
            return new Preview(next.equals(state) ? PreviewOutcome.UNCHANGED : PreviewOutcome.WOULD_CHANGE, null,
                    null);
        });
    }

    /** Runs a stored event through the normal path again (no signature: it was verified when received). */
    public WebhookResult replay(App app, LoggedStripeEvent logged) {
        return process(app, logged.payload(), true, IngestOptions.WEBHOOK);
    }

    /**
     * Applies the events parked while this purchase did not exist, inside the caller's transaction (a receipt that
     * just created it); returns how many.
     */
    public int applyParked(Handle h, StoredPurchase purchase, long now) {
        return unit.applyParked(h, purchase, now, null);
    }

    private WebhookResult process(App app, String payload, boolean replay, IngestOptions options) {
        StripeEvent event;
        try {
            event = StripeEvents.parse(payload);
        } catch (ApiException e) {
            return WebhookResult.refused(null, e); // the body is no Stripe event Substate can read
        }
        return process(app, event, payload, replay, options);
    }

    private WebhookResult process(App app, StripeEvent event, String payload, boolean replay, IngestOptions options) {
        StripeFact fact;
        try {
            if (!StripeEvents.isAccepted(event.type())) {
                return rejectUnsupported(app, event, payload);
            }
            fact = StripeFacts.from(event);
        } catch (ApiException e) {
            return WebhookResult.refused(null, e); // the body is no Stripe event Substate can read
        }
        long receivedAt = clock.millis();
        ResolvedEvent resolved = resolver.resolve(app, fact, options.reads());
        return commits.execute(resolved.orderKey(event.id()), WebhookUnit.lookups(app, event, resolved, options),
                h -> unit.run(h, app, event, payload, resolved, replay, receivedAt, options));
    }

    private WebhookResult rejectUnsupported(App app, StripeEvent event, String payload) {
        String message = "Stripe event type '" + event.type() + "' is not supported. Select only these events for "
                + "this endpoint in Stripe: " + String.join(", ", StripeEvents.ACCEPTED_TYPES) + ". Other types are "
                + "answered with this error, and Stripe eventually disables an endpoint that keeps failing.";
        long now = clock.millis();
        commits.execute(event.id(), h -> {
            unit.logUnsupported(h, app, event, payload, now, message);
            return null;
        });
        return WebhookResult.rejected(event.id(), StripeEventStatus.FAILED, ErrorCode.UNSUPPORTED_EVENT_TYPE, message);
    }
}
