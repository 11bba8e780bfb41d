package io.substate.common;

import java.util.Map;

/** A failure that reaches the client as a JSON error with a stable code. */
public class ApiException extends RuntimeException {
    private final ErrorCode errorCode;
    private final transient Map<String, Object> extra;

    public ApiException(ErrorCode errorCode, String message) {
        this(errorCode, message, Map.of());
    }

    public ApiException(ErrorCode errorCode, String message, Map<String, Object> extra) {
        super(message, null, false, false);
        this.errorCode = errorCode;
        this.extra = extra;
    }

    public ErrorCode errorCode() {
        return errorCode;
    }

    /** Additional fields merged into the error body (for example RevenueCat's {@code attribute_errors}). */
    public Map<String, Object> extra() {
        return extra;
    }

    public static ApiException notFound(String what, String id) {
        return new ApiException(ErrorCode.RESOURCE_MISSING, what + " '" + id + "' does not exist");
    }

    public static ApiException invalid(String message) {
        return new ApiException(ErrorCode.INVALID_PARAMETER, message);
    }
}
