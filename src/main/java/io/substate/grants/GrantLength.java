package io.substate.grants;

import io.substate.common.ApiException;

/**
 * How long a grant runs, as a request put it: one of RevenueCat's durations counted from {@code startMillis} (now
 * when null), or until {@code endMillis}. {@code field} names what the client sent, for the error that refuses it.
 */
public record GrantLength(GrantDuration duration, Long startMillis, Long endMillis, String field) {
    /** The last instant a date in RevenueCat's format can show (9999-12-31T23:59:59Z). */
    static final long LATEST_END = 253_402_300_799_999L;

    public static GrantLength of(GrantDuration duration, Long startMillis, String field) {
        return new GrantLength(duration, startMillis, null, field);
    }

    public static GrantLength until(long endMillis, String field) {
        return new GrantLength(null, null, endMillis, field);
    }

    /** The end of the grant's {@code rc_promo_<lookup key>_…} product: the duration, or {@code custom}. */
    String productSuffix() {
        return endMillis != null ? "custom" : duration.wireName();
    }

    /** When a grant made at {@code now} ends; a 400 when that is not in the future. */
    long end(long now) {
        long end = endMillis != null ? endMillis : duration.endFrom(startMillis != null ? startMillis : now);
        if (end <= now) {
            throw ApiException.invalid(endMillis != null
                    ? "Field '" + field + "' must be in the future (epoch milliseconds); it is " + endMillis
                    : "The grant would already have ended: 'start_time_ms' plus the duration '" + duration.wireName()
                            + "' is in the past");
        }
        if (end > LATEST_END) {
            throw ApiException.invalid("Field '" + field + "' must be before the year 10000 (epoch milliseconds)");
        }
        return end;
    }
}
