package io.substate.customers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import io.substate.http.RevenueCatETag;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * A subscriber object as written, split around the value of {@code last_seen}, and its ETag: the hash of the two
 * parts, so the ETag covers everything the SDK reads but {@code request_date} (every answer's own) and
 * {@code last_seen} (moved by every request with {@code X-Platform}, which SDKs always send, and read by no SDK).
 * Immutable: one may serve any number of requests (see {@link SubscriberCache}).
 */
public final class SubscriberJson {
    /** What {@link SubscriberView#subscriber} is given as {@code last_seen}, to be found in its text: random per run. */
    static final String LAST_SEEN_MARK = "last-seen-" + UUID.randomUUID();
    private static final String QUOTED_MARK = "\"" + LAST_SEEN_MARK + "\"";

    private final byte[] before;
    private final byte[] after;
    private final String etag;

    private SubscriberJson(byte[] before, byte[] after) {
        this.before = before;
        this.after = after;
        this.etag = RevenueCatETag.of(before, after);
    }

    /** From a subscriber object whose {@code last_seen} is {@link #LAST_SEEN_MARK}. */
    static SubscriberJson of(ObjectNode subscriber) {
        String text = Json.write(subscriber);
        int at = text.indexOf(QUOTED_MARK);
        if (at < 0) {
            throw new IllegalArgumentException("the subscriber object has no last_seen mark");
        }
        return new SubscriberJson(text.substring(0, at).getBytes(StandardCharsets.UTF_8),
                text.substring(at + QUOTED_MARK.length()).getBytes(StandardCharsets.UTF_8));
    }

    public String etag() {
        return etag;
    }

    /** {@code {request_date, request_date_ms, subscriber}} as {@link SubscriberView#render} writes it. */
    public byte[] body(long nowMillis, long lastSeenMillis) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(before.length + after.length + 128);
        out.writeBytes(("{\"request_date\":\"" + SubscriberView.date(nowMillis) + "\",\"request_date_ms\":" + nowMillis
                + ",\"subscriber\":").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(before);
        out.writeBytes(("\"" + SubscriberView.date(lastSeenMillis) + "\"").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(after);
        out.write('}');
        return out.toByteArray();
    }
}
