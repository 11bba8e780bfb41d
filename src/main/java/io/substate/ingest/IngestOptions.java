package io.substate.ingest;

/**
 * How an event Substate made itself from a Stripe object (the Stripe import, {@code sync.StripeImport}) differs from a
 * delivery: the App User ID a new purchase gets when a mapping names one, and whether its outgoing events go to the
 * integrations.
 *
 * @param appUserId the App User ID for a purchase this event starts, instead of the app's detection method; null to
 *     detect as a webhook would
 * @param deliverEvents false to keep outgoing events in the customer's history without sending them to integrations
 * @param reads what the import already read from Stripe, which resolving the event need not read again
 */
public record IngestOptions(String appUserId, boolean deliverEvents, StripeReadMemo reads) {
    /** A delivery from Stripe: detected, delivered. */
    public static final IngestOptions WEBHOOK = new IngestOptions(null, true, StripeReadMemo.NONE);

    public IngestOptions {
        java.util.Objects.requireNonNull(reads, "reads");
    }
}
