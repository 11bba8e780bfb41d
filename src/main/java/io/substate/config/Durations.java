package io.substate.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the short duration syntax of settings: {@code 30s}, {@code 5m}, {@code 1h}, {@code 3d}, or ISO-8601. */
public final class Durations {
    private static final Pattern SHORT = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    private Durations() {}

    public static Duration parse(String setting, String text) {
        String value = text.trim();
        Matcher m = SHORT.matcher(value);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(value);
        } catch (RuntimeException e) {
            throw new InvalidSettingException(setting, "'" + text + "' is not a duration; use e.g. 30s, 5m, 1h, 3d");
        }
    }

    public static List<Duration> parseList(String setting, String text) {
        List<Duration> result = new ArrayList<>();
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                throw new InvalidSettingException(setting, "'" + text + "' has an empty entry; use e.g. 5m,10m,20m");
            }
            Duration d = parse(setting, part);
            if (d.isNegative()) {
                throw new InvalidSettingException(setting, "durations must not be negative");
            }
            result.add(d);
        }
        return List.copyOf(result);
    }

    public static String format(Duration d) {
        if (d.toMillis() % 86_400_000 == 0 && !d.isZero()) return d.toDays() + "d";
        if (d.toMillis() % 3_600_000 == 0 && !d.isZero()) return d.toHours() + "h";
        if (d.toMillis() % 60_000 == 0 && !d.isZero()) return d.toMinutes() + "m";
        if (d.toMillis() % 1000 == 0) return d.toSeconds() + "s";
        return d.toMillis() + "ms";
    }
}
