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
    /** Every signal. */
    private static long generation;
    /** The signals after which a claim may find something new: all but hand-overs. */
    private static long claimable;

    private DeliveryWakeup() {}

    /** Deliveries became due that a claim may take. */
    static void signal() {
        LOCK.lock();
        try {
            generation++;
            claimable++;
            CHANGED.signalAll();
        } finally {
            LOCK.unlock();
        }
    }

    /** Deliveries were handed to a worker ({@link DeliveryHandoff}): it wakes, but no claim is needed for them. */
    static void handedOver() {
        LOCK.lock();
        try {
            generation++;
            CHANGED.signalAll();
        } finally {
            LOCK.unlock();
        }
    }

    static long generation() {
        LOCK.lock();
        try {
            return generation;
        } finally {
            LOCK.unlock();
        }
    }

    static long claimable() {
        LOCK.lock();
        try {
            return claimable;
        } finally {
            LOCK.unlock();
        }
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
