package io.substate.ingest;

import java.util.Locale;

/**
 * What became of one Stripe event, as the endpoint, the backfill and replays report it: its log status, or
 * {@code duplicate} for an event already done. An event refused before it could be logged (unknown app, bad
 * signature, unreadable body) is {@code failed}.
 */
public enum WebhookOutcome {
    PROCESSED,
    STALE,
    DUPLICATE,
    PARKED,
    FAILED;

    private final String value = name().toLowerCase(Locale.ROOT);

    /** The answered text: {@code processed}, {@code stale}, {@code duplicate}, {@code parked}, {@code failed}. */
    public String value() {
        return value;
    }

    static WebhookOutcome of(StripeEventStatus status) {
        return switch (status) {
            case PROCESSED -> PROCESSED;
            case STALE -> STALE;
            case FAILED -> FAILED;
            case PARKED -> PARKED;
        };
    }
}
