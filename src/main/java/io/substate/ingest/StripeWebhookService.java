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
    private final Clock clock;

    public StripeWebhookService(AppService apps, Jdbi jdbi, Dialect dialect, GroupCommit commits,
            PurchaseUpdater updater, String stripeApiBase, Clock clock) {
        this.apps = apps;
        this.resolver = new PurchaseResolver(jdbi, stripeApiBase);
        this.unit = new WebhookUnit(updater, dialect);
        this.commits = commits;
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
            return process(app, new String(body, StandardCharsets.UTF_8), false);
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
        return process(app, payload, false);
    }

    /** Runs a stored event through the normal path again (no signature: it was verified when received). */
    public WebhookResult replay(App app, LoggedStripeEvent logged) {
        return process(app, logged.payload(), true);
    }

    /**
     * Applies the events parked while this purchase did not exist, inside the caller's transaction (a receipt that
     * just created it); returns how many.
     */
    public int applyParked(Handle h, StoredPurchase purchase, long now) {
        return unit.applyParked(h, purchase, now, null);
    }

    private WebhookResult process(App app, String payload, boolean replay) {
        StripeEvent event;
        StripeFact fact;
        try {
            event = StripeEvents.parse(payload);
            if (!StripeEvents.isAccepted(event.type())) {
                return rejectUnsupported(app, event, payload);
            }
            fact = StripeFacts.from(event);
        } catch (ApiException e) {
            return WebhookResult.refused(null, e); // the body is no Stripe event Substate can read
        }
        long receivedAt = clock.millis();
        ResolvedEvent resolved = resolver.resolve(app, fact);
        return commits.execute(resolved.orderKey(event.id()), WebhookUnit.lookups(app, event, resolved),
                h -> unit.run(h, app, event, payload, resolved, replay, receivedAt));
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
