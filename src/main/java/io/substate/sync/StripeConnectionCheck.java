package io.substate.sync;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.apps.App;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.common.Json;
import io.substate.stripe.AccountInfo;
import io.substate.ingest.LoggedStripeEvent;
import io.substate.stripe.StripeApi;
import io.substate.ingest.StripeEventRepository;
import io.substate.stripe.StripeEvents;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * "Check connection": whether the app's Stripe API key works for what Substate reads, which mode it is in, and
 * whether that is the mode of the events the app received. A failure is an error with a {@code STRIPE_*} code and a
 * message saying what to do: no key, key rejected or lacking a permission, Stripe unreachable, rate limited.
 */
public final class StripeConnectionCheck {
    private final StripeEventRepository log;
    private final String stripeApiBase;
    private final Clock clock;

    public StripeConnectionCheck(StripeEventRepository log, String stripeApiBase, Clock clock) {
        this.log = log;
        this.stripeApiBase = stripeApiBase;
        this.clock = clock;
    }

    public ObjectNode check(App app) {
        StripeApi api = StripeApi.forApp(stripeApiBase, app.stripeApiKey());
        String keyMode = mode(api.livemode());
        try {
            // Listing events needs the same read access as backfill; it is the probe that matters.
            api.events(clock.instant().getEpochSecond() - 60, StripeEvents.ACCEPTED_TYPES, null, 1);
        } catch (ApiException e) {
            throw explain(e, keyMode);
        }
        // The account only names the connection; a restricted key without access to it still works for Substate.
        Optional<AccountInfo> account = readAccount(api);
        List<LoggedStripeEvent> newest = log.list(app.id(), null, null, 1);
        ObjectNode body = Json.object();
        body.put("object", "stripe_connection");
        body.put("ok", true);
        body.put("mode", keyMode);
        body.put("account_id", account.map(AccountInfo::id).orElse(null));
        body.put("business_name", account.map(AccountInfo::businessName).orElse(null));
        body.put("email", account.map(AccountInfo::email).orElse(null));
        StringBuilder message = new StringBuilder("Stripe accepted the API key (" + keyMode + " mode"
                + account.map(a -> ", account " + a.id()).orElse(", account details not readable with this key")
                + ").");
        if (newest.isEmpty()) {
            body.putNull("events_mode");
            body.putNull("mode_matches_events");
            message.append(" No Stripe event has been received for this app yet.");
        } else {
            String eventsMode = mode(newest.get(0).livemode());
            boolean matches = eventsMode.equals(keyMode);
            body.put("events_mode", eventsMode);
            body.put("mode_matches_events", matches);
            message.append(matches ? " The latest event received is a " + eventsMode + " mode event too."
                    : " But it is a " + keyMode + " mode key while the latest event received is a " + eventsMode
                            + " mode event: Substate cannot read those purchases with this key. Use a " + eventsMode
                            + " mode key, or send this app the " + keyMode + " mode endpoint's events.");
        }
        body.put("message", message.toString());
        return body;
    }

    private static Optional<AccountInfo> readAccount(StripeApi api) {
        try {
            return Optional.of(api.account());
        } catch (ApiException e) {
            return Optional.empty();
        }
    }

    private ApiException explain(ApiException e, String keyMode) {
        String advice = switch (e.errorCode()) {
            case STRIPE_API_KEY_INVALID -> "The " + keyMode + " mode API key does not work: " + e.getMessage()
                    + ". In Stripe, open Developers → API keys, create a restricted key, and save it as this app's "
                    + "Stripe API key; it takes effect at once.";
            case STRIPE_API_ERROR -> "Stripe could not be reached at " + stripeApiBase + ": " + e.getMessage()
                    + ". Check the server's outbound network access (and SUBSTATE_STRIPE_API_BASE).";
            case STRIPE_RATE_LIMITED -> "Stripe is rate-limiting this key: " + e.getMessage();
            default -> e.getMessage();
        };
        return new ApiException(e.errorCode() == ErrorCode.STRIPE_OBJECT_NOT_FOUND ? ErrorCode.STRIPE_API_ERROR
                : e.errorCode(), advice, e.extra());
    }

    private static String mode(boolean livemode) {
        return livemode ? "live" : "test";
    }
}
