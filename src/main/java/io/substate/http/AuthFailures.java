package io.substate.http;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.config.GuardSettings;
import io.substate.storage.Ids;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Limits failed authentications (README, "Security"), so keys cannot be guessed at the server's speed. Only
 * failures count: a request answered 401 with a bearer token is one. Past {@code SUBSTATE_AUTH_FAILURE_LIMIT}
 * failures from one address in the window, every request from it that carries a bearer token is answered 429 with
 * {@code Retry-After} until the window ends, without looking at the key, since answering a right key differently
 * from a wrong one would let guessing go on. Past {@code SUBSTATE_AUTH_FAILURE_KEY_LIMIT} failures with one kind of
 * key from all addresses, an address that failed in the window is refused after that one failure. An address that
 * has not failed is never refused.
 *
 * <p>Each window is one resilience4j {@link AtomicRateLimiter} whose permits are the failures allowed: lock-free,
 * and its cycle arithmetic gives the {@code Retry-After}. Addresses are kept while they have failures in the window,
 * at most {@link #MAX_ADDRESSES}; past that, failures from addresses not yet known are still counted per kind.
 */
public final class AuthFailures {
    static final int MAX_ADDRESSES = 100_000;
    private static final Logger LOG = LoggerFactory.getLogger(AuthFailures.class);

    /** The kinds of bearer key, told apart by their prefix (the admin token is any other token on {@code /v2}). */
    enum KeyKind {
        PROJECT_API_KEY(Ids.PROJECT_API_KEY_PREFIX), SECRET_KEY("sk_"), PUBLIC_KEY("strp_"), ADMIN_TOKEN("");

        final String prefix;

        KeyKind(String prefix) {
            this.prefix = prefix;
        }

        static KeyKind of(String token) {
            for (KeyKind kind : values()) {
                if (token.startsWith(kind.prefix)) {
                    return kind;
                }
            }
            return ADMIN_TOKEN;
        }

        String label() {
            return this == ADMIN_TOKEN ? "admin_token" : prefix;
        }
    }

    private final RateLimiterConfig perAddress;
    private final Map<KeyKind, AtomicRateLimiter> perKind = new EnumMap<>(KeyKind.class);
    private final ConcurrentHashMap<String, AtomicRateLimiter> addresses = new ConcurrentHashMap<>();
    private final int addressLimit;
    private final ClientAddress clientAddress;
    private final Map<KeyKind, Counter> failures = new EnumMap<>(KeyKind.class);
    private final Map<KeyKind, Counter> refusals = new EnumMap<>(KeyKind.class);
    private volatile long lastSweepNanos = System.nanoTime() - 2_000_000_000L;

    public AuthFailures(GuardSettings settings, MeterRegistry registry) {
        this.addressLimit = settings.authFailureLimit();
        this.perAddress = config(settings.authFailureLimit(), settings.authFailureWindow());
        this.clientAddress = new ClientAddress(settings.trustedProxies());
        RateLimiterConfig kindConfig = config(settings.authFailureKeyLimit(), settings.authFailureWindow());
        for (KeyKind kind : KeyKind.values()) {
            perKind.put(kind, new AtomicRateLimiter("auth-failures-" + kind.label(), kindConfig));
            failures.put(kind, Counter.builder("substate_auth_failures")
                    .description("Requests refused 401 that carried a bearer key, by the key's prefix")
                    .tag("key_prefix", kind.label()).register(registry));
            refusals.put(kind, Counter.builder("substate_auth_throttled")
                    .description("Requests refused 429 after too many failed authentications, by the key's prefix")
                    .tag("key_prefix", kind.label()).register(registry));
        }
    }

    private static RateLimiterConfig config(int failures, Duration window) {
        return RateLimiterConfig.custom().limitForPeriod(failures).limitRefreshPeriod(window)
                .timeoutDuration(Duration.ZERO).build();
    }

    /** Before the handler: refuses a request with a bearer token from an address that failed too often (429). */
    void check(Context ctx) {
        String token = Requests.bearerToken(ctx);
        if (token == null || token.isEmpty()) {
            return;
        }
        KeyKind kind = KeyKind.of(token);
        AtomicRateLimiter address = addresses.get(clientAddress.of(ctx));
        if (address == null) {
            return;
        }
        AtomicRateLimiter.AtomicRateLimiterMetrics own = address.getDetailedMetrics();
        int available = own.getAvailablePermissions();
        long waitNanos;
        if (available <= 0) {
            waitNanos = own.getNanosToWait();
        } else if (available < addressLimit && perKind.get(kind).getMetrics().getAvailablePermissions() <= 0) {
            waitNanos = Math.max(own.getNanosToWait(), perKind.get(kind).getDetailedMetrics().getNanosToWait());
        } else {
            return;
        }
        refusals.get(kind).increment();
        long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
        ctx.header("Retry-After", Long.toString(seconds));
        throw new ApiException(ErrorCode.TOO_MANY_AUTHENTICATION_FAILURES, "Too many failed authentications from "
                + "this address; retry after " + seconds + " s with a valid key");
    }

    /** After the handler: counts a 401 answered to a request that carried a bearer token. */
    void record(Context ctx) {
        if (ctx.statusCode() != 401) {
            return;
        }
        String token = Requests.bearerToken(ctx);
        if (token == null || token.isEmpty()) {
            return;
        }
        KeyKind kind = KeyKind.of(token);
        failures.get(kind).increment();
        String ip = clientAddress.of(ctx);
        AtomicRateLimiter address = addresses.get(ip);
        if (address == null) {
            long now = System.nanoTime();
            long last = lastSweepNanos;
            // Full: forget addresses whose window passed, at most once a second (a sweep reads every entry).
            if (addresses.size() >= MAX_ADDRESSES && now - last > 1_000_000_000L) {
                lastSweepNanos = now;
                addresses.values().removeIf(AuthFailures::idle);
            }
            if (addresses.size() < MAX_ADDRESSES) {
                address = addresses.computeIfAbsent(ip, a -> new AtomicRateLimiter("auth-failures", perAddress));
            }
        }
        // A WARN when a failure takes the last one allowed in the window (once per window, but for a race or two).
        AtomicRateLimiter kindLimiter = perKind.get(kind);
        if (kindLimiter.acquirePermission() && kindLimiter.getMetrics().getAvailablePermissions() <= 0) {
            warn(ip, kind, token, "key prefix " + kind.label() + " from all addresses");
        }
        if (address != null && address.acquirePermission() && address.getMetrics().getAvailablePermissions() <= 0) {
            warn(ip, kind, token, "address");
        }
    }

    private void warn(String ip, KeyKind kind, String token, String limit) {
        LOG.warn("Too many failed authentications (limit per {}): refusing keyed requests from {} until the window "
                + "ends (last key: prefix {}, sha256 {}…)", limit, ip, kind.label(), fingerprint(token));
    }

    /** A window with no failures left to forget: the address can be dropped. */
    private static boolean idle(RateLimiter limiter) {
        return limiter.getMetrics().getAvailablePermissions() >= limiter.getRateLimiterConfig().getLimitForPeriod();
    }

    /** The first 8 hex digits of the key's SHA-256: enough to tell keys apart in a log, nothing to use. */
    static String fingerprint(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
