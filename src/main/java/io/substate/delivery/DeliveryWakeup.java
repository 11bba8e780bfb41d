package io.substate.delivery;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes this process's delivery workers as soon as a transaction that created deliveries commits, so a new event
 * leaves within milliseconds instead of at the next poll. Process-wide on purpose: the outbox is written from static
 * code inside other features' transactions. A spurious wake-up costs one empty claim query; a missed one costs at most
 * one poll interval.
 */
final class DeliveryWakeup {
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final Condition CHANGED = LOCK.newCondition();
    /** Every signal; written under {@link #LOCK}, read without it. */
    private static volatile long generation;
    /** The signals after which a claim may find something new: all but hand-overs. */
    private static volatile long claimable;

    private DeliveryWakeup() {}

    /** Deliveries became due that a claim may take. */
    static void signal() {
        wake(true);
    }

    /** Deliveries were handed to a worker ({@link DeliveryHandoff}): it wakes, but no claim is needed for them. */
    static void handedOver() {
        wake(false);
    }

    private static void wake(boolean forClaims) {
        LOCK.lock();
        try {
            generation++;
            if (forClaims) {
                claimable++;
            }
            CHANGED.signalAll();
        } finally {
            LOCK.unlock();
        }
    }

    static long generation() {
        return generation;
    }

    static long claimable() {
        return claimable;
    }

    /** Waits until a signal newer than {@code seen}, or the timeout. */
    static void awaitAfter(long seen, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        LOCK.lock();
        try {
            while (generation == seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                CHANGED.awaitNanos(left);
            }
        } finally {
            LOCK.unlock();
        }
    }
}
