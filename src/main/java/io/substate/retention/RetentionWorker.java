package io.substate.retention;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.substate.apps.AppStore;
import io.substate.common.RepeatedFailureLog;
import io.substate.config.Retention;
import io.substate.delivery.DeliveryStore;
import io.substate.ingest.StripeEventStore;
import io.substate.storage.GroupCommit;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prunes what {@link Retention} keeps for a limited time: Stripe event payloads and the attempts of settled
 * deliveries. Each tick works in small batches, each its own unit of the group committer and followed by a pause,
 * so webhooks interleave with it (on SQLite the committer is the one writer) and a tick never holds a lock for long;
 * a tick stops after a few seconds and the next one goes on. Several instances may prune at once: every batch is idempotent. What it
 * pruned is counted in {@code substate_retention_pruned_total{kind}}, so operators (and bench/retention.sh) can follow
 * a large first pruning.
 */
public final class RetentionWorker implements AutoCloseable {
    static final int BATCH = 500;
    /**
     * After each batch the worker pauses this many times as long as the batch took, its wait for a turn in the
     * group committer included: pruning takes at most a fifth of the writer's time, less the busier webhooks keep it.
     * Without the pause, pruning at full pace beside the webhook benchmark took 43% of the webhooks' rate on SQLite
     * (BENCHMARKS.md, History).
     */
    private static final int PAUSE_AFTER_BATCH = 4;
    private static final Duration TICK_BUDGET = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(RetentionWorker.class);
    private final RepeatedFailureLog failures = new RepeatedFailureLog(LOG, "Retention tick");

    private final Jdbi jdbi;
    private final GroupCommit commits;
    private final Retention retention;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final Counter payloadsPruned;
    private final Counter attemptsPruned;
    /** Per app, when the newest payload pruned so far arrived: older rows need not be read again. */
    private final Map<String, Long> prunedUpTo = new ConcurrentHashMap<>();

    public RetentionWorker(Jdbi jdbi, GroupCommit commits, Retention retention, MeterRegistry metrics, Clock clock) {
        this.jdbi = jdbi;
        this.commits = commits;
        this.retention = retention;
        this.clock = clock;
        this.payloadsPruned = Counter.builder("substate.retention.pruned").tag("kind", "stripe_payloads")
                .description("Rows pruned by retention: Stripe event payloads emptied, delivery attempts deleted")
                .register(metrics);
        this.attemptsPruned = Counter.builder("substate.retention.pruned").tag("kind", "delivery_attempts")
                .description("Rows pruned by retention: Stripe event payloads emptied, delivery attempts deleted")
                .register(metrics);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread t = new Thread(runnable, "retention");
            t.setDaemon(true);
            return t;
        });
        long tick = retention.tick().toMillis();
        scheduler.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        long deadline = System.nanoTime() + TICK_BUDGET.toNanos();
        try {
            long payloads = retention.stripePayloads().map(keep -> prunePayloads(clock.millis() - keep.toMillis(),
                    deadline)).orElse(0L);
            long attempts = retention.deliveryAttempts().map(keep -> pruneAttempts(clock.millis() - keep.toMillis(),
                    deadline)).orElse(0L);
            failures.succeeded();
            if (payloads > 0 || attempts > 0) {
                LOG.info("Retention: emptied {} Stripe event payloads and deleted {} delivery attempts", payloads,
                        attempts);
            }
        } catch (CancellationException e) {
            // Closing: the pause was interrupted.
        } catch (RuntimeException e) {
            // The database may be briefly away; the next tick goes on from where this one got.
            failures.failed(e);
        }
    }

    private long prunePayloads(long before, long deadline) {
        long total = 0;
        List<String> apps = jdbi.withHandle(AppStore::ids);
        for (String appId : apps) {
            while (System.nanoTime() < deadline) {
                long from = prunedUpTo.getOrDefault(appId, 0L);
                // Found on a handle of its own: after a restart the first read passes every payload emptied before.
                StripeEventStore.Prunable found = jdbi.withHandle(h ->
                        StripeEventStore.prunable(h, appId, from, before, BATCH));
                if (!found.eventIds().isEmpty()) {
                    total += yielding(payloadsPruned, () -> commits.execute("", h ->
                            StripeEventStore.emptyPayloads(h, appId, found.eventIds())));
                }
                prunedUpTo.put(appId, found.lastReceivedAt());
                if (found.eventIds().size() < BATCH) {
                    break;
                }
            }
        }
        return total;
    }

    private long pruneAttempts(long before, long deadline) {
        long total = 0;
        while (System.nanoTime() < deadline) {
            int deleted = yielding(attemptsPruned, () -> commits.execute("", h ->
                    DeliveryStore.pruneAttempts(h, before, BATCH)));
            total += deleted;
            if (deleted < BATCH) {
                break;
            }
        }
        return total;
    }

    /** Runs one batch and counts its rows, then pauses {@link #PAUSE_AFTER_BATCH} times as long as it took. */
    private static int yielding(Counter pruned, IntSupplier batch) {
        long start = System.nanoTime();
        int rows = batch.getAsInt();
        pruned.increment(rows);
        try {
            TimeUnit.NANOSECONDS.sleep((System.nanoTime() - start) * PAUSE_AFTER_BATCH);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException();
        }
        return rows;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
