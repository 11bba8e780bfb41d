package io.substate.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every setting of {@code substate serve} (README, "Configuration"), validated once at start-up.
 *
 * @param adminToken the admin token from the environment; empty means "use the stored one, or generate one"
 * @param publicUrl base of the webhook URLs shown to users, without a trailing slash
 * @param usdRates USD conversion rates ({@code SUBSTATE_USD_RATES}) over built-in defaults
 * @param databasePoolSize connections kept by the pool ({@code SUBSTATE_DATABASE_POOL_SIZE}, default 16 on
 *     PostgreSQL, 4 on SQLite); idle ones beyond 2 are closed after a minute
 * @param deliveryTimeout how long a webhook receiver has to answer ({@code SUBSTATE_DELIVERY_TIMEOUT}, default 60s as
 *     RevenueCat; shorter in tests)
 * @param stripeRefreshTick how often the refresh worker looks for subscriptions due to be re-read from Stripe
 *     ({@code SUBSTATE_STRIPE_REFRESH_TICK}, default 1m; shorter in tests)
 * @param grantExpiryTick how often the expiry worker looks for granted entitlements that ended, to send their
 *     EXPIRATION ({@code SUBSTATE_GRANT_EXPIRY_TICK}, default 10s; shorter in tests)
 * @param databaseTimeout how long a request waits for the database (a connection, SQLite's write lock, its write's
 *     commit to begin) before it is answered 503 {@code database_unavailable} ({@code SUBSTATE_DATABASE_TIMEOUT},
 *     default 5s)
 * @param databaseQueryTimeout how long one statement may run, and how long a PostgreSQL connection may wait for an
 *     answer before it is given up as broken ({@code SUBSTATE_DATABASE_QUERY_TIMEOUT}, default 30s)
 * @param retention how long payloads and delivery attempts are kept
 * @param guard limits on slow clients and failed authentications ({@link GuardSettings})
 * @param encryption the keys of stored secrets ({@code SUBSTATE_ENCRYPTION_KEY}…, {@link EncryptionSettings})
 */
public record Settings(
        int port,
        String databaseUrl,
        Optional<String> databaseUser,
        Optional<String> databasePassword,
        Optional<String> adminToken,
        String publicUrl,
        String stripeApiBase,
        List<Duration> deliveryRetrySchedule,
        Duration stripeRefreshInterval,
        UsdRates usdRates,
        Duration deliveryTimeout,
        int databasePoolSize,
        Duration stripeRefreshTick,
        Duration grantExpiryTick,
        Duration databaseTimeout,
        Duration databaseQueryTimeout,
        Retention retention,
        GuardSettings guard,
        EncryptionSettings encryption) {

    /**
     * The shortest admin token accepted: 24 letters and digits are about 143 bits, beyond any guessing rate, while
     * shorter hand-picked tokens (a word and a year) fall to a dictionary even at the rate the failure limit allows.
     */
    public static final int MIN_ADMIN_TOKEN_LENGTH = 24;

    public static final String DEFAULT_DATABASE_URL = "jdbc:sqlite:data/substate.db";

    /** Reads the settings from environment variables, applying the documented defaults. */
    public static Settings fromEnvironment(Map<String, String> env) {
        int port = parsePort(env.getOrDefault("SUBSTATE_PORT", "8080"));
        String databaseUrl = nonBlank(env, "SUBSTATE_DATABASE_URL").orElse(DEFAULT_DATABASE_URL);
        if (!databaseUrl.startsWith("jdbc:sqlite:") && !databaseUrl.startsWith("jdbc:postgresql:")) {
            throw new InvalidSettingException("SUBSTATE_DATABASE_URL",
                    "'" + databaseUrl + "' is neither jdbc:sqlite:<file> nor jdbc:postgresql://<host>/<database>");
        }
        Optional<String> adminToken = nonBlank(env, "SUBSTATE_ADMIN_TOKEN");
        if (adminToken.isPresent() && adminToken.get().length() < MIN_ADMIN_TOKEN_LENGTH) {
            throw new InvalidSettingException("SUBSTATE_ADMIN_TOKEN", "is " + adminToken.get().length()
                    + " characters long; it must be at least " + MIN_ADMIN_TOKEN_LENGTH + " (e.g. the output of "
                    + "'openssl rand -hex 24'), or unset to have one generated");
        }
        String publicUrl = url("SUBSTATE_PUBLIC_URL",
                nonBlank(env, "SUBSTATE_PUBLIC_URL").orElse("http://localhost:" + (port == 0 ? 8080 : port)));
        String stripeApiBase = url("SUBSTATE_STRIPE_API_BASE",
                nonBlank(env, "SUBSTATE_STRIPE_API_BASE").orElse("https://api.stripe.com"));
        List<Duration> retries = Durations.parseList("SUBSTATE_DELIVERY_RETRY_SCHEDULE",
                nonBlank(env, "SUBSTATE_DELIVERY_RETRY_SCHEDULE").orElse("5m,10m,20m,40m,80m"));
        Duration refresh = Durations.parse("SUBSTATE_STRIPE_REFRESH_INTERVAL",
                nonBlank(env, "SUBSTATE_STRIPE_REFRESH_INTERVAL").orElse("1h"));
        if (refresh.isNegative() || refresh.isZero()) {
            throw new InvalidSettingException("SUBSTATE_STRIPE_REFRESH_INTERVAL", "must be a positive duration");
        }
        UsdRates usdRates = UsdRates.parse(env.get("SUBSTATE_USD_RATES"));
        Duration deliveryTimeout = Durations.parse("SUBSTATE_DELIVERY_TIMEOUT",
                nonBlank(env, "SUBSTATE_DELIVERY_TIMEOUT").orElse("60s"));
        if (deliveryTimeout.isNegative() || deliveryTimeout.isZero()) {
            throw new InvalidSettingException("SUBSTATE_DELIVERY_TIMEOUT", "must be a positive duration");
        }
        Duration refreshTick = Durations.parse("SUBSTATE_STRIPE_REFRESH_TICK",
                nonBlank(env, "SUBSTATE_STRIPE_REFRESH_TICK").orElse("1m"));
        if (refreshTick.toMillis() < 10) {
            throw new InvalidSettingException("SUBSTATE_STRIPE_REFRESH_TICK", "must be at least 10ms");
        }
        Duration grantExpiryTick = Durations.parse("SUBSTATE_GRANT_EXPIRY_TICK",
                nonBlank(env, "SUBSTATE_GRANT_EXPIRY_TICK").orElse("10s"));
        if (grantExpiryTick.toMillis() < 10) {
            throw new InvalidSettingException("SUBSTATE_GRANT_EXPIRY_TICK", "must be at least 10ms");
        }
        Duration databaseTimeout = Durations.parse("SUBSTATE_DATABASE_TIMEOUT",
                nonBlank(env, "SUBSTATE_DATABASE_TIMEOUT").orElse("5s"));
        if (databaseTimeout.toMillis() < 500 || databaseTimeout.toMinutes() > 10) {
            throw new InvalidSettingException("SUBSTATE_DATABASE_TIMEOUT", "must be from 500ms to 10m");
        }
        Duration queryTimeout = Durations.parse("SUBSTATE_DATABASE_QUERY_TIMEOUT",
                nonBlank(env, "SUBSTATE_DATABASE_QUERY_TIMEOUT").orElse("30s"));
        if (queryTimeout.toSeconds() < 1 || queryTimeout.toHours() > 24) {
            throw new InvalidSettingException("SUBSTATE_DATABASE_QUERY_TIMEOUT", "must be from 1s to 24h");
        }
        return new Settings(port, databaseUrl, nonBlank(env, "SUBSTATE_DATABASE_USER"),
                nonBlank(env, "SUBSTATE_DATABASE_PASSWORD"), adminToken, publicUrl, stripeApiBase, retries, refresh,
                usdRates, deliveryTimeout, poolSize(env, databaseUrl), refreshTick, grantExpiryTick, databaseTimeout,
                queryTimeout, Retention.fromEnvironment(env), GuardSettings.fromEnvironment(env),
                EncryptionSettings.fromEnvironment(env));
    }

    public boolean isSqlite() {
        return databaseUrl.startsWith("jdbc:sqlite:");
    }

    /** The database URL without credentials, for logs. */
    /** Leaves the admin token and the database password out (config imports nothing that could redact them). */
    @Override
    public String toString() {
        return "Settings[port=" + port + ", database=" + databaseForLog() + ", databaseUser=" + databaseUser
                + ", databasePassword=" + databasePassword.map(p -> "[redacted]") + ", adminToken="
                + adminToken.map(t -> "[redacted]") + ", publicUrl=" + publicUrl + ", stripeApiBase=" + stripeApiBase
                + ", deliveryRetrySchedule=" + deliveryRetrySchedule + ", stripeRefreshInterval="
                + stripeRefreshInterval + ", deliveryTimeout=" + deliveryTimeout + ", databasePoolSize="
                + databasePoolSize + ", stripeRefreshTick=" + stripeRefreshTick + ", grantExpiryTick="
                + grantExpiryTick + "]";
    }

    public String databaseForLog() {
        int q = databaseUrl.indexOf('?');
        return q < 0 ? databaseUrl : databaseUrl.substring(0, q);
    }

    public Settings withPort(int newPort) {
        return new Settings(newPort, databaseUrl, databaseUser, databasePassword, adminToken, publicUrl, stripeApiBase,
                deliveryRetrySchedule, stripeRefreshInterval, usdRates, deliveryTimeout, databasePoolSize,
                stripeRefreshTick, grantExpiryTick, databaseTimeout, databaseQueryTimeout, retention, guard,
                encryption);
    }

    /** Connections in the pool: 16 on PostgreSQL (SQLite has one writer, 4 are plenty). */
    private static int poolSize(Map<String, String> env, String databaseUrl) {
        String text = nonBlank(env, "SUBSTATE_DATABASE_POOL_SIZE").orElse(databaseUrl.startsWith("jdbc:sqlite:") ? "4" : "16");
        try {
            int size = Integer.parseInt(text);
            if (size < 2 || size > 1000) {
                throw new NumberFormatException();
            }
            return size;
        } catch (NumberFormatException e) {
            throw new InvalidSettingException("SUBSTATE_DATABASE_POOL_SIZE", "'" + text + "' is not a number from 2 to 1000");
        }
    }

    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text.trim());
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new InvalidSettingException("SUBSTATE_PORT", "'" + text + "' is not a port number (0-65535)");
        }
    }

    private static String url(String setting, String text) {
        try {
            URI uri = URI.create(text);
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(setting, "'" + text + "' is not an http(s) URL");
        }
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }

    private static Optional<String> nonBlank(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }
}
