package io.substate.config;

import java.time.Duration;
import java.util.Map;

/**
 * How the HTTP server protects itself from slow clients and from key guessing (README, "Security"), read from
 * {@code SUBSTATE_HTTP_*}, {@code SUBSTATE_AUTH_FAILURE_*} and {@code SUBSTATE_TRUSTED_PROXIES}.
 *
 * @param idleTimeout a connection silent this long is closed, also while its headers or body are on the way
 * @param minRequestDataRate bytes per second a request body must keep arriving at, from its first byte (0: none)
 * @param bodyTimeout the longest a handler waits for a whole request body
 * @param maxBodyReads request bodies read at once; one more is refused with 503 at once instead of taking a thread
 *     that health checks and the API need
 * @param authFailureLimit failed authentications from one address within {@code authFailureWindow} before its
 *     authenticated requests are refused with 429
 * @param authFailureWindow the window of both failure limits
 * @param authFailureKeyLimit failed authentications with one kind of key (admin token, {@code sk_api_}, {@code sk_},
 *     {@code strp_}) from all addresses within the window; past it, an address that failed in the window is refused
 *     after its first failure, so guessing from many addresses is bounded too
 * @param trustedProxies reverse proxies in front of the server that append the client's address to
 *     {@code X-Forwarded-For}; 0 ignores the header (anyone could write it)
 */
public record GuardSettings(
        Duration idleTimeout,
        long minRequestDataRate,
        Duration bodyTimeout,
        int maxBodyReads,
        int authFailureLimit,
        Duration authFailureWindow,
        int authFailureKeyLimit,
        int trustedProxies) {

    public static GuardSettings fromEnvironment(Map<String, String> env) {
        Duration idle = positive(env, "SUBSTATE_HTTP_IDLE_TIMEOUT", "30s");
        long rate = number(env, "SUBSTATE_HTTP_MIN_REQUEST_RATE", "1024", 0, 1L << 30);
        Duration body = positive(env, "SUBSTATE_HTTP_BODY_TIMEOUT", "15s");
        int reads = (int) number(env, "SUBSTATE_HTTP_MAX_BODY_READS", "64", 1, 10_000);
        int limit = (int) number(env, "SUBSTATE_AUTH_FAILURE_LIMIT", "20", 1, 1_000_000_000);
        Duration window = positive(env, "SUBSTATE_AUTH_FAILURE_WINDOW", "1m");
        int keyLimit = (int) number(env, "SUBSTATE_AUTH_FAILURE_KEY_LIMIT", "500", 1, 1_000_000_000);
        int proxies = (int) number(env, "SUBSTATE_TRUSTED_PROXIES", "0", 0, 10);
        return new GuardSettings(idle, rate, body, reads, limit, window, keyLimit, proxies);
    }

    private static Duration positive(Map<String, String> env, String name, String defaultValue) {
        String text = env.get(name);
        Duration d = Durations.parse(name, text == null || text.isBlank() ? defaultValue : text);
        if (d.toMillis() < 1) {
            throw new InvalidSettingException(name, "must be a positive duration");
        }
        return d;
    }

    private static long number(Map<String, String> env, String name, String defaultValue, long min, long max) {
        String text = env.get(name);
        String value = text == null || text.isBlank() ? defaultValue : text.trim();
        try {
            long n = Long.parseLong(value);
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(name, "'" + value + "' is not a whole number from " + min + " to " + max);
        }
    }
}
