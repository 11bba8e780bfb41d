package io.substate.charts;

import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * One chart value's days, inclusive, clipped to the requested range; labelled by its first day in the range.
 * {@code current} when it contains today: its snapshot is taken now, not at its end.
 */
record Bucket(LocalDate first, LocalDate last, boolean current) {
    static final long DAY_MS = 86_400_000L;

    /** The bucket's first instant, epoch ms. */
    long startMs() {
        return first.toEpochDay() * DAY_MS;
    }

    /** The instant after the bucket's last day, epoch ms. */
    long endMs() {
        return (last.toEpochDay() + 1) * DAY_MS;
    }

    static long dayOf(long epochMs) {
        return Math.floorDiv(epochMs, DAY_MS);
    }

    @Override
    public String toString() {
        return first + ".." + last + (current ? " (current)" : "");
    }

    static LocalDate today(long nowMs) {
        return LocalDate.ofEpochDay(dayOf(nowMs));
    }

    static LocalDate date(long epochMs) {
        return java.time.Instant.ofEpochMilli(epochMs).atZone(ZoneOffset.UTC).toLocalDate();
    }
}
