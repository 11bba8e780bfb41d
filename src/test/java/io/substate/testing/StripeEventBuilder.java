package io.substate.testing;

import io.substate.stripe.StripeSignatureVerifier;
import java.util.concurrent.atomic.AtomicLong;

/** Unique Stripe-like ids and Stripe-Signature headers for HTTP tests (objects come from {@link StripeObjects}). */
public final class StripeEventBuilder {
    private static final AtomicLong SEQUENCE = new AtomicLong(System.nanoTime() % 1_000_000_000L);

    private StripeEventBuilder() {}

    public static String uniqueId(String prefix) {
        return prefix + Long.toString(SEQUENCE.incrementAndGet(), 36) + "T";
    }

    /** A Stripe-Signature header for the payload, signed now with the secret. */
    public static String sign(String payload, String secret) {
        return StripeSignatureVerifier.sign(payload, secret, System.currentTimeMillis() / 1000);
    }
}
