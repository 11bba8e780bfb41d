package io.substate.testing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A receiver-side verifier written from the Standard Webhooks specification, independently of the server's signing
 * code: {@code webhook-signature} is a space-separated list of {@code <version>,<base64>}; a {@code v1} entry is the
 * HMAC-SHA256 of {@code "{webhook-id}.{webhook-timestamp}.{body}"} keyed by the base64 bytes after {@code whsec_};
 * one matching entry (constant-time compare) within the timestamp tolerance verifies the message.
 */
public final class StandardWebhooksVerifier {
    private static final long TOLERANCE_SECONDS = 5 * 60;

    private StandardWebhooksVerifier() {}

    /** True when the message verifies with {@code secret}; false for any mismatch or malformed header. */
    public static boolean verifies(String secret, String id, String timestamp, String signatureHeader, String body) {
        return verifies(secret, id, timestamp, signatureHeader, body, System.currentTimeMillis() / 1000);
    }

    /** As {@link #verifies(String, String, String, String, String)}, at {@code nowSeconds}. */
    public static boolean verifies(String secret, String id, String timestamp, String signatureHeader, String body,
            long nowSeconds) {
        if (id == null || timestamp == null || signatureHeader == null) {
            return false;
        }
        long sentAt;
        try {
            sentAt = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            return false;
        }
        if (Math.abs(nowSeconds - sentAt) > TOLERANCE_SECONDS) {
            return false;
        }
        byte[] expected = expected(secret, id + "." + timestamp + "." + body);
        for (String entry : signatureHeader.split(" ")) {
            int comma = entry.indexOf(',');
            if (comma < 0 || !entry.substring(0, comma).equals("v1")) {
                continue;
            }
            byte[] given;
            try {
                given = Base64.getDecoder().decode(entry.substring(comma + 1));
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (MessageDigest.isEqual(expected, given)) {
                return true;
            }
        }
        return false;
    }

    /** Verifies a received request with its own headers. */
    public static boolean verifies(String secret, WebhookReceiver.Received request) {
        return verifies(secret, request.header("webhook-id"), request.header("webhook-timestamp"),
                request.header("webhook-signature"), request.body());
    }

    private static byte[] expected(String secret, String content) {
        String key = secret.startsWith("whsec_") ? secret.substring(6) : secret;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(key), "HmacSHA256"));
            return mac.doFinal(content.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
