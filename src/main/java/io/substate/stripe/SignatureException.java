package io.substate.stripe;

/** A Stripe webhook whose signature did not verify; the message tells the operator what to fix. */
public final class SignatureException extends RuntimeException {
    private final SignatureFailure reason;

    public SignatureException(SignatureFailure reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public SignatureFailure reason() {
        return reason;
    }
}
