package io.substate.grants;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * RevenueCat's promotional durations (its v1 {@code duration}), with RevenueCat's fixed lengths: a "month" is 31
 * days, a year 365, and lifetime 200 calendar years, so that every grant has an end.
 */
public enum GrantDuration {
    DAILY(Duration.ofHours(24)),
    THREE_DAY(Duration.ofHours(72)),
    WEEKLY(Duration.ofDays(7)),
    TWO_WEEK(Duration.ofDays(14)),
    MONTHLY(Duration.ofDays(31)),
    TWO_MONTH(Duration.ofDays(61)),
    THREE_MONTH(Duration.ofDays(92)),
    SIX_MONTH(Duration.ofDays(183)),
    YEARLY(Duration.ofDays(365)),
    LIFETIME(null);

    /** The names clients send, in order of length. */
    public static final List<String> NAMES = Arrays.stream(values()).map(GrantDuration::wireName).toList();

    private final Duration length;

    GrantDuration(Duration length) {
        this.length = length;
    }

    /** {@code three_day}, as RevenueCat names it (and as the end of the grant's {@code rc_promo_…} product). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static GrantDuration of(String wireName) {
        return valueOf(wireName.toUpperCase(Locale.ROOT));
    }

    /** The end of a grant of this duration that starts at {@code startMillis}. */
    public long endFrom(long startMillis) {
        if (length == null) {
            return Instant.ofEpochMilli(startMillis).atZone(ZoneOffset.UTC).plusYears(200).toInstant().toEpochMilli();
        }
        return startMillis + length.toMillis();
    }
}
