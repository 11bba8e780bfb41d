package io.substate.storage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.time.Duration;
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
 * Group commit: concurrent units of work are batched into one database transaction, and each caller is released only
 * after the batch has committed. One fsync then covers many webhooks (README, "Design decisions"), while every acknowledged unit is
 * durable and a failing unit never takes its neighbours down with it (see {@link #runBatch}).
 *
 * <p>Each order key (the purchase a unit touches) belongs to one committer thread, so one purchase's units run in
 * the order submitted, and within a batch units run sorted by it, so two instances lock rows in the same order.
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

    /** How long a committer keeps one connection before handing it back to the pool for a fresh one. */
    private static final long KEEP_CONNECTION_MILLIS = 60_000;

    /** How long a caller waits for its unit without {@link #forDatabase}'s limits (tests' committers). */
    private static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);

    private final Jdbi jdbi;
    private final boolean keepConnection;
    private final boolean holdWrites;
    private final Duration startWithin;
    private final Duration finishWithin;
    private final List<BlockingQueue<Item<?>>> queues = new ArrayList<>();
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean running = true;
    private final Counter batches;
    private final Counter batchesRerun;
    private final Counter unitRetries;

    public GroupCommit(Jdbi jdbi, int writerThreads) {
        this(jdbi, writerThreads, false, new SimpleMeterRegistry());
    }

    /**
     * With {@code keepConnection}, each committer runs its batches on one connection (renewed every minute) instead of
     * one from the pool per batch. Right for SQLite: the statements stay prepared, and the connection's page cache
     * stays valid, since SQLite drops a connection's cache whenever another connection wrote since it last read,
     * which a pool handing out connections in turn makes every batch.
     *
     * <p>Counts its batches in {@code metrics}: all of them, those rolled back and rerun unit by unit, and the units
     * run again after losing a race (see {@link #runAlone}). Many reruns mean batches conflict on PostgreSQL: units of
     * different purchases sharing new rows (one customer's), or several instances taking the same purchase's events.
     */
    public GroupCommit(Jdbi jdbi, int writerThreads, boolean keepConnection, MeterRegistry metrics) {
        this(jdbi, writerThreads, keepConnection, false, metrics);
    }

    /**
     * With {@code holdWrites}, the writes units make with {@link WriteBehind#later} are held and sent together before the
     * commit ({@link WriteBehind}), the rows units declare are read for the whole batch before they run
     * ({@link ReadAhead}), and work they defer with {@link WriteBehind#atCommit} runs once after them: right for PostgreSQL,
     * where every statement is a round trip, and for PostgreSQL only (reading ahead binds its arrays).
     */
    public GroupCommit(Jdbi jdbi, int writerThreads, boolean keepConnection, boolean holdWrites,
            MeterRegistry metrics) {
        this(jdbi, writerThreads, keepConnection, holdWrites, DEFAULT_WAIT, DEFAULT_WAIT, metrics);
    }

    /**
     * With the time a caller waits for its unit to begin ({@code startWithin}: in the queue, while the batches before
     * it run) and then to commit ({@code finishWithin}). A unit not begun in time is taken out of the queue and its
     * caller told {@link DatabaseUnavailableException}: it will never run. One begun is bounded by the database's own
     * timeouts; its caller gives up after {@code finishWithin} (the unit may still commit after).
     */
    public GroupCommit(Jdbi jdbi, int writerThreads, boolean keepConnection, boolean holdWrites, Duration startWithin,
            Duration finishWithin, MeterRegistry metrics) {
        this.jdbi = jdbi;
        this.keepConnection = keepConnection;
        this.holdWrites = holdWrites;
        this.startWithin = startWithin;
        this.finishWithin = finishWithin;
        this.batches = Counter.builder("substate.group_commit.batches")
                .description("Transactions of batched units").register(metrics);
        this.batchesRerun = Counter.builder("substate.group_commit.batches_rerun")
                .description("Batches rolled back because a unit failed, then run again unit by unit").register(metrics);
        this.unitRetries = Counter.builder("substate.group_commit.unit_retries")
                .description("Units run again alone after a failure that may be a lost race").register(metrics);
        for (int i = 0; i < writerThreads; i++) {
            BlockingQueue<Item<?>> queue = new LinkedBlockingQueue<>();
            queues.add(queue);
            Thread t = new Thread(() -> loop(queue), "group-commit-" + i);
            t.setDaemon(true);
            // Every acknowledged webhook waits for this thread, so when the CPU is saturated it should run before the
            // request threads it would release. The JVM ignores priorities on Linux unless started with
            // -XX:ThreadPriorityPolicy=1 and allowed to raise them (root or CAP_SYS_NICE): README "Operations".
            t.setPriority(Thread.MAX_PRIORITY);
            t.start();
            writers.add(t);
        }
    }

    /**
     * The committers Substate runs on {@code database}, each keeping its connection.
     * <ul>
     *   <li>SQLite has one writer: one committer.
     *   <li>PostgreSQL takes batches in parallel, but two committers beat four (BENCHMARKS.md): fewer batches race on
     *       the same new rows and are re-run alone. Each statement is a round trip there, so a batch's writes are held
     *       and sent together and its rows read ahead. The committers' connections are their own
     *       ({@link Database#committerJdbi}), set up for their statements, and never wait for the pool's.
     * </ul>
     */
    public static GroupCommit forDatabase(Database database, MeterRegistry metrics) {
        // A unit waits for its turn as long as a request waits for a connection; once begun, its statements are
        // bounded by the query timeout (PostgreSQL's socket timeout, SQLite's busy timeout is the database timeout).
        Duration finishWithin = database.queryTimeout().plus(database.timeout()).plusSeconds(5);
        if (database.dialect() == Dialect.SQLITE) {
            return new GroupCommit(database.jdbi(), 1, true, false, database.timeout(), finishWithin, metrics);
        }
        return new GroupCommit(database.committerJdbi(), Database.POSTGRESQL_COMMITTERS, true, true,
                database.timeout(), finishWithin, metrics);
    }

    /**
     * Runs {@code work} in the next batch and waits for its commit; its exception, if any, is rethrown. Throws
     * {@link DatabaseUnavailableException} when the database cannot be reached, or the unit did not begin in time.
     */
    public <T> T execute(String orderKey, Work<T> work) {
        return execute(orderKey, List.of(), work);
    }

    /**
     * As {@link #execute(String, Work)}, declaring the rows {@code work} will look up, so that a batch holding writes
     * reads them for all its units at once ({@link ReadAhead}).
     */
    public <T> T execute(String orderKey, List<ReadAhead.Lookup> lookups, Work<T> work) {
        Item<T> item = enqueue(orderKey, lookups, work);
        try {
            try {
                return item.future.get(startWithin.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (item.abandon()) {
                    throw new DatabaseUnavailableException("The database write did not begin within "
                            + startWithin.toMillis() + " ms", e);
                }
                // Begun: its statements are bounded by the database's timeouts.
                return item.future.get(finishWithin.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new DatabaseUnavailableException("The database write did not complete within "
                    + startWithin.plus(finishWithin).toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public <T> CompletableFuture<T> submit(String orderKey, Work<T> work) {
        return submit(orderKey, List.of(), work);
    }

    private <T> CompletableFuture<T> submit(String orderKey, List<ReadAhead.Lookup> lookups, Work<T> work) {
        return enqueue(orderKey, lookups, work).future;
    }

    private <T> Item<T> enqueue(String orderKey, List<ReadAhead.Lookup> lookups, Work<T> work) {
        if (!running) {
            throw new IllegalStateException("the server is stopping");
        }
        Item<T> item = new Item<>(orderKey == null ? "" : orderKey, lookups, work, new CompletableFuture<>());
        // One committer per order key: the units of one purchase run in order, in one committer. Shared between
        // committers, a purchase's second event often ran while its first was in the other's open transaction and
        // lost the race for the same new rows, failing its whole batch (BENCHMARKS.md).
        queues.get(Math.floorMod(item.orderKey.hashCode(), queues.size())).add(item);
        return item;
    }

    /** Units waiting for their batch to begin: lets tests gather several into one batch. */
    int queued() {
        return queues.stream().mapToInt(BlockingQueue::size).sum();
    }

    private void loop(BlockingQueue<Item<?>> queue) {
        List<Item<?>> batch = new ArrayList<>(MAX_BATCH);
        Handles handles = new Handles(queue);
        try {
            loop(queue, batch, handles);
        } finally {
            handles.discard();
        }
    }

    private void loop(BlockingQueue<Item<?>> queue, List<Item<?>> batch, Handles handles) {
        while (running || !queue.isEmpty()) {
            try {
                Item<?> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                batch.removeIf(item -> !item.begin()); // their callers gave up waiting: they never run
                if (batch.isEmpty()) {
                    continue;
                }
                batch.sort(Comparator.comparing(item -> item.orderKey));
                runBatch(batch, handles);
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

    /**
     * Runs the batch in one transaction. Units rarely fail, so there is no savepoint per unit (each would cost two
     * statements): when one throws, the whole transaction is rolled back and every unit runs again alone, in its own
     * transaction, so the failure reaches only its caller and its neighbours commit as usual.
     */
    private void runBatch(List<Item<?>> batch, Handles handles) {
        batches.increment();
        if (batch.size() > 1) {
            boolean unitFailed = false;
            try {
                Handle handle = handles.open();
                handle.begin();
                try {
                    if (holdWrites) {
                        readAhead(handle, batch);
                    }
                    for (Item<?> item : batch) {
                        item.run(handle);
                    }
                    WriteBehind.beforeCommit(handle); // a held write that fails is a unit's failure: the units run alone
                } catch (Exception e) {
                    handle.rollback();
                    unitFailed = true;
                }
                if (!unitFailed) {
                    handle.commit();
                }
                handles.done(!unitFailed);
            } catch (NoConnection e) {
                failQueued(batch, handles, e);
                return;
            } catch (RuntimeException e) {
                if (DatabaseUnavailableException.isExpiredWait(e)) {
                    failQueued(batch, handles, new NoConnection(e));
                    return;
                }
                handles.discard();
                LOG.warn("Batch of {} units could not be committed: {}", batch.size(), e.toString());
                batch.forEach(item -> item.future.completeExceptionally(e));
                return;
            }
            if (unitFailed) {
                batchesRerun.increment();
                batch.forEach(Item::reset);
                for (int i = 0; i < batch.size(); i++) {
                    if (!runAlone(batch.get(i), handles)) {
                        // No connection: the rest fail with it rather than each wait for one again.
                        failQueued(batch.subList(i + 1, batch.size()), handles,
                                new NoConnection(new IllegalStateException("the database is unreachable")));
                        break;
                    }
                }
            } else {
                batch.forEach(Item::complete);
            }
            return;
        }
        runAlone(batch.get(0), handles);
    }

    /**
     * Reads what the batch's units declared they will look up, one statement per kind of row, in the order the kinds
     * were first declared (the units declare them in the order they look them up, so locks are taken in that order).
     * A failure here fails the batch like a unit's: the units then run alone, each reading its own rows.
     */
    private static void readAhead(Handle handle, List<Item<?>> batch) {
        ReadAhead.byKind(batch.stream().map(item -> item.lookups).toList())
                .forEach((kind, lookups) -> kind.readAll(handle, lookups));
    }

    /**
     * Runs one unit in its own transaction. On PostgreSQL, several committers (and instances) run at once: a unit may
     * lose a race (another transaction inserted the same purchase or customer a moment ago, or a deadlock was broken)
     * and succeed when run again, now seeing the other's commit. So a failure other than an {@link
     * io.substate.common.ApiException} (a client's mistake, final) is retried twice before it reaches the caller;
     * not getting a connection at all is not retried ({@link #failQueued}), nor a failure that already waited a
     * timeout's length ({@link DatabaseUnavailableException#isExpiredWait}). False when no connection could be had.
     */
    private boolean runAlone(Item<?> item, Handles handles) {
        for (int attempt = 1; ; attempt++) {
            try {
                Handle handle = handles.open();
                handle.begin();
                try {
                    item.run(handle);
                    WriteBehind.beforeCommit(handle);
                } catch (Exception e) {
                    handle.rollback();
                    handles.done(false);
                    if (e instanceof io.substate.common.ApiException || attempt >= 3
                            || DatabaseUnavailableException.isExpiredWait(e)) {
                        item.future.completeExceptionally(e);
                        return true;
                    }
                    item.reset();
                    unitRetries.increment();
                    continue;
                }
                handle.commit();
                handles.done(true);
            } catch (NoConnection e) {
                failQueued(List.of(item), handles, e);
                return false;
            } catch (RuntimeException e) {
                if (DatabaseUnavailableException.isExpiredWait(e)) {
                    // A lock or an answer that did not come in time: the units queued behind would wait as long.
                    failQueued(List.of(item), handles, new NoConnection(e));
                    return false;
                }
                handles.discard();
                if (attempt >= 3) {
                    LOG.warn("A unit could not be committed: {}", e.toString());
                    item.future.completeExceptionally(e);
                    return true;
                }
                item.reset();
                unitRetries.increment();
                continue;
            }
            item.complete();
            return true;
        }
    }

    /**
     * No connection could be had within the pool's timeout (or a lock, or an answer, within the database's): the
     * database is down, out of reach or held by someone else. Every unit waiting
     * in this committer's queue would wait that long again for its own attempt, so they fail now too, with the
     * batch's; their callers answer 503 at once and the next unit queued tries again. None of them ran.
     */
    private static void failQueued(List<Item<?>> batch, Handles handles, NoConnection e) {
        handles.discard();
        List<Item<?>> waiting = new ArrayList<>();
        handles.queue.drainTo(waiting);
        waiting.removeIf(item -> !item.begin());
        LOG.debug("No database connection for {} units: {}", batch.size() + waiting.size(), e.getCause().toString());
        batch.forEach(item -> item.future.completeExceptionally(e));
        waiting.forEach(item -> item.future.completeExceptionally(e));
    }

    /** The database did not give the committer a connection, a lock or an answer in time; not retried. */
    private static final class NoConnection extends DatabaseUnavailableException {
        NoConnection(RuntimeException cause) {
            super("The database is unavailable: " + cause.getMessage(), cause);
        }
    }

    /**
     * The handle a committer thread runs its transactions on: a new one per transaction, or with {@code keepConnection}
     * the same one until it is a minute old or a transaction on it failed (then it may be broken: it is replaced).
     * Prepared statements are reused within a handle's life (see {@link CommitterSession}); remembered values
     * ({@link TransactionMemo}) within one transaction only.
     */
    private final class Handles {
        final BlockingQueue<Item<?>> queue;
        private Handle current;
        private long openedAt;

        Handles(BlockingQueue<Item<?>> queue) {
            this.queue = queue;
        }

        Handle open() {
            if (current == null) {
                Handle opened;
                try {
                    opened = jdbi.open();
                } catch (RuntimeException e) {
                    throw new NoConnection(e);
                }
                current = CommitterSession.install(opened, holdWrites);
                openedAt = System.currentTimeMillis();
            } else {
                CommitterSession.forgetMemo(current);
            }
            return current;
        }

        /** After a transaction ended: keeps the handle for the next one when it may, else closes it. */
        void done(boolean succeeded) {
            if (!keepConnection || !succeeded || System.currentTimeMillis() - openedAt > KEEP_CONNECTION_MILLIS) {
                discard();
            }
        }

        void discard() {
            if (current != null) {
                Handle handle = current;
                current = null;
                try {
                    handle.close();
                } catch (RuntimeException e) {
                    LOG.debug("Closing a committer's connection failed: {}", e.toString());
                }
            }
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
        final List<ReadAhead.Lookup> lookups;
        final Work<T> work;
        final CompletableFuture<T> future;
        /** 0 queued, 1 begun (taken into a batch), 2 abandoned (its caller gave up before it began). */
        final java.util.concurrent.atomic.AtomicInteger state = new java.util.concurrent.atomic.AtomicInteger();
        T result;

        Item(String orderKey, List<ReadAhead.Lookup> lookups, Work<T> work, CompletableFuture<T> future) {
            this.orderKey = orderKey;
            this.lookups = lookups;
            this.work = work;
            this.future = future;
        }

        void run(Handle handle) throws Exception {
            result = work.run(handle);
        }

        void reset() {
            result = null;
        }

        /** Taken into a batch; false when its caller already gave up. */
        boolean begin() {
            return state.compareAndSet(0, 1) || state.get() == 1;
        }

        /** Its caller gives up; false when it has begun already. */
        boolean abandon() {
            if (state.compareAndSet(0, 2)) {
                future.completeExceptionally(new DatabaseUnavailableException("abandoned before it began", null));
                return true;
            }
            return false;
        }

        /** Releases the caller; only called once the unit's transaction has committed. */
        void complete() {
            future.complete(result);
        }
    }
}
