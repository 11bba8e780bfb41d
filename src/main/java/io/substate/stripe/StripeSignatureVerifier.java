package io.substate.stripe;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks Stripe's {@code Stripe-Signature} header the way Stripe's own libraries do: HMAC-SHA256 keyed by the whole
 * {@code whsec_…} string over {@code t + "." + payload}, any {@code v1} may match any secret, other schemes ignored
 * (so a forged {@code v0} cannot downgrade the check), and only timestamps older than {@link #TOLERANCE_SECONDS} fail.
 * The current time is a parameter so the check stays pure.
 */
public final class StripeSignatureVerifier {
    /** Stripe's default tolerance; {@code t} is per delivery attempt, so retries carry a fresh one. */
    public static final long TOLERANCE_SECONDS = 300;

    private static final String SCHEME = "v1";
    private static final HexFormat HEX = HexFormat.of();

    private StripeSignatureVerifier() {}

    /**
     * Passes silently when the header carries a valid signature of {@code payload} by one of {@code secrets}.
     *
     * @throws SignatureException with the precise {@link SignatureFailure} otherwise
     */
    public static void verify(String payload, String header, List<String> secrets, long nowEpochSeconds) {
        verify(payload.getBytes(StandardCharsets.UTF_8), header, secrets, nowEpochSeconds);
    }

    /**
     * As {@link #verify(String, String, List, long)}, over the body's bytes as received: what Stripe signed, without
     * decoding them first (a decoded and re-encoded body is not always the same bytes) or copying them.
     */
    public static void verify(byte[] body, String header, List<String> secrets, long nowEpochSeconds) {
        if (header == null || header.isBlank()) {
            throw new SignatureException(SignatureFailure.MISSING_HEADER,
                    "The request has no Stripe-Signature header. Send Stripe webhooks straight from Stripe to this "
                            + "endpoint; a proxy in between must forward the Stripe-Signature header unchanged.");
        }
        ParsedHeader parsed = ParsedHeader.parse(header);
        if (parsed.signatures().isEmpty()) {
            throw new SignatureException(SignatureFailure.NO_V1_SIGNATURE,
                    "The Stripe-Signature header has no v1 signature (only v1 is accepted; v0 and other schemes are "
                            + "ignored). Send the webhook from Stripe itself, or sign test requests with the v1 scheme.");
        }
        if (!anyMatches(body, parsed, secrets)) {
            throw new SignatureException(SignatureFailure.NO_MATCHING_SIGNATURE,
                    "No signature in the Stripe-Signature header matches this body. The Stripe Webhook Secret saved "
                            + "for this app does not match the endpoint's Signing secret in Stripe: copy it again from "
                            + "the webhook endpoint's page in the Stripe Dashboard (test mode and live mode have "
                            + "different secrets). If a proxy sits in front of this server, make sure it forwards the "
                            + "request body byte for byte (no re-encoding, reformatting or added newlines).");
        }
        // Checked after the signature, as Stripe does, so a forged request learns nothing about our clock.
        if (parsed.timestamp() < nowEpochSeconds - TOLERANCE_SECONDS) {
            throw new SignatureException(SignatureFailure.TIMESTAMP_TOO_OLD,
                    "The Stripe-Signature timestamp t=" + parsed.timestamp() + " is " + (nowEpochSeconds - parsed.timestamp())
                            + " seconds old, more than the " + TOLERANCE_SECONDS + " seconds allowed. Replayed "
                            + "requests are refused; if Stripe itself sent it, sync this server's clock (NTP) and "
                            + "check that nothing delays requests on the way.");
        }
    }

    /** Builds the {@code Stripe-Signature} header Stripe would send for {@code payload} signed at {@code t}. */
    public static String sign(String payload, String secret, long t) {
        return "t=" + t + "," + SCHEME + "=" + hmacHex(secret, t, payload.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean anyMatches(byte[] body, ParsedHeader parsed, List<String> secrets) {
        boolean matched = false;
        for (String secret : secrets) {
            byte[] expected = hmacHex(secret, parsed.timestamp(), body).getBytes(StandardCharsets.US_ASCII);
            for (String candidate : parsed.signatures()) {
                // No early exit: every comparison runs, so timing does not reveal which secret matched.
                matched |= MessageDigest.isEqual(expected, candidate.getBytes(StandardCharsets.US_ASCII));
            }
        }
        return matched;
    }

    /** One Mac per thread: looking the algorithm up in the JCA providers costs more than hashing a whole event. */
    private static final ThreadLocal<Mac> HMAC_SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable in this JVM", e);
        }
    });

    /** The hex HMAC of {@code "<t>.<body>"}, fed to the Mac in parts rather than copied into one message. */
    private static String hmacHex(String secret, long t, byte[] body) {
        try {
            Mac mac = HMAC_SHA256.get();
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(Long.toString(t).getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) '.');
            return HEX.formatHex(mac.doFinal(body));
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 refused the key", e);
        }
    }

    /** The timestamp and the v1 signatures of a header; other schemes are dropped here. */
    private record ParsedHeader(long timestamp, List<String> signatures) {
        static ParsedHeader parse(String header) {
            String timestamp = null;
            List<String> signatures = new ArrayList<>();
            for (String item : header.split(",")) {
                int eq = item.indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String key = item.substring(0, eq).trim();
                String value = item.substring(eq + 1).trim();
                if (key.equals("t")) {
                    timestamp = value;
                } else if (key.equals(SCHEME)) {
                    signatures.add(value);
                }
            }
            if (timestamp == null) {
                throw malformed("it has no t=<unix seconds> timestamp");
            }
            if (timestamp.isEmpty() || timestamp.length() > 18 || !timestamp.chars().allMatch(Character::isDigit)) {
                throw malformed("its timestamp t=" + abbreviate(timestamp) + " is not a number of seconds");
            }
            long t = Long.parseLong(timestamp);
            if (t <= 0) {
                throw malformed("its timestamp t=" + timestamp + " is not positive");
            }
            return new ParsedHeader(t, List.copyOf(signatures));
        }

        private static SignatureException malformed(String why) {
            return new SignatureException(SignatureFailure.MALFORMED_HEADER,
                    "The Stripe-Signature header is malformed: " + why + ". Stripe sends "
                            + "'t=<unix seconds>,v1=<hex signature>'; make sure nothing rewrites the header.");
        }

        private static String abbreviate(String value) {
            return value.length() <= 20 ? value : value.substring(0, 20) + "…";
        }
    }
}
