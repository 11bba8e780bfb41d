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
 * @param prelude facts to apply first (the paid first invoice of a new subscription)
 * @param following facts to apply after {@code fact} (for a new subscription-mode checkout, its subscription and that
 *     subscription's paid first invoice read from the API: the session comes first, so that the INITIAL_PURCHASE they
 *     cause carries the session's metadata)
 * @param failure a Stripe API failure that prevented the resolution, or null
 * @param ignoredBecause why the event concerns no purchase (e.g. an invoice without a subscription), or null
 */
record ResolvedEvent(String token, String parkKey, StripeFact fact, List<StripeFact> prelude,
        List<StripeFact> following, ApiException failure, String ignoredBecause) {

    static ResolvedEvent of(String token, StripeFact fact) {
        return new ResolvedEvent(token, token, fact, List.of(), List.of(), null, null);
    }

    static ResolvedEvent ignored(StripeFact fact, String why) {
        return new ResolvedEvent(null, null, fact, List.of(), List.of(), null, why);
    }

    static ResolvedEvent failed(String parkKey, StripeFact fact, ApiException failure) {
        return new ResolvedEvent(null, parkKey, fact, List.of(), List.of(), failure, null);
    }

    static ResolvedEvent unresolved(String parkKey, StripeFact fact) {
        return new ResolvedEvent(null, parkKey, fact, List.of(), List.of(), null, null);
    }

    ResolvedEvent withPrelude(List<StripeFact> facts) {
        return new ResolvedEvent(token, parkKey, fact, facts, following, failure, ignoredBecause);
    }

    ResolvedEvent withFollowing(List<StripeFact> facts) {
        return new ResolvedEvent(token, parkKey, fact, prelude, facts, failure, ignoredBecause);
    }

    ResolvedEvent withFact(StripeFact newFact) {
        return new ResolvedEvent(token, parkKey, newFact, prelude, following, failure, ignoredBecause);
    }

    /** The key batches are ordered by, so that units touching the same purchase keep a stable lock order. */
    String orderKey(String eventId) {
        return token != null ? token : parkKey != null ? parkKey : eventId;
    }
}
