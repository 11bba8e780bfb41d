package io.substate.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How long Substate keeps what only explains the past: the raw payloads of Stripe events and the attempts of
 * settled deliveries. Everything state and charts are made of (purchases, transactions, chart facts, customers, the
 * event log's rows and the outgoing events) is kept forever.
 *
 * @param stripePayloads raw Stripe event bodies are emptied this long after they arrived
 *     ({@code SUBSTATE_RETENTION_STRIPE_PAYLOADS}, default 90d; {@code forever} keeps them); events still parked keep
 *     theirs until applied
 * @param deliveryAttempts attempts of settled deliveries are deleted this long after they were made
 *     ({@code SUBSTATE_RETENTION_DELIVERY_ATTEMPTS}, default 90d; {@code forever} keeps them); the delivery keeps its
 *     status and attempt count
 * @param tick how often the pruning job runs ({@code SUBSTATE_RETENTION_TICK}, default 1m; shorter in tests)
 */
public record Retention(Optional<Duration> stripePayloads, Optional<Duration> deliveryAttempts, Duration tick) {
    static final String FOREVER = "forever";

    static Retention fromEnvironment(Map<String, String> env) {
        Duration tick = Durations.parse("SUBSTATE_RETENTION_TICK", env.getOrDefault("SUBSTATE_RETENTION_TICK", "1m"));
        if (tick.toMillis() < 10) {
            throw new InvalidSettingException("SUBSTATE_RETENTION_TICK", "must be at least 10ms");
        }
        return new Retention(period(env, "SUBSTATE_RETENTION_STRIPE_PAYLOADS"),
                period(env, "SUBSTATE_RETENTION_DELIVERY_ATTEMPTS"), tick);
    }

    private static Optional<Duration> period(Map<String, String> env, String name) {
        String text = env.getOrDefault(name, "90d").trim();
        if (text.equalsIgnoreCase(FOREVER)) {
            return Optional.empty();
        }
        Duration period = Durations.parse(name, text);
        // A day at least: Stripe retries a webhook for three days, and a payload is what a replay needs.
        if (period.compareTo(Duration.ofDays(1)) < 0) {
            throw new InvalidSettingException(name, "must be at least 1d, or 'forever'");
        }
        return Optional.of(period);
    }
}
