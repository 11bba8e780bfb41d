package io.substate.stripe;

import io.substate.http.ApiException;
import io.substate.purchases.StripeFact;
import java.util.List;

/**
 * Which purchase an event is about, found before the transaction (it may need the Stripe API).
 *
 * @param token the purchase's Stripe token ({@code sub_…} or {@code cs_…}), or null when it cannot be known
 * @param parkKey what a parked event waits for: the token, or the Stripe object it names when the token is unknown
 * @param fact the fact to apply, completed with what the API told (for example a session's line item)
 * @param prelude facts to apply first (a subscription read from the API for a new subscription-mode checkout)
 * @param failure a Stripe API failure that prevented the resolution, or null
 * @param ignoredBecause why the event concerns no purchase (e.g. an invoice without a subscription), or null
 */
record Resolution(String token, String parkKey, StripeFact fact, List<StripeFact> prelude, ApiException failure,
        String ignoredBecause) {

    static Resolution of(String token, StripeFact fact) {
        return new Resolution(token, token, fact, List.of(), null, null);
    }

    static Resolution ignored(StripeFact fact, String why) {
        return new Resolution(null, null, fact, List.of(), null, why);
    }

    static Resolution failed(String parkKey, StripeFact fact, ApiException failure) {
        return new Resolution(null, parkKey, fact, List.of(), failure, null);
    }

    static Resolution unresolved(String parkKey, StripeFact fact) {
        return new Resolution(null, parkKey, fact, List.of(), null, null);
    }

    Resolution withPrelude(List<StripeFact> facts) {
        return new Resolution(token, parkKey, fact, facts, failure, ignoredBecause);
    }

    Resolution withFact(StripeFact newFact) {
        return new Resolution(token, parkKey, newFact, prelude, failure, ignoredBecause);
    }

    /** The key batches are ordered by, so that units touching the same purchase keep a stable lock order. */
    String orderKey(String eventId) {
        return token != null ? token : parkKey != null ? parkKey : eventId;
    }
}
