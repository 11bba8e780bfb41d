package io.substate.common;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * How a background loop (a worker's tick, a poll) logs its failures: the first at WARN, then, while the same loop keeps
 * failing, one reminder every {@link #REMINDER_INTERVAL} with how many failed since, and one INFO line when it works
 * again. During a database outage a loop that polls every 200 ms would otherwise write five WARN lines a second,
 * burying the lines that explain the outage.
 */
public final class RepeatedFailureLog {
    public static final Duration REMINDER_INTERVAL = Duration.ofMinutes(1);

    private final Logger log;
    private final String what;
    private final LongSupplier nanoTime;
    private int failures; // Since the last success; guarded by this.
    private long firstFailureNanos;
    private long lastWarnNanos;

    /** {@code what} names the loop in a sentence: "Retention tick", "Claiming webhook deliveries". */
    public RepeatedFailureLog(Logger log, String what) {
        this(log, what, System::nanoTime);
    }

    RepeatedFailureLog(Logger log, String what, LongSupplier nanoTime) {
        this.log = log;
        this.what = what;
        this.nanoTime = nanoTime;
    }

    /** One more failure of the loop; logs it when it starts a run of failures or a reminder is due. */
    public synchronized void failed(Exception e) {
        long now = nanoTime.getAsLong();
        failures++;
        if (failures == 1) {
            firstFailureNanos = now;
            lastWarnNanos = now;
            log.warn("{} failed: {}", what, e.toString());
        } else if (now - lastWarnNanos >= REMINDER_INTERVAL.toNanos()) {
            lastWarnNanos = now;
            log.warn("{} still fails: {} times in {} s, last: {}", what, failures, seconds(now - firstFailureNanos),
                    e.toString());
        }
    }

    /** The loop worked: ends a run of failures, if there was one. */
    public synchronized void succeeded() {
        if (failures > 0) {
            log.info("{} works again, after {} failures in {} s", what, failures,
                    seconds(nanoTime.getAsLong() - firstFailureNanos));
            failures = 0;
        }
    }

    private static long seconds(long nanos) {
        return TimeUnit.NANOSECONDS.toSeconds(nanos);
    }
}
