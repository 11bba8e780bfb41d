package io.substate.http;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * RevenueCat's ETag protocol for the GETs its SDKs cache (README, "RevenueCat REST API v1"). The SDKs keep each
 * answer with its {@code X-RevenueCat-ETag} by URL and send that ETag back with the next request of the URL (with
 * {@code X-RC-Last-Refresh-Time}, which only RevenueCat's load shedding reads). An unchanged answer is a 304 without
 * a body: the SDK then uses the answer it kept, with this response's {@code X-RevenueCat-Request-Time} as the request
 * date (it decides which entitlements are active from that date, so the 304 must carry the time of now, not the
 * kept answer's). A 304 for an answer the SDK no longer has makes it ask again without an ETag.
 */
public final class RevenueCatETag {
    public static final String HEADER = "X-RevenueCat-ETag";
    public static final String REQUEST_TIME = "X-RevenueCat-Request-Time";

    private RevenueCatETag() {}

    /** The ETag of an answer made of these parts (in order): 128 bits of their SHA-256, in hex. */
    public static String of(byte[]... parts) {
        MessageDigest digest = sha256();
        for (byte[] part : parts) {
            digest.update(part);
        }
        return HexFormat.of().formatHex(digest.digest(), 0, 16);
    }

    public static String of(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sets the answer's ETag and request time; when the request sent that ETag, answers 304 without a body and
     * returns true (the caller then writes nothing more).
     */
    public static boolean notModified(Context ctx, String etag, long nowMillis) {
        ctx.header(HEADER, etag);
        ctx.header(REQUEST_TIME, Long.toString(nowMillis));
        if (etag.equals(ctx.header(HEADER))) {
            ctx.status(304);
            return true;
        }
        return false;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
