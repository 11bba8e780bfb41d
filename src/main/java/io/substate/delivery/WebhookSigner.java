package io.substate.delivery;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks symmetric signatures: {@code v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">}, keyed by the
 * base64-decoded part of the {@code whsec_} secret. Several secrets (during a rotation) give several space-separated
 * signatures, any of which a receiver may verify.
 */
final class WebhookSigner {
    static final String SECRET_PREFIX = "whsec_";

    private WebhookSigner() {}

    static String signatureHeader(List<String> secrets, String messageId, long timestampSeconds, String body) {
        String signed = messageId + "." + timestampSeconds + "." + body;
        return secrets.stream().map(secret -> "v1," + hmac(secret, signed)).collect(Collectors.joining(" "));
    }

    private static String hmac(String secret, String content) {
        String encoded = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(encoded), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
