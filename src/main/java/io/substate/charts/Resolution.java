package io.substate.charts;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.Optional;

/** How chart values are bucketed: UTC calendar days, ISO weeks (Monday to Sunday) or calendar months. */
enum Resolution {
    DAY, WEEK, MONTH;

    String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Optional<Resolution> parse(String value) {
        for (Resolution r : values()) {
            if (r.value().equals(value)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** The last day of the bucket that contains {@code day}. */
    LocalDate bucketEnd(LocalDate day) {
        return switch (this) {
            case DAY -> day;
            case WEEK -> day.with(TemporalAdjusters.nextOrSame(DayOfWeek.SUNDAY));
            case MONTH -> day.with(TemporalAdjusters.lastDayOfMonth());
        };
    }
}
