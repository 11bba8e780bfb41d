package io.substate.stripe;

import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.AuthenticationException;
import com.stripe.exception.PermissionException;
import com.stripe.exception.RateLimitException;
import com.stripe.exception.StripeException;
import com.stripe.model.StripeError;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.common.Secrets;
import java.util.Map;
import java.util.Optional;

/** Turns stripe-java's exceptions into our stable error codes, with messages that tell the operator what to do. */
final class StripeErrors {
    static final String KEY_ADVICE = "set a valid restricted key rk_… with read access to Subscriptions, "
            + "Checkout Sessions, Invoices, Charges, Payment Intents and Events";

    private StripeErrors() {}

    /** @param what the object or list asked for, e.g. "subscription 'sub_123'" */
    static ApiException translate(StripeException e, String what) {
        Integer status = e.getStatusCode();
        String stripeMessage = stripeMessage(e);
        // PermissionException (403) extends AuthenticationException (401): test it first.
        if (e instanceof PermissionException) {
            return new ApiException(ErrorCode.STRIPE_API_KEY_INVALID,
                    "The app's Stripe API key may not read " + what + ": " + stripeMessage + "; " + KEY_ADVICE);
        }
        if (e instanceof AuthenticationException) {
            return new ApiException(ErrorCode.STRIPE_API_KEY_INVALID,
                    "Stripe rejected the app's API key: " + stripeMessage + "; " + KEY_ADVICE);
        }
        if (e instanceof RateLimitException) {
            return rateLimited(e, what);
        }
        if ((status != null && status == 404) || "resource_missing".equals(e.getCode())) {
            return new ApiException(ErrorCode.STRIPE_OBJECT_NOT_FOUND, "Stripe has no " + what + " ("
                    + stripeMessage + "); check the id, and that the app's API key is for the same mode (test or live)"
                    + " as the object: test and live mode keys see different objects");
        }
        if (e instanceof ApiConnectionException) {
            return new ApiException(ErrorCode.STRIPE_API_ERROR, "Stripe did not answer when reading " + what
                    + " (" + stripeMessage + "); retry later");
        }
        String statusText = status == null ? "" : " with HTTP " + status;
        return new ApiException(ErrorCode.STRIPE_API_ERROR, "Stripe did not answer " + what + " properly"
                + statusText + " (" + stripeMessage + "); retry later");
    }

    /**
     * As {@link #translate}, for a change made in Stripe: a restricted key without the permission (Stripe's 403) is
     * {@code STRIPE_PERMISSION_MISSING} naming the permission to add; Stripe refusing the change itself (its other
     * 4xx, e.g. a charge already refunded) is {@code STRIPE_REQUEST_REFUSED} with Stripe's reason.
     *
     * @param permission the permission as Stripe's dashboard names it, e.g. "Refunds: Write"
     */
    static ApiException translateWrite(StripeException e, String what, String permission) {
        Integer status = e.getStatusCode();
        if (e instanceof PermissionException) {
            return new ApiException(ErrorCode.STRIPE_PERMISSION_MISSING, "The app's Stripe API key may not "
                    + what + " (" + stripeMessage(e) + "). In Stripe's dashboard, Developers → API keys, edit the "
                    + "restricted key and set \"" + permission + "\"; nothing was changed.",
                    Map.<String, Object>of("stripe_permission", permission));
        }
        boolean refused = status != null && status >= 400 && status < 500 && status != 401 && status != 404
                && status != 429;
        if (refused) {
            return new ApiException(ErrorCode.STRIPE_REQUEST_REFUSED, "Stripe refused to " + what + ": "
                    + stripeMessage(e));
        }
        boolean unanswered = e instanceof ApiConnectionException || (status != null && status >= 500);
        if (unanswered) {
            // The change may or may not have been made: cancelling again changes nothing, and Stripe refuses to refund
            // a payment with nothing left to refund, so repeating the request is safe.
            return new ApiException(ErrorCode.STRIPE_API_ERROR, "Stripe did not answer the request to " + what
                    + (status == null ? "" : " (HTTP " + status + ")") + ": " + stripeMessage(e)
                    + "; retry later (repeating it is safe)");
        }
        return translate(e, what);
    }

    private static ApiException rateLimited(StripeException e, String what) {
        String message = "Stripe rate-limited reading " + what + "; retry later";
        return retryAfterSeconds(e)
                .map(seconds -> new ApiException(ErrorCode.STRIPE_RATE_LIMITED,
                        message + " (Stripe asks to wait " + seconds + " s)",
                        Map.<String, Object>of("retry_after_seconds", seconds)))
                .orElseGet(() -> new ApiException(ErrorCode.STRIPE_RATE_LIMITED, message));
    }

    /** Stripe's response headers only survive on the parsed error object, which stripe-java keeps on the exception. */
    private static Optional<Long> retryAfterSeconds(StripeException e) {
        StripeError error = e.getStripeError();
        if (error == null || error.getLastResponse() == null) {
            return Optional.empty();
        }
        return error.getLastResponse().headers().firstValue("Retry-After").flatMap(StripeErrors::seconds);
    }

    private static Optional<Long> seconds(String header) {
        try {
            long seconds = Long.parseLong(header.trim());
            return seconds >= 0 ? Optional.of(seconds) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty(); // an HTTP date: rare from Stripe, and the client retries anyway
        }
    }

    /** Stripe's text, which may echo the key it refused ("Invalid API Key provided: rk_live_…"): redacted. */
    private static String stripeMessage(StripeException e) {
        StripeError error = e.getStripeError();
        if (error != null && error.getMessage() != null) {
            return Secrets.redact(error.getMessage());
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : Secrets.redact(message);
    }
}
