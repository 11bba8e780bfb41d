package io.substate.sync;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import java.time.Instant;

/**
 * What a backfill did. {@code processed} events changed state (or were applied), {@code stale} ones were older than
 * what was already applied, {@code duplicates} had been received before, {@code parked} wait for their purchase,
 * {@code failed} ones are in the event log with their reason (replay them in bulk once fixed).
 *
 * @param since the start actually used (never older than Stripe's 30 days)
 * @param requestedSince the start asked for
 * @param rateLimitWaits how many times Stripe asked to slow down and the backfill waited
 */
public record BackfillSummary(String appId, Instant since, Instant requestedSince, int pages, int fetched,
        int processed, int stale, int duplicates, int parked, int failed, int rateLimitWaits) {

    /** Whether Stripe's 30-day window cut the requested start. */
    public boolean clamped() {
        return since.isAfter(requestedSince);
    }

    public ObjectNode toJson() {
        ObjectNode node = Json.object();
        node.put("object", "backfill_summary");
        node.put("app_id", appId);
        node.put("since", since.toString());
        node.put("requested_since", requestedSince.toString());
        node.put("clamped_to_stripe_window", clamped());
        node.put("pages", pages);
        node.put("fetched", fetched);
        node.put("processed", processed);
        node.put("stale", stale);
        node.put("duplicates", duplicates);
        node.put("parked", parked);
        node.put("failed", failed);
        node.put("rate_limit_waits", rateLimitWaits);
        node.put("message", message());
        return node;
    }

    /** One human sentence; the CLI prints it last. */
    public String message() {
        StringBuilder text = new StringBuilder("Backfill of app " + appId + " since " + since + ": " + fetched
                + " events fetched in " + pages + " pages; " + processed + " processed, " + stale + " stale, "
                + duplicates + " duplicates, " + parked + " parked, " + failed + " failed.");
        if (clamped()) {
            text.append(" Stripe's Events API keeps only 30 days of events, so the backfill started at ").append(since)
                    .append(" instead of ").append(requestedSince).append("; post older subscriptions to /v1/receipts")
                    .append(" or refresh them to read their current state.");
        }
        if (parked > 0) {
            text.append(" Parked events are applied when their purchase's receipt is posted.");
        }
        if (failed > 0) {
            text.append(" Failed events are in the app's Stripe event log with their reason; fix it and replay them")
                    .append(" with POST …/stripe_events/actions/replay.");
        }
        return text.toString();
    }
}
