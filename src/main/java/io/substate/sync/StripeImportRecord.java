package io.substate.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;

/**
 * One import of an app's Stripe account as stored ({@code stripe_imports}) and answered by the API.
 *
 * @param status {@code running}, {@code completed} or {@code failed} (a failed import continues from its cursor)
 * @param phase {@code subscriptions}, {@code checkout_sessions}, {@code refunds}, then {@code done}
 * @param cursor the id of the last object of the last page of {@code phase} fully applied, null at a phase's start
 * @param counters {@link ImportCounters} as JSON
 */
public record StripeImportRecord(String id, String projectId, String appId, String status, String phase,
        String cursor, boolean dryRun, boolean deliverEvents, JsonNode counters, long startedAt, long updatedAt,
        Long finishedAt, String lastError) {
    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";

    /** The API's object. */
    public ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("object", "stripe_import");
        json.put("id", id);
        json.put("project_id", projectId);
        json.put("app_id", appId);
        json.put("status", status);
        json.put("phase", phase);
        json.put("cursor", cursor);
        json.put("dry_run", dryRun);
        json.put("deliver_events", deliverEvents);
        json.set("counters", counters);
        json.put("started_at", startedAt);
        json.put("updated_at", updatedAt);
        if (finishedAt == null) {
            json.putNull("finished_at");
        } else {
            json.put("finished_at", finishedAt);
        }
        json.put("last_error", lastError);
        json.put("summary", summary());
        return json;
    }

    /** One line saying what the import did (the CLI's last line). */
    public String summary() {
        JsonNode c = counters;
        long seconds = Math.max(0, ((finishedAt != null ? finishedAt : updatedAt) - startedAt) / 1000);
        long read = c.path("subscriptions_read").asLong() + c.path("checkout_sessions_read").asLong()
                + c.path("refunds_read").asLong();
        StringBuilder line = new StringBuilder(dryRun ? "Dry run of the import of app " : "Import of app ")
                .append(appId).append(' ').append(COMPLETED.equals(status) ? "completed" : RUNNING.equals(status)
                        ? "running (" + phase + ")" : "stopped in " + phase + " (run it again to continue)")
                .append(": ").append(c.path("subscriptions_read").asLong()).append(" subscriptions, ")
                .append(c.path("checkout_sessions_read").asLong()).append(" checkout sessions and ")
                .append(c.path("refunds_read").asLong()).append(" refunds read, ")
                .append(c.path("imported").asLong()).append(dryRun ? " would be imported, " : " imported, ")
                .append(c.path("unchanged").asLong()).append(" unchanged, ")
                .append(c.path("without_app_user_id").asLong()).append(" without App User ID");
        if (c.path("without_app_user_id_ids").size() > 0) {
            line.append(" (").append(join(c.path("without_app_user_id_ids"))).append(')');
        }
        line.append(", ").append(c.path("not_purchases").asLong()).append(" not about a purchase, ")
                .append(c.path("failed").asLong()).append(" failed");
        if (c.path("failures").size() > 0) {
            line.append(" (").append(join(c.path("failures"))).append(')');
        }
        line.append(", in ").append(seconds).append(" s (")
                .append(seconds == 0 ? read : read / seconds).append(" objects/s)");
        if (lastError != null && !COMPLETED.equals(status)) {
            line.append("; stopped because: ").append(lastError);
        }
        return line.toString();
    }

    private static String join(JsonNode array) {
        StringBuilder text = new StringBuilder();
        array.forEach(item -> text.append(text.length() == 0 ? "" : "; ").append(item.asText()));
        return text.toString();
    }
}
