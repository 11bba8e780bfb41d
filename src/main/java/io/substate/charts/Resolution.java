package io.substate.charts;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.Optional;

/**
 * How chart values are bucketed: UTC calendar days, ISO weeks (Monday to Sunday), calendar months, quarters or
 * years. A request names one by its name or by its id (the position, as the options list them: "0" is day).
 */
enum Resolution {
    DAY, WEEK, MONTH, QUARTER, YEAR;

    String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    String id() {
        return String.valueOf(ordinal());
    }

    static Optional<Resolution> parse(String value) {
        for (Resolution r : values()) {
            if (r.value().equals(value) || r.id().equals(value)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** The instant {@code periods} of this resolution after {@code epochMs} (months on the calendar, in UTC). */
    long plus(long epochMs, int periods) {
        ZonedDateTime at = Instant.ofEpochMilli(epochMs).atZone(ZoneOffset.UTC);
        ZonedDateTime later = switch (this) {
            case DAY -> at.plusDays(periods);
            case WEEK -> at.plusWeeks(periods);
            case MONTH -> at.plusMonths(periods);
            case QUARTER -> at.plusMonths(3L * periods);
            case YEAR -> at.plusYears(periods);
        };
        return later.toInstant().toEpochMilli();
    }

    /** The last day of the bucket that contains {@code day}. */
    LocalDate bucketEnd(LocalDate day) {
        return switch (this) {
            case DAY -> day;
            case WEEK -> day.with(TemporalAdjusters.nextOrSame(DayOfWeek.SUNDAY));
            case MONTH -> day.with(TemporalAdjusters.lastDayOfMonth());
            case QUARTER -> day.with(IsoFields.DAY_OF_QUARTER, 1).plusMonths(3).minusDays(1);
            case YEAR -> day.with(TemporalAdjusters.lastDayOfYear());
        };
    }
}
