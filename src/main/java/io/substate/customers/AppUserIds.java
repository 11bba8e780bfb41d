package io.substate.customers;

import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import java.util.Locale;
import java.util.Set;

/** RevenueCat's App User ID rules: case-sensitive, at most 100 characters, and a list of ids that are refused. */
public final class AppUserIds {
    public static final String ANONYMOUS_PREFIX = "$RCAnonymousID:";
    static final int MAX_LENGTH = 100;

    /**
     * Values that clients send by mistake when they have no user (RevenueCat refuses them): a purchase made under
     * "null" would be shared by every broken client. Compared case-insensitively.
     */
    private static final Set<String> BLOCKED = Set.of("no_user", "null", "none", "nil", "(null)", "nan",
            "unidentified", "undefined", "unknown", "anonymous", "guest", "-1", "0", "[]", "{}", "[object object]");

    private AppUserIds() {}

    /**
     * The id, or a 400 (RevenueCat code 7220) saying why it cannot be an App User ID. The one rule for every App User
     * ID Substate accepts or creates (v1 and v2 routes, receipts, the CSV import, and the IDs a webhook detects), so
     * every customer can be read back through {@code /v1/subscribers/{app_user_id}}.
     */
    public static String require(String id, String field) {
        String problem = problem(id, field);
        if (problem != null) {
            throw new ApiException(ErrorCode.INVALID_APP_USER_ID, problem);
        }
        return id;
    }

    /** Why {@code id}, sent as {@code field}, cannot be an App User ID, or null when it can be. */
    public static String problem(String id, String field) {
        if (id == null || id.isBlank()) {
            return "'" + field + "' is empty; send the App User ID";
        }
        if (id.length() > MAX_LENGTH) {
            return "'" + field + "' is longer than " + MAX_LENGTH + " characters";
        }
        // '/' would split the id across path segments of /v1/subscribers/{app_user_id}/…; NUL cannot be stored.
        if (id.indexOf('/') >= 0 || id.indexOf('\u0000') >= 0 || BLOCKED.contains(id.trim().toLowerCase(Locale.ROOT))) {
            return "'" + id.replace("\u0000", "\\0") + "' is not allowed as an App User ID (it looks like a missing "
                    + "user, or contains '/'); use your user's id, or an anonymous id " + ANONYMOUS_PREFIX
                    + "<32 hex digits>";
        }
        return null;
    }

    public static boolean isAnonymous(String id) {
        return id.startsWith(ANONYMOUS_PREFIX);
    }
}
