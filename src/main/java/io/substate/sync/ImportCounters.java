package io.substate.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * What a Stripe import has done so far, counted per object read (a subscription with its latest invoice is one
 * object). Stored with the import as JSON, so a resumed import goes on counting. Thread-safe: the objects of a page are
 * applied concurrently.
 */
final class ImportCounters {
    /** How many object ids (without App User ID) and failures are kept for the summary. */
    static final int LISTED = 20;

    /** What became of one object. */
    enum Result { IMPORTED, UNCHANGED, WITHOUT_APP_USER_ID, NOT_A_PURCHASE, FAILED }

    private long subscriptions;
    private long checkoutSessions;
    private long refunds;
    private long imported;
    private long unchanged;
    private long withoutAppUserId;
    private long notPurchases;
    private long failed;
    private long rateLimitWaits;
    private final List<String> withoutAppUserIdIds = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    synchronized void read(StripeImport.Phase phase, int count) {
        switch (phase) {
            case SUBSCRIPTIONS -> subscriptions += count;
            case CHECKOUT_SESSIONS -> checkoutSessions += count;
            case REFUNDS -> refunds += count;
            case DONE -> { }
        }
    }

    synchronized void count(String objectId, Result result, String reason) {
        switch (result) {
            case IMPORTED -> imported++;
            case UNCHANGED -> unchanged++;
            case WITHOUT_APP_USER_ID -> {
                withoutAppUserId++;
                if (withoutAppUserIdIds.size() < LISTED && !withoutAppUserIdIds.contains(objectId)) {
                    withoutAppUserIdIds.add(objectId);
                }
            }
            case NOT_A_PURCHASE -> notPurchases++;
            case FAILED -> {
                failed++;
                if (failures.size() < LISTED) {
                    failures.add(objectId + ": " + reason);
                }
            }
        }
    }

    synchronized void rateLimitWait() {
        rateLimitWaits++;
    }

    synchronized long read() {
        return subscriptions + checkoutSessions + refunds;
    }

    synchronized long done() {
        return imported + unchanged + withoutAppUserId + notPurchases + failed;
    }

    synchronized ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("subscriptions_read", subscriptions);
        json.put("checkout_sessions_read", checkoutSessions);
        json.put("refunds_read", refunds);
        json.put("imported", imported);
        json.put("unchanged", unchanged);
        json.put("without_app_user_id", withoutAppUserId);
        json.put("not_purchases", notPurchases);
        json.put("failed", failed);
        json.put("rate_limit_waits", rateLimitWaits);
        ArrayNode ids = json.putArray("without_app_user_id_ids");
        withoutAppUserIdIds.forEach(ids::add);
        ArrayNode reasons = json.putArray("failures");
        failures.forEach(reasons::add);
        return json;
    }

    static ImportCounters fromJson(JsonNode json) {
        ImportCounters counters = new ImportCounters();
        counters.subscriptions = json.path("subscriptions_read").asLong();
        counters.checkoutSessions = json.path("checkout_sessions_read").asLong();
        counters.refunds = json.path("refunds_read").asLong();
        counters.imported = json.path("imported").asLong();
        counters.unchanged = json.path("unchanged").asLong();
        counters.withoutAppUserId = json.path("without_app_user_id").asLong();
        counters.notPurchases = json.path("not_purchases").asLong();
        counters.failed = json.path("failed").asLong();
        counters.rateLimitWaits = json.path("rate_limit_waits").asLong();
        json.path("without_app_user_id_ids").forEach(id -> counters.withoutAppUserIdIds.add(id.asText()));
        json.path("failures").forEach(reason -> counters.failures.add(reason.asText()));
        return counters;
    }
}
