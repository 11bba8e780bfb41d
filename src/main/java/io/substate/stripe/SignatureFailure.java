package io.substate.stripe;

/** Why a {@code Stripe-Signature} header did not verify; each reason has its own fix. */
public enum SignatureFailure {
    MISSING_HEADER,
    MALFORMED_HEADER,
    NO_V1_SIGNATURE,
    TIMESTAMP_TOO_OLD,
    NO_MATCHING_SIGNATURE
}
