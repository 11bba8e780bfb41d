package io.substate.storage;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * Keeps a committer busy with a unit of its own until {@link #release()}: units submitted meanwhile to the same
 * committer wait, and are then drained into one batch together.
 */
final class HeldCommitter {
    private final CountDownLatch release = new CountDownLatch(1);
    private final CompletableFuture<Object> holder;

    /** Returns once the holding unit runs: its batch has begun, so every unit submitted now waits for the next. */
    HeldCommitter(GroupCommit commits, String orderKey) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        holder = commits.submit(orderKey, h -> {
            running.countDown();
            release.await();
            return null;
        });
        running.await();
    }

    /** Lets the committer go on, and waits until the holding unit's batch has committed. */
    void release() {
        release.countDown();
        holder.join();
    }
}
