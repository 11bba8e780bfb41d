package io.substate.purchases;

import java.util.List;

/** The result of applying one fact: the next state, whether the fact was applied, and the events to send. */
public record Transition(PurchaseState next, Outcome outcome, List<OutgoingEventDraft> events) {
    public Transition {
        events = List.copyOf(events);
    }
}
