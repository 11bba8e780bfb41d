package io.substate.ingest;

import java.util.Locale;

/** Where a logged Stripe event stands: the {@code status} column of {@code stripe_events}, stored as {@link #value()}. */
public enum StripeEventStatus {
    /** Applied to its purchase, or about no purchase at all (an invoice without a subscription). */
    PROCESSED,
    /** Older than what its purchase already applied: logged, and it changed nothing. */
    STALE,
    /** Not applied (an unsupported type, Stripe unreadable): Stripe's next delivery or a replay tries again. */
    FAILED,
    /** Waiting for its purchase to exist (a receipt, or tracking): applied as soon as it does. */
    PARKED;

    private final String value = name().toLowerCase(Locale.ROOT);

    /** The stored and answered text: {@code processed}, {@code stale}, {@code failed}, {@code parked}. */
    public String value() {
        return value;
    }

    /** The status stored as {@code value}; any other text is refused, so none ever reaches SQL. */
    public static StripeEventStatus of(String value) {
        for (StripeEventStatus status : values()) {
            if (status.value().equals(value)) {
                return status;
            }
        }
        throw new IllegalArgumentException("not an event status: " + value);
    }

    /** Processed and stale events are done: a redelivery is a duplicate. Parked and failed ones are tried again. */
    public boolean isFinal() {
        return this == PROCESSED || this == STALE;
    }

    /**
     * The status as an SQL literal, not a parameter: failed and parked events have partial indexes of their own
     * (migrations V10 and V11), which the planners use only when the query names the status itself.
     */
    String literal() {
        return "'" + value + "'";
    }
}
