package io.substate.storage;

import io.substate.http.ApiException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: concurrent units of work are batched into one database transaction, each inside its own savepoint,
 * and each caller is released only after the batch has committed. One fsync then covers many webhooks (DESIGN §4),
 * while every acknowledged unit is durable and a failing unit never takes its neighbours down with it.
 *
 * <p>Units run sorted by their order key (the purchase they touch) so two instances lock rows in the same order.
 * Thread-safe.
 */
public final class GroupCommit implements AutoCloseable {
    /** Work done inside the batch transaction. It must not do network I/O: everyone in the batch waits for it. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Handle handle) throws Exception;
    }

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
    private static final int MAX_BATCH = 256;

    private final Jdbi jdbi;
    private final BlockingQueue<Item<?>> queue = new LinkedBlockingQueue<>();
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean running = true;

    public GroupCommit(Jdbi jdbi, int writerThreads) {
        this.jdbi = jdbi;
        for (int i = 0; i < writerThreads; i++) {
            Thread t = new Thread(this::loop, "group-commit-" + i);
            t.setDaemon(true);
            t.start();
            writers.add(t);
        }
    }

    /** Runs {@code work} in the next batch and waits for its commit; its exception, if any, is rethrown. */
    public <T> T execute(String orderKey, Work<T> work) {
        CompletableFuture<T> future = submit(orderKey, work);
        try {
            return future.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("database write did not complete within 60 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public <T> CompletableFuture<T> submit(String orderKey, Work<T> work) {
        if (!running) {
            throw new IllegalStateException("the server is stopping");
        }
        Item<T> item = new Item<>(orderKey == null ? "" : orderKey, work, new CompletableFuture<>());
        queue.add(item);
        return item.future;
    }

    private void loop() {
        List<Item<?>> batch = new ArrayList<>(MAX_BATCH);
        while (running || !queue.isEmpty()) {
            try {
                Item<?> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                batch.sort(Comparator.comparing(item -> item.orderKey));
                runBatch(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("Group commit batch failed", e);
            } finally {
                batch.clear();
            }
        }
    }

    private void runBatch(List<Item<?>> batch) {
        List<Item<?>> retryAlone = new ArrayList<>();
        try (Handle handle = jdbi.open()) {
            handle.begin();
            for (int i = 0; i < batch.size(); i++) {
                Item<?> item = batch.get(i);
                String savepoint = "unit" + i;
                handle.savepoint(savepoint);
                try {
                    item.run(handle);
                    handle.release(savepoint);
                } catch (Exception e) {
                    handle.rollbackToSavepoint(savepoint);
                    item.result = null;
                    if (e instanceof ApiException || batch.size() == 1) {
                        item.failure = e;
                    } else {
                        // Possibly a conflict with a neighbour or another instance: try it once more on its own.
                        retryAlone.add(item);
                    }
                }
            }
            handle.commit();
        } catch (RuntimeException e) {
            LOG.warn("Batch of {} units could not be committed: {}", batch.size(), e.toString());
            batch.forEach(item -> item.future.completeExceptionally(e));
            return;
        }
        for (Item<?> item : batch) {
            if (!retryAlone.contains(item)) {
                item.complete();
            }
        }
        for (Item<?> item : retryAlone) {
            runBatch(new ArrayList<>(List.of(item.reset())));
        }
    }

    @Override
    public void close() {
        running = false;
        for (Thread t : writers) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final class Item<T> {
        final String orderKey;
        final Work<T> work;
        final CompletableFuture<T> future;
        T result;
        Exception failure;

        Item(String orderKey, Work<T> work, CompletableFuture<T> future) {
            this.orderKey = orderKey;
            this.work = work;
            this.future = future;
        }

        void run(Handle handle) throws Exception {
            result = work.run(handle);
        }

        Item<T> reset() {
            result = null;
            failure = null;
            return this;
        }

        void complete() {
            if (failure != null) {
                future.completeExceptionally(failure);
            } else {
                future.complete(result);
            }
        }
    }
}
