package io.substate.charts;

import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.List;

/**
 * The days a chart covers and how they are bucketed. Days are UTC. Defaults: the last 30 days, by day. An end after
 * today is cut to today, so the last value is always a real (possibly current, incomplete) period.
 */
record ChartRange(LocalDate start, LocalDate end, Resolution resolution) {
    /** About three years: enough for year-over-year views, bounded so one request stays cheap. */
    static final int MAX_DAYS = 3 * 366;
    static final int DEFAULT_DAYS = 30;
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("uuuu-MM-dd")
            .withResolverStyle(ResolverStyle.STRICT);

    static ChartRange parse(String startParam, String endParam, String resolutionParam, LocalDate today) {
        Resolution resolution = resolutionParam == null || resolutionParam.isBlank() ? Resolution.DAY
                : Resolution.parse(resolutionParam.trim()).orElseThrow(() -> new ApiException(ErrorCode.INVALID_RESOLUTION,
                        "resolution must be one of day, week, month, quarter, year or their ids 0 to 4 (got '"
                                + resolutionParam + "')"));
        LocalDate end = endParam == null || endParam.isBlank() ? today : date("end_date", endParam);
        if (end.isAfter(today)) {
            end = today;
        }
        LocalDate start = startParam == null || startParam.isBlank() ? end.minusDays(DEFAULT_DAYS - 1)
                : date("start_date", startParam);
        if (start.isAfter(end)) {
            throw new ApiException(ErrorCode.INVALID_DATE_RANGE, "start_date " + start + " is after end_date " + end
                    + (end.equals(today) ? " (end_date is at most today, " + today + ")" : ""));
        }
        if (end.toEpochDay() - start.toEpochDay() + 1 > MAX_DAYS) {
            throw new ApiException(ErrorCode.INVALID_DATE_RANGE, "The range " + start + " to " + end + " is longer than "
                    + MAX_DAYS + " days; ask for a shorter range");
        }
        return new ChartRange(start, end, resolution);
    }

    private static LocalDate date(String name, String value) {
        try {
            return LocalDate.parse(value.trim(), DATE);
        } catch (DateTimeParseException e) {
            throw new ApiException(ErrorCode.INVALID_DATE, name + " must be a date YYYY-MM-DD (got '" + value + "')");
        }
    }

    List<Bucket> buckets(LocalDate today) {
        List<Bucket> buckets = new ArrayList<>();
        LocalDate first = start;
        while (!first.isAfter(end)) {
            LocalDate last = resolution.bucketEnd(first);
            if (last.isAfter(end)) {
                last = end;
            }
            buckets.add(new Bucket(first, last, !today.isBefore(first) && !today.isAfter(last)));
            first = last.plusDays(1);
        }
        return buckets;
    }
}
