package io.substate.sync;

import java.time.Duration;

/**
 * When subscriptions are re-read from the Stripe API without a notification.
 *
 * @param interval every non-final subscription is re-read when nothing touched it for this long
 *     ({@code SUBSTATE_STRIPE_REFRESH_INTERVAL})
 * @param soon subscriptions whose expiry is this close are re-read every {@code nearInterval}: a renewal, a failed
 *     payment or the end of a canceled subscription is about to happen
 * @param nearInterval how often subscriptions around their expiry are re-read
 * @param pastExpiry how long after its expiry a subscription that is not final stays in the close watch (Stripe
 *     retries a failed renewal payment for days); later it falls back to {@code interval}
 * @param lease how long one instance holds a purchase it is re-reading, so no other instance reads it meanwhile
 * @param tick how often the worker looks for due subscriptions ({@code SUBSTATE_STRIPE_REFRESH_TICK})
 */
public record RefreshSchedule(Duration interval, Duration soon, Duration nearInterval, Duration pastExpiry,
        Duration lease, Duration tick) {

    /** The production schedule for a refresh interval and worker tick. */
    public static RefreshSchedule of(Duration interval, Duration tick) {
        Duration near = interval.compareTo(Duration.ofMinutes(15)) < 0 ? interval : Duration.ofMinutes(15);
        return new RefreshSchedule(interval, Duration.ofHours(1), near, Duration.ofDays(3), Duration.ofMinutes(5), tick);
    }

    /** The wait after the {@code failures}-th failed read in a row: doubling from 30 s, never past the interval. */
    public Duration backoff(int failures) {
        Duration wait = Duration.ofSeconds(30).multipliedBy(1L << Math.min(failures - 1, 16));
        Duration capped = wait.compareTo(interval) > 0 ? interval : wait;
        return capped.compareTo(tick) < 0 ? tick : capped;
    }
}
