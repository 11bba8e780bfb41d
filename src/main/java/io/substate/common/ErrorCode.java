package io.substate.common;

/**
 * Every error the HTTP API can answer with. The {@link #code()} strings are API: never rename them.
 *
 * <p>{@code type} follows RevenueCat API v2's error types; {@code v1Code} is the RevenueCat v1 numeric code
 * used when the error is answered on a RevenueCat v1 route.
 */
public enum ErrorCode {
    INVALID_JSON(400, "invalid_request", 7226, false),
    INVALID_PARAMETER(400, "parameter_error", 7226, false),
    PAYLOAD_TOO_LARGE(413, "invalid_request", 7226, false),
    UNSUPPORTED_MEDIA_TYPE(415, "invalid_request", 7226, false),
    UNAUTHORIZED(401, "authentication_error", 7225, false),
    FORBIDDEN(403, "authorization_error", 7225, false),
    RESOURCE_MISSING(404, "resource_missing", 7259, false),
    ROUTE_NOT_FOUND(404, "resource_missing", 7226, false),
    METHOD_NOT_ALLOWED(405, "invalid_request", 7226, false),
    RESOURCE_ALREADY_EXISTS(409, "resource_already_exists", 7226, false),

    // Stripe webhook endpoint (README, "Stripe webhook endpoint").
    WEBHOOK_SECRET_NOT_CONFIGURED(400, "invalid_request", 7226, false),
    INVALID_SIGNATURE(400, "invalid_request", 7226, false),
    UNSUPPORTED_EVENT_TYPE(400, "invalid_request", 7226, false),
    INVALID_EVENT(400, "invalid_request", 7226, false),
    PURCHASE_NOT_FOUND(422, "unprocessable_entity_error", 7226, true),
    APP_USER_ID_NOT_DETECTED(422, "unprocessable_entity_error", 7226, true),

    // Stripe API (reading objects with the app's key). Stripe's failure is not ours to hide: 4xx with a clear code.
    STRIPE_API_KEY_NOT_CONFIGURED(422, "unprocessable_entity_error", 7103, false),
    STRIPE_API_KEY_INVALID(422, "unprocessable_entity_error", 7103, false),
    STRIPE_OBJECT_NOT_FOUND(422, "unprocessable_entity_error", 7103, false),
    STRIPE_API_ERROR(424, "unprocessable_entity_error", 7101, true),
    STRIPE_RATE_LIMITED(429, "rate_limit_error", 7101, true),

    // Subscriptions and purchases (README, "Subscriptions and purchases (API v2)"): actions made in Stripe with the
    // app's key. A restricted key without the write permission is the operator's to fix (the message names it).
    STRIPE_PERMISSION_MISSING(422, "unprocessable_entity_error", 7103, false),
    STRIPE_REQUEST_REFUSED(422, "unprocessable_entity_error", 7103, false),
    SUBSCRIPTION_NOT_ACTIVE(422, "unprocessable_entity_error", 7226, false),
    NOTHING_TO_REFUND(422, "unprocessable_entity_error", 7226, false),

    // RevenueCat REST API v1 (README, "RevenueCat REST API v1"): RevenueCat's own numeric codes, which its SDKs
    // map to typed errors.
    INVALID_PLATFORM(400, "invalid_request", 7000, false),
    INVALID_APP_USER_ID(400, "parameter_error", 7220, false),
    INVALID_RECEIPT_TOKEN(400, "parameter_error", 7103, false),
    RECEIPT_ALREADY_IN_USE(409, "resource_already_exists", 7102, false),
    INVALID_SUBSCRIBER_ATTRIBUTES(400, "parameter_error", 7263, false),
    INVALID_SUBSCRIBER_ATTRIBUTES_BODY(400, "parameter_error", 7264, false),
    SECRET_KEY_NOT_ALLOWED(403, "authorization_error", 7243, false),
    SECRET_KEY_REQUIRED(403, "authorization_error", 7225, false),
    RECEIPT_NOT_READABLE(422, "unprocessable_entity_error", 7103, false),

    // Charts (README, "Charts": /v2/projects/{project_id}/charts/{chart_name}).
    INVALID_CHART_NAME(400, "parameter_error", 7226, false),
    INVALID_DATE(400, "parameter_error", 7226, false),
    INVALID_DATE_RANGE(400, "parameter_error", 7226, false),
    INVALID_RESOLUTION(400, "parameter_error", 7226, false),

    // Refresh from Stripe (io.substate.sync): only subscriptions change in Stripe after their purchase.
    PURCHASE_NOT_REFRESHABLE(422, "unprocessable_entity_error", 7226, false),
    // Importing from Stripe (README, "Importing from Stripe"): one import of an app runs at a time.
    IMPORT_ALREADY_RUNNING(409, "resource_already_exists", 7226, false),

    // Granted entitlements (README, "Granted entitlements"): a v2 grant is refused while one of the same entitlement
    // gives the customer access, as RevenueCat's v2 ("unless one already exists").
    ENTITLEMENT_ALREADY_GRANTED(409, "resource_already_exists", 7226, false),

    // Offerings (README, "Offerings"): a project with offerings always has one current offering, and an offering a
    // placement names stays until the placement names another.
    OFFERING_IS_CURRENT(422, "unprocessable_entity_error", 7226, false),
    OFFERING_IN_USE(422, "unprocessable_entity_error", 7226, false),

    // Retention (README, "Retention"): an event whose payload was pruned keeps its log row but cannot run again.
    STRIPE_EVENT_PAYLOAD_PRUNED(410, "resource_missing", 7259, false),
    // The database is out of reach or too slow (README, "Deployment"): answered at once with Retry-After, so that
    // clients and Stripe retry instead of every request thread waiting on it.
    DATABASE_UNAVAILABLE(503, "server_error", 7110, true),
    // Protection of the server (README, "Security"): a body sent too slowly, too many bodies at once, and an address
    // or kind of key with too many failed authentications (answered with Retry-After).
    REQUEST_TIMEOUT(408, "invalid_request", 7226, true),
    SERVER_BUSY(503, "server_error", 7110, true),
    TOO_MANY_AUTHENTICATION_FAILURES(429, "rate_limit_error", 7225, true),

    INTERNAL_ERROR(500, "server_error", 7110, true);

    private final int status;
    private final String type;
    private final int v1Code;
    private final boolean retryable;

    ErrorCode(int status, String type, int v1Code, boolean retryable) {
        this.status = status;
        this.type = type;
        this.v1Code = v1Code;
        this.retryable = retryable;
    }

    /** HTTP status answered with this error. */
    public int status() {
        return status;
    }

    /** RevenueCat v2 error type. */
    public String type() {
        return type;
    }

    /** Stable snake_case code. */
    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** RevenueCat v1 numeric code. */
    public int v1Code() {
        return v1Code;
    }

    /** Whether the same request may succeed later. */
    public boolean retryable() {
        return retryable;
    }
}
