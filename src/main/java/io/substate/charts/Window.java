package io.substate.charts;

import java.util.Locale;
import java.util.Optional;

/**
 * How long after a customer was first seen a cohorted chart counts what they do: RevenueCat's "conversion timeframe"
 * and "customer lifetime" selectors. The ids ({@code 7_days}, …, {@code unbounded}) are Substate's.
 */
enum Window {
    DAYS_3(3), DAYS_7(7), DAYS_14(14), DAYS_30(30), DAYS_60(60), DAYS_90(90), DAYS_180(180), DAYS_365(365),
    UNBOUNDED(0);

    final int days;

    Window(int days) {
        this.days = days;
    }

    String id() {
        return this == UNBOUNDED ? "unbounded" : days + "_days";
    }

    String displayName() {
        return this == UNBOUNDED ? "Unbounded" : days + " days";
    }

    /** The window in ms, or null when unbounded. */
    Long millis() {
        return this == UNBOUNDED ? null : days * Bucket.DAY_MS;
    }

    static String ids() {
        return java.util.Arrays.stream(values()).map(Window::id).collect(java.util.stream.Collectors.joining(", "));
    }

    static Optional<Window> parse(String id) {
        for (Window w : values()) {
            if (w.id().equals(id.toLowerCase(Locale.ROOT))) {
                return Optional.of(w);
            }
        }
        return Optional.empty();
    }
}
