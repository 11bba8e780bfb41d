package io.substate.delivery;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import io.substate.common.RepeatedFailureLog;
import io.substate.customers.SubscriberAttributes;
import io.substate.storage.DatabaseLocal;
import io.substate.storage.Dialect;
import io.substate.storage.GroupCommit;
import io.substate.storage.Ids;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outgoing-delivery worker of one instance. A dispatcher thread leases due deliveries in batches (as many as the
 * window has room for) and starts each POST in its integration kind's format ({@link EventSender}) without waiting for
 * it; as answers come, a settler thread records the attempts and settles their deliveries (succeeded, retried per the
 * schedule with the same event id, or failed after the last retry or after an answer that can never succeed), many
 * in one group-commit unit. The deliveries this instance's own transactions create come to it leased already, and
 * are started without a claim ({@link DeliveryHandoff}); it wakes on every local commit that created deliveries, and
 * polls every {@link #POLL_INTERVAL} for the rest (other instances' events, retries due, deliveries created while it
 * had no room).
 *
 * <p>Two limits: at most {@code window} attempts in flight or waiting to be settled, and at most
 * {@code perIntegration} awaiting one integration's answer. An integration at its limit is left out of claims, so a
 * receiver that hangs holds only its own slots, and its backlog never fills the window of the others.
 */
public final class DeliveryWorker implements AutoCloseable {
    /** Attempts in flight or waiting for their settlement, per instance. */
    public static final int DEFAULT_WINDOW = 256;
    /** Attempts awaiting one integration's answer: a receiver that hangs holds these until the timeout. */
    public static final int DEFAULT_PER_INTEGRATION = 32;
    static final Duration POLL_INTERVAL = Duration.ofMillis(200);
    /** The shortest time between two passes that start handed-over deliveries (see {@link #dispatch}). */
    static final Duration HANDOVER_GATHER = Duration.ofMillis(5);
    /** Time beyond the HTTP timeout for recording the result before a lease may be taken over. */
    static final Duration LEASE_MARGIN = Duration.ofSeconds(5);
    /** Claims and settlements share one committer's queue (on PostgreSQL there are several), so they stay in order. */
    private static final String ORDER_KEY = "deliveries";
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryWorker.class);
    private final RepeatedFailureLog claimFailures = new RepeatedFailureLog(LOG, "Dispatching webhook deliveries");

    private final Jdbi jdbi;
    private final Dialect dialect;
    private final GroupCommit commits;
    private final List<Duration> retrySchedule;
    private final Duration lease;
    private final long timeoutMillis;
    private final Clock clock;
    private final HttpPoster poster;
    private final int perIntegration;
    private final Map<IntegrationKind, EventSender> senderOfKind = new EnumMap<>(IntegrationKind.class);
    private final String workerId = Ids.random("wrk", 12);
    private final Semaphore window;
    private final DeliveryHandoff handoff;
    /** Permits the dispatcher took for the claim it is running (see {@link #dispatch}). */
    private volatile int heldForClaim;
    /** Attempts awaiting an answer, by integration id; guarded by itself. */
    private final Map<String, Integer> awaiting = new HashMap<>();
    private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
    private final BlockingQueue<DeliveryStore.Settlement> settlements = new LinkedBlockingQueue<>();
    private final Thread dispatcher;
    private final Thread settler;
    private volatile boolean running = true;
    private volatile boolean settling = true;

    /**
     * Writes (claims, settlements) go through {@code commits}: on SQLite a second writer beside the group committer
     * would make its batches fail with SQLITE_BUSY, and on PostgreSQL they share its fsyncs.
     */
    public DeliveryWorker(Jdbi jdbi, Dialect dialect, GroupCommit commits, List<Duration> retrySchedule,
            Duration timeout, int window, int perIntegration, Clock clock) {
        this.jdbi = jdbi;
        this.dialect = dialect;
        this.commits = commits;
        this.retrySchedule = List.copyOf(retrySchedule);
        this.lease = timeout.plus(LEASE_MARGIN);
        this.timeoutMillis = timeout.toMillis();
        this.clock = clock;
        this.poster = new HttpPoster(timeout);
        this.perIntegration = perIntegration;
        for (IntegrationKind kind : IntegrationKind.values()) {
            senderOfKind.put(kind, EventSender.of(kind));
        }
        this.window = new Semaphore(window);
        // The permits a claim holds while it runs are free as far as new deliveries are concerned: most come back.
        this.handoff = new DeliveryHandoff(workerId, lease.toMillis(), () -> this.window.availablePermits()
                + heldForClaim);
        DatabaseLocal.attach(jdbi, DeliveryHandoff.class, handoff);
        this.settler = new Thread(this::settle, "webhook-settler");
        settler.setDaemon(true);
        settler.start();
        this.dispatcher = new Thread(this::dispatch, "webhook-dispatcher");
        dispatcher.setDaemon(true);
        dispatcher.start();
    }

    private void dispatch() {
        long claimedAfter = -1; // The claimable signal the last claim began after.
        long lastClaim = 0;
        long lastHandover = System.nanoTime() - HANDOVER_GATHER.toNanos();
        boolean claimAgain = true;
        while (running) {
            try {
                // Under a stream of new deliveries, a pass at most every HANDOVER_GATHER takes several at once: its
                // reads are shared by them; a lone one after a quiet moment goes at once.
                long gather = lastHandover + HANDOVER_GATHER.toNanos() - System.nanoTime();
                if (gather > 0) {
                    TimeUnit.NANOSECONDS.sleep(gather);
                }
                long seen = DeliveryWakeup.generation();
                long claimable = DeliveryWakeup.claimable();
                if (startHandedOff() > 0) {
                    lastHandover = System.nanoTime();
                }
                // Hand-overs need no claim: one runs after other signals, and at every poll.
                if (claimAgain || claimable != claimedAfter
                        || System.nanoTime() - lastClaim >= POLL_INTERVAL.toNanos()) {
                    if (!window.tryAcquire(POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS)) {
                        continue;
                    }
                    claimedAfter = claimable;
                    lastClaim = System.nanoTime();
                    int free = 1 + window.drainPermits();
                    heldForClaim = free;
                    Claim claim = Claim.NONE;
                    try {
                        claim = claim(free);
                        startAll(claim.deliveries());
                    } finally {
                        window.release(free - claim.deliveries().size());
                        heldForClaim = 0;
                    }
                    claimAgain = claim.capped() || claim.deliveries().size() >= free;
                }
                claimFailures.succeeded();
                if (!claimAgain) {
                    DeliveryWakeup.awaitAfter(seen, POLL_INTERVAL.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // The database may be briefly unreachable; leases make any half-done claim harmless.
                claimFailures.failed(e);
                sleepQuietly();
            }
        }
    }

    /**
     * Starts the deliveries this instance's transactions created and leased to it ({@link DeliveryHandoff}): one read,
     * no claim. Those that cannot start while their lease covers a whole attempt, for want of room in the window or in
     * their integration's share, are released in one unit, to be claimed like any other.
     */
    private int startHandedOff() {
        List<String> ids = handoff.take();
        if (ids.isEmpty()) {
            return 0;
        }
        List<DeliveryStore.Claimed> leased = jdbi.withHandle(h -> DeliveryStore.loadLeased(h, workerId, ids));
        long startBy = clock.millis() + timeoutMillis;
        List<DeliveryStore.Claimed> starting = new ArrayList<>(leased.size());
        List<String> released = new ArrayList<>();
        Map<String, Integer> taken = new HashMap<>();
        for (DeliveryStore.Claimed delivery : leased) {
            String integration = delivery.integration().id();
            int awaitingNow;
            synchronized (awaiting) {
                awaitingNow = awaiting.getOrDefault(integration, 0);
            }
            int mine = taken.getOrDefault(integration, 0);
            if (delivery.leasedUntil() >= startBy && awaitingNow + mine < perIntegration && window.tryAcquire()) {
                taken.put(integration, mine + 1);
                starting.add(delivery);
            } else {
                released.add(delivery.id());
            }
        }
        startAll(starting);
        releaseLater(released);
        return ids.size();
    }

    private void releaseLater(List<String> released) {
        if (!released.isEmpty()) {
            // Not waited for: the next hand-off must not wait for this commit.
            commits.submit(ORDER_KEY, h -> {
                DeliveryStore.release(h, workerId, released);
                return null;
            }).whenComplete((done, failure) -> {
                if (failure != null) {
                    LOG.warn("{} webhook deliveries could not be released; they are claimed when their leases expire: "
                            + "{}", released.size(), failure.toString());
                } else {
                    DeliveryWakeup.signal(); // Claimable now.
                }
            });
        }
    }

    /** What one claim leased; {@code capped}: due deliveries were left for integrations that reached their limit. */
    private record Claim(List<DeliveryStore.Claimed> deliveries, boolean capped) {
        static final Claim NONE = new Claim(List.of(), false);
    }

    private Claim claim(int max) {
        long now = clock.millis();
        Map<String, Integer> room = new HashMap<>();
        List<String> full;
        synchronized (awaiting) {
            full = awaiting.entrySet().stream().filter(e -> e.getValue() >= perIntegration).map(Map.Entry::getKey)
                    .toList();
            awaiting.forEach((integration, n) -> room.put(integration, perIntegration - n));
        }
        if (!jdbi.withHandle(h -> DeliveryStore.anyDue(h, now, full))) {
            return Claim.NONE;
        }
        boolean[] capped = {false};
        List<DeliveryStore.Due> leased = commits.execute(ORDER_KEY, h -> {
            List<DeliveryStore.Due> taken = new ArrayList<>();
            Map<String, Integer> left = new HashMap<>(room);
            for (DeliveryStore.Due due : DeliveryStore.due(h, dialect, max, now, full)) {
                int n = left.getOrDefault(due.integrationId(), perIntegration);
                if (n > 0) {
                    left.put(due.integrationId(), n - 1);
                    taken.add(due);
                } else {
                    capped[0] = true;
                }
            }
            return taken.isEmpty() ? taken : DeliveryStore.claim(h, workerId, taken, now, now + lease.toMillis());
        });
        if (leased.isEmpty()) {
            return new Claim(List.of(), capped[0]);
        }
        // Read outside the committer: the claim has committed, and the reads cost the one writer nothing.
        List<DeliveryStore.Claimed> loaded = jdbi.withHandle(h -> DeliveryStore.load(h,
                leased.stream().map(DeliveryStore.Due::id).toList()));
        return new Claim(loaded, capped[0]);
    }

    private void startAll(List<DeliveryStore.Claimed> deliveries) {
        if (deliveries.isEmpty()) {
            return;
        }
        // Attributes as of sending, for every customer of the batch in one read.
        List<String> customers = deliveries.stream().map(DeliveryStore.Claimed::customerId).filter(Objects::nonNull)
                .distinct().toList();
        Map<String, ObjectNode> attributes;
        try {
            attributes = customers.isEmpty() ? Map.of() : jdbi.withHandle(h -> SubscriberAttributes.json(h, customers));
        } catch (RuntimeException e) {
            LOG.warn("{} webhook deliveries could not be started; they are retried when their leases expire: {}",
                    deliveries.size(), e.toString());
            window.release(deliveries.size());
            return;
        }
        for (DeliveryStore.Claimed delivery : deliveries) {
            ObjectNode attributesOf = delivery.customerId() == null ? Json.object()
                    : attributes.getOrDefault(delivery.customerId(), Json.object());
            start(delivery, attributesOf);
        }
    }

    private void start(DeliveryStore.Claimed delivery, ObjectNode attributes) {
        String integration = delivery.integration().id();
        boolean nowFull;
        synchronized (awaiting) {
            nowFull = awaiting.merge(integration, 1, Integer::sum) == perIntegration;
        }
        if (nowFull) {
            handoff.full(integration, true);
        }
        try {
            ObjectNode event = (ObjectNode) Json.read(delivery.payload());
            event.set("subscriber_attributes", attributes);
            long attemptedAt = clock.millis();
            EventSender sender = senderOfKind.get(delivery.integration().kind());
            EventSender.Request request = sender.request(delivery, event, attemptedAt);
            CompletableFuture<HttpPoster.Result> attempt = poster.send(request.url(), request.headers(), request.body());
            inFlight.add(attempt);
            attempt.whenComplete((raw, failure) -> {
                inFlight.remove(attempt);
                answered(delivery, sender, raw, failure, attemptedAt);
            });
        } catch (RuntimeException e) {
            answered(delivery, null, null, e, 0);
        }
    }

    /** An attempt's answer (or its failure to start): off to the settler, or abandoned to its lease. */
    private void answered(DeliveryStore.Claimed delivery, EventSender sender, HttpPoster.Result raw,
            Throwable failure, long attemptedAt) {
        boolean wasFull;
        synchronized (awaiting) {
            String integration = delivery.integration().id();
            int n = awaiting.merge(integration, -1, Integer::sum);
            wasFull = n == perIntegration - 1;
            if (n <= 0) {
                awaiting.remove(integration);
            }
        }
        if (wasFull) {
            handoff.full(delivery.integration().id(), false);
            DeliveryWakeup.signal(); // Its due deliveries may be claimed again.
        }
        if (failure != null && !running) {
            window.release(); // Abandoned at shutdown: the lease expires and the delivery is sent again.
            return;
        }
        if (failure != null || raw == null) {
            LOG.warn("Webhook delivery {} could not be completed; it is retried when its lease expires: {}",
                    delivery.id(), failure == null ? "no result" : failure.toString());
            window.release();
            return;
        }
        HttpPoster.Result result;
        Long nextRetryAt;
        try {
            result = sender.judge(raw);
            nextRetryAt = result.succeeded() || !sender.retryable(result) ? null
                    : nextRetryAt(delivery.attemptCount(), clock.millis());
        } catch (RuntimeException e) {
            LOG.warn("Webhook delivery {} could not be judged; it is retried when its lease expires: {}",
                    delivery.id(), e.toString());
            window.release();
            return;
        }
        if (!running && result.statusCode() == null) {
            window.release(); // Cut short by shutdown: the lease expires and the delivery is sent again.
            return;
        }
        settlements.add(new DeliveryStore.Settlement(delivery.id(), result, attemptedAt, nextRetryAt));
    }

    /** Settles what has been answered so far in one unit, again and again; each settled slot returns to the window. */
    private void settle() {
        List<DeliveryStore.Settlement> batch = new ArrayList<>();
        while (settling || !settlements.isEmpty()) {
            try {
                DeliveryStore.Settlement first = settlements.poll(POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                settlements.drainTo(batch);
                List<DeliveryStore.Settlement> these = List.copyOf(batch);
                commits.execute(ORDER_KEY, h -> {
                    DeliveryStore.settle(h, workerId, these);
                    return null;
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("{} webhook deliveries could not be settled; they are retried when their leases expire: {}",
                        batch.size(), e.toString());
            } finally {
                window.release(batch.size());
                batch.clear();
            }
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

    /**
     * Stops claiming, gives attempts in flight a moment to be answered and settled, then abandons the rest to their
     * leases (sent again once they expire).
     */
    @Override
    public void close() {
        DatabaseLocal.detach(jdbi, DeliveryHandoff.class, handoff);
        running = false;
        dispatcher.interrupt();
        try {
            dispatcher.join(2_000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (!inFlight.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            inFlight.forEach(attempt -> attempt.cancel(true));
            settling = false;
            settler.join(2_000);
            if (settler.isAlive()) {
                settler.interrupt();
                settler.join(1_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
