package io.substate.delivery;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import io.substate.customers.SubscriberAttributes;
import io.substate.storage.Dialect;
import io.substate.storage.GroupCommit;
import io.substate.storage.Ids;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outgoing-delivery worker pool of one instance. A dispatcher thread leases due deliveries (as many as there are
 * free senders), and each sender POSTs one in its integration kind's format ({@link EventSender}), then records the
 * attempt and settles the delivery (succeeded, retried per the schedule with the same event id, or failed after the
 * last retry or after an answer that can never succeed). It wakes on every local commit that created deliveries and
 * polls every {@link #POLL_INTERVAL} for the rest (other instances' events, retries due). A slow receiver holds only
 * its own sender, so it delays no other integration.
 */
public final class DeliveryWorker implements AutoCloseable {
    /** Concurrent HTTP requests per instance; a receiver that hangs holds one sender for up to the timeout. */
    public static final int DEFAULT_CONCURRENCY = 32;
    static final Duration POLL_INTERVAL = Duration.ofMillis(200);
    /** Time beyond the HTTP timeout for recording the result before a lease may be taken over. */
    static final Duration LEASE_MARGIN = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryWorker.class);

    private final Jdbi jdbi;
    private final Dialect dialect;
    private final GroupCommit commits;
    private final List<Duration> retrySchedule;
    private final Duration lease;
    private final Clock clock;
    private final HttpPoster poster;
    private final Map<IntegrationKind, EventSender> senderOfKind = new EnumMap<>(IntegrationKind.class);
    private final String workerId = Ids.random("wrk", 12);
    private final Semaphore freeSenders;
    private final ExecutorService senders;
    private final Thread dispatcher;
    private volatile boolean running = true;

    /**
     * Writes (claims, settlements) go through {@code commits}: on SQLite a second writer beside the group committer
     * would make its batches fail with SQLITE_BUSY, and on PostgreSQL they share its fsyncs.
     */
    public DeliveryWorker(Jdbi jdbi, Dialect dialect, GroupCommit commits, List<Duration> retrySchedule,
            Duration timeout, int concurrency, Clock clock) {
        this.jdbi = jdbi;
        this.dialect = dialect;
        this.commits = commits;
        this.retrySchedule = List.copyOf(retrySchedule);
        this.lease = timeout.plus(LEASE_MARGIN);
        this.clock = clock;
        this.poster = new HttpPoster(timeout);
        for (IntegrationKind kind : IntegrationKind.values()) {
            senderOfKind.put(kind, EventSender.of(kind));
        }
        this.freeSenders = new Semaphore(concurrency);
        this.senders = Executors.newFixedThreadPool(concurrency, runnable -> {
            Thread t = new Thread(runnable, "webhook-sender");
            t.setDaemon(true);
            return t;
        });
        this.dispatcher = new Thread(this::dispatch, "webhook-dispatcher");
        dispatcher.setDaemon(true);
        dispatcher.start();
    }

    private void dispatch() {
        while (running) {
            try {
                long seen = DeliveryWakeup.generation();
                if (!freeSenders.tryAcquire(POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS)) {
                    continue;
                }
                int free = 1 + freeSenders.drainPermits();
                List<DeliveryStore.Claimed> claimed = claim(free);
                freeSenders.release(free - claimed.size());
                claimed.forEach(delivery -> senders.execute(() -> send(delivery)));
                if (claimed.size() < free) {
                    DeliveryWakeup.awaitAfter(seen, POLL_INTERVAL.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // The database may be briefly unreachable; leases make any half-done claim harmless.
                LOG.warn("Claiming webhook deliveries failed: {}", e.toString());
                sleepQuietly();
            }
        }
    }

    private List<DeliveryStore.Claimed> claim(int max) {
        long now = clock.millis();
        if (!jdbi.withHandle(h -> DeliveryStore.anyDue(h, now))) {
            return List.of();
        }
        return commits.execute("", h -> DeliveryStore.load(h,
                DeliveryStore.claim(h, dialect, workerId, max, now, now + lease.toMillis())));
    }

    private void send(DeliveryStore.Claimed delivery) {
        try {
            ObjectNode event = (ObjectNode) Json.read(delivery.payload());
            event.set("subscriber_attributes", delivery.customerId() == null ? Json.object()
                    : jdbi.withHandle(h -> SubscriberAttributes.json(h, delivery.customerId())));
            long attemptedAt = clock.millis();
            EventSender sender = senderOfKind.get(delivery.integration().kind());
            EventSender.Request request = sender.request(delivery, event, attemptedAt);
            HttpPoster.Result result = sender.judge(poster.post(request.url(), request.headers(), request.body()));
            if (!running && result.statusCode() == null) {
                return; // Cut short by shutdown: the lease expires and the delivery is sent again.
            }
            Long nextRetryAt = result.succeeded() || !sender.retryable(result) ? null
                    : nextRetryAt(delivery.attemptCount(), clock.millis());
            commits.execute(delivery.id(), h -> {
                DeliveryStore.settle(h, delivery.id(), workerId, result, attemptedAt, nextRetryAt);
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warn("Webhook delivery {} could not be completed; it is retried when its lease expires: {}",
                    delivery.id(), e.toString());
        } finally {
            freeSenders.release();
        }
    }

    /** After the n-th failed attempt (0-based {@code previousAttempts}), the n-th delay of the schedule, or none. */
    private Long nextRetryAt(int previousAttempts, long nowMillis) {
        return previousAttempts < retrySchedule.size() ? nowMillis + retrySchedule.get(previousAttempts).toMillis() : null;
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(POLL_INTERVAL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops claiming, gives in-flight deliveries a moment, then abandons them to their leases. */
    @Override
    public void close() {
        running = false;
        dispatcher.interrupt();
        senders.shutdown();
        try {
            dispatcher.join(2_000);
            if (!senders.awaitTermination(2, TimeUnit.SECONDS)) {
                senders.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
