package io.substate.sync;

import io.substate.config.Durations;
import io.substate.config.InvalidSettingException;
import io.substate.common.ApiException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Reads the {@code since} of a backfill: an ISO-8601 time or date (UTC), or a duration back from now ({@code 3d}). */
final class BackfillSince {
    private BackfillSince() {}

    static Instant parse(String text, Instant now) {
        String value = text == null ? "" : text.trim();
        Instant since = parseTime(value).orElseGet(() -> now.minus(parseDuration(value)));
        if (since.isAfter(now)) {
            throw ApiException.invalid("'since' (" + value + ") is in the future; give a past time such as "
                    + "2026-11-01T00:00:00Z or a duration back from now such as 3d");
        }
        return since;
    }

    private static java.util.Optional<Instant> parseTime(String value) {
        try {
            return java.util.Optional.of(OffsetDateTime.parse(value).toInstant());
        } catch (DateTimeParseException e) {
            // not a time with an offset
        }
        try {
            return java.util.Optional.of(LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant());
        } catch (DateTimeParseException e) {
            return java.util.Optional.empty();
        }
    }

    private static Duration parseDuration(String value) {
        try {
            Duration duration = Durations.parse("since", value);
            if (duration.isNegative()) {
                throw new InvalidSettingException("since", "negative");
            }
            return duration;
        } catch (InvalidSettingException e) {
            throw ApiException.invalid("'since' must be an ISO-8601 time such as 2026-11-01T00:00:00Z, a date such as "
                    + "2026-11-01 (UTC), or a duration back from now such as 3d, 12h or 30m (got '" + value + "')");
        }
    }
}
