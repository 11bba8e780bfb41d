package io.substate.ingest;

import io.substate.common.ApiException;
import io.substate.purchases.StripeFact;
import java.util.List;

/**
 * Which purchase an event is about, found before the transaction (it may need the Stripe API).
 *
 * @param token the purchase's Stripe token ({@code sub_…} or {@code cs_…}), or null when it cannot be known
 * @param parkKey what a parked event waits for: the token, or the Stripe object it names when the token is unknown
 * @param fact the fact to apply, completed with what the API told (for example a session's line item)
 * @param prelude facts to apply first (a subscription read from the API for a new subscription-mode checkout, or
 *     the paid first invoice of a new subscription)
 * @param failure a Stripe API failure that prevented the resolution, or null
 * @param ignoredBecause why the event concerns no purchase (e.g. an invoice without a subscription), or null
 */
record ResolvedEvent(String token, String parkKey, StripeFact fact, List<StripeFact> prelude, ApiException failure,
        String ignoredBecause) {

    static ResolvedEvent of(String token, StripeFact fact) {
        return new ResolvedEvent(token, token, fact, List.of(), null, null);
    }

    static ResolvedEvent ignored(StripeFact fact, String why) {
        return new ResolvedEvent(null, null, fact, List.of(), null, why);
    }

    static ResolvedEvent failed(String parkKey, StripeFact fact, ApiException failure) {
        return new ResolvedEvent(null, parkKey, fact, List.of(), failure, null);
    }

    static ResolvedEvent unresolved(String parkKey, StripeFact fact) {
        return new ResolvedEvent(null, parkKey, fact, List.of(), null, null);
    }

    ResolvedEvent withPrelude(List<StripeFact> facts) {
        return new ResolvedEvent(token, parkKey, fact, facts, failure, ignoredBecause);
    }

    ResolvedEvent withFact(StripeFact newFact) {
        return new ResolvedEvent(token, parkKey, newFact, prelude, failure, ignoredBecause);
    }

    /** The key batches are ordered by, so that units touching the same purchase keep a stable lock order. */
    String orderKey(String eventId) {
        return token != null ? token : parkKey != null ? parkKey : eventId;
    }
}
