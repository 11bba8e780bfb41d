package io.substate.stripe;

import java.util.List;
import java.util.Optional;

/**
 * One page of Stripe's Events API, newest first.
 *
 * @param rawEvents each event's JSON text exactly as Stripe sent it (same bytes, same key order)
 * @param hasMore whether older events remain; ask again with {@code startingAfter = lastEventId()}
 * @param eventIds the events' ids, in the same order as {@code rawEvents}
 */
public record EventPage(List<String> rawEvents, boolean hasMore, List<String> eventIds) {
    public EventPage {
        rawEvents = List.copyOf(rawEvents);
        eventIds = List.copyOf(eventIds);
        if (rawEvents.size() != eventIds.size()) {
            throw new IllegalArgumentException("one id per event expected");
        }
    }

    /** The cursor for the next (older) page, empty when the page is empty. */
    public Optional<String> lastEventId() {
        return eventIds.isEmpty() ? Optional.empty() : Optional.of(eventIds.get(eventIds.size() - 1));
    }
}
