package io.substate.delivery;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.substate.common.RepeatedFailureLog;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery backlog as metrics, for alerts (deploy/prometheus/alerts.yml): deliveries waiting, how long the oldest
 * has waited, and deliveries that failed for good in the last day. A background thread samples them every few
 * seconds, so a scrape never waits on the database and an unreachable database leaves the last sample (and a WARN).
 */
public final class DeliveryBacklog implements AutoCloseable {
    static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryBacklog.class);

    private final DeliveryRepository repository;
    private final Clock clock;
    private final ScheduledExecutorService sampler;
    private volatile Backlog last = new Backlog(0, 0, 0);
    private final RepeatedFailureLog failures = new RepeatedFailureLog(LOG,
            "Sampling the delivery backlog (its metrics keep their last sample)");

    /** Counts as one sample saw them; ages in seconds. */
    record Backlog(long pending, long oldestPendingAgeSeconds, long failedLastDay) {}

    public DeliveryBacklog(Jdbi jdbi, MeterRegistry registry, Clock clock) {
        this.repository = new DeliveryRepository(jdbi);
        this.clock = clock;
        Gauge.builder("substate.deliveries.pending", () -> last.pending())
                .description("Deliveries waiting for their first attempt or a retry").register(registry);
        Gauge.builder("substate.deliveries.oldest_pending_age", () -> last.oldestPendingAgeSeconds())
                .baseUnit("seconds").description("How long the oldest waiting delivery has waited").register(registry);
        Gauge.builder("substate.deliveries.failed_last_day", () -> last.failedLastDay())
                .description("Deliveries whose every attempt failed, settled in the last 24 hours").register(registry);
        this.sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread t = new Thread(runnable, "delivery-backlog");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleWithFixedDelay(this::sample, 0, SAMPLE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void sample() {
        try {
            last = repository.backlog(clock.millis());
            failures.succeeded();
        } catch (RuntimeException e) {
            failures.failed(e);
        }
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
