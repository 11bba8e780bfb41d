package io.substate.common;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Marker;
import org.slf4j.MarkerFactory;

/**
 * Removes secrets from text that leaves the process: log lines ({@link RedactedMessage}, {@link RedactedThrowable})
 * and error messages built from other systems' text (Stripe's). Known shapes are recognized wherever they appear:
 * Stripe keys and signing secrets ({@code sk_…}, {@code rk_…}, {@code whsec_…}), project secret keys and API keys
 * ({@code sk_…}, {@code sk_api_…}), admin tokens ({@code adm_…}) and bearer credentials; secrets of no fixed shape
 * (a configured admin token, the database password) are registered at start ({@link #register}). This is the safety
 * net: records that hold secrets also leave them out of their {@code toString}, and statements never render their
 * arguments ({@code storage.Database}).
 */
public final class Secrets {
    /** What a secret is replaced with, after its prefix. */
    public static final String MASK = "[redacted]";

    /**
     * A log event with this marker is the one deliberate display of a secret (the admin token generated at first
     * start, README "Admin token"): it is printed as is.
     */
    public static final Marker SHOWN_ONCE = MarkerFactory.getMarker("SECRET_SHOWN_ONCE");

    /**
     * A prefix, then at least 6 characters a key or secret is made of. Word boundaries keep ids such as
     * {@code task_…} or {@code disk_…} whole; {@code sk_api_} and Stripe's {@code sk_live_} stay visible to say which
     * kind was removed.
     */
    private static final Pattern SHAPES = Pattern.compile(
            "\\b((?:sk|rk)_(?:api_|live_|test_)?|whsec_|adm_)[A-Za-z0-9+/=_-]{6,}"
                    + "|(?i:\\b(bearer|basic)\\s+)[^\\s\"',;}]{6,}");

    private static final List<String> REGISTERED = new CopyOnWriteArrayList<>();

    private Secrets() {}

    /** Registers a secret of no recognizable shape (at least 8 characters), to be removed wherever it appears. */
    public static void register(String secret) {
        if (secret != null && secret.length() >= 8 && !REGISTERED.contains(secret)) {
            REGISTERED.add(secret);
        }
    }

    /** For a record's {@code toString}: whether a secret is set, never its value. */
    public static String mask(Object secret) {
        return secret == null ? "null" : MASK;
    }

    /** The text with every secret replaced by its prefix and {@link #MASK}; null stays null. */
    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String result = text;
        for (String secret : REGISTERED) {
            if (result.contains(secret)) {
                result = result.replace(secret, MASK);
            }
        }
        if (!mayHoldShape(result)) {
            return result;
        }
        Matcher m = SHAPES.matcher(result);
        if (!m.find()) {
            return result;
        }
        StringBuilder out = new StringBuilder(result.length());
        do {
            String prefix = m.group(1) != null ? m.group(1) : m.group(2) + " ";
            m.appendReplacement(out, Matcher.quoteReplacement(prefix + MASK));
        } while (m.find());
        m.appendTail(out);
        return out.toString();
    }

    /** A cheap test before the regular expression: most log lines hold no underscore prefix nor credential. */
    private static boolean mayHoldShape(String text) {
        return text.indexOf('_') >= 0 || text.regionMatches(true, 0, "bearer", 0, 6)
                || text.toLowerCase(java.util.Locale.ROOT).contains("bearer ")
                || text.toLowerCase(java.util.Locale.ROOT).contains("basic ");
    }
}
