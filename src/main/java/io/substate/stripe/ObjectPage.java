package io.substate.stripe;

import java.util.List;
import java.util.Optional;

/**
 * One page of a Stripe list of objects (subscriptions, checkout sessions, refunds), newest first.
 *
 * @param rawObjects each object's JSON text exactly as Stripe sent it
 * @param hasMore whether older objects remain; ask again with {@code startingAfter = lastId()}
 * @param ids the objects' ids, in the same order
 */
public record ObjectPage(List<String> rawObjects, boolean hasMore, List<String> ids) {
    public ObjectPage {
        rawObjects = List.copyOf(rawObjects);
        ids = List.copyOf(ids);
        if (rawObjects.size() != ids.size()) {
            throw new IllegalArgumentException("one id per object expected");
        }
    }

    /** The cursor for the next (older) page, empty when the page is empty. */
    public Optional<String> lastId() {
        return ids.isEmpty() ? Optional.empty() : Optional.of(ids.get(ids.size() - 1));
    }
}
