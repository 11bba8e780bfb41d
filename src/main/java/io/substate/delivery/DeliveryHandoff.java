package io.substate.delivery;

import io.substate.storage.DatabaseLocal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.jdbi.v3.core.Handle;

/**
 * The short way out for the deliveries this instance creates: the transaction that creates them also leases them to
 * this instance's worker, and once it commits their ids are handed to that worker, which sends them at once. Without
 * it, each new delivery waited for a claim of its own, a second commit after the webhook's (on PostgreSQL, a second
 * WAL flush in the committers' queue): that commit is where the lag's tail came from when the disk was slow.
 *
 * <p>Only while the worker has room: a delivery created when the window is full, when many handed-off ones are still
 * waiting, or for an integration with all its attempts awaiting an answer (a receiver that hangs), is created
 * unleased and claimed like any other; leasing those would only mean releasing them again. A handed-off delivery the
 * worker cannot start while its lease still covers a whole attempt (its integration at its limit, the window full
 * meanwhile) is released and claimed later. If the instance dies first, the lease runs out and any instance claims it: at least once, as before.
 */
final class DeliveryHandoff {
    /** Handed-off ids not yet taken by the worker, beyond which deliveries are created unleased. */
    static final int MAX_WAITING = 1_024;

    private final String workerId;
    private final long leaseMillis;
    private final IntSupplier freeSlots;
    private final ConcurrentLinkedQueue<String> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waitingCount = new AtomicInteger();
    /** Integrations with as many attempts awaiting an answer as they may have, kept by the worker. */
    private final Set<String> full = ConcurrentHashMap.newKeySet();

    DeliveryHandoff(String workerId, long leaseMillis, IntSupplier freeSlots) {
        this.workerId = workerId;
        this.leaseMillis = leaseMillis;
        this.freeSlots = freeSlots;
    }

    /** The hand-off of the worker running on this handle's database, if there is one and it has room now. */
    static Optional<DeliveryHandoff> accepting(Handle h) {
        return DatabaseLocal.of(h, DeliveryHandoff.class)
                .filter(handoff -> handoff.freeSlots.getAsInt() > 0 && handoff.waitingCount.get() < MAX_WAITING);
    }

    /** Of {@code integrationIds}, those whose new deliveries this worker takes now: all but the full ones. */
    List<String> taking(List<String> integrationIds) {
        return full.isEmpty() ? integrationIds : integrationIds.stream().filter(id -> !full.contains(id)).toList();
    }

    /** The worker's account of an integration reaching its limit of attempts awaiting an answer, or leaving it. */
    void full(String integrationId, boolean isFull) {
        if (isFull) {
            full.add(integrationId);
        } else {
            full.remove(integrationId);
        }
    }

    String workerId() {
        return workerId;
    }

    /** Until when a delivery created at {@code nowMillis} is leased to the worker. */
    long leaseUntil(long nowMillis) {
        return nowMillis + leaseMillis;
    }

    /** After the commit: these deliveries (ids that may not exist are fine) are the worker's to send. */
    void offer(List<String> deliveryIds) {
        waiting.addAll(deliveryIds);
        waitingCount.addAndGet(deliveryIds.size());
        DeliveryWakeup.handedOver();
    }

    /** Everything handed off so far, oldest first. */
    List<String> take() {
        List<String> taken = new ArrayList<>();
        for (String id = waiting.poll(); id != null; id = waiting.poll()) {
            taken.add(id);
        }
        waitingCount.addAndGet(-taken.size());
        return taken;
    }
}
