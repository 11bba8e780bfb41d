package io.substate.grants;

import io.substate.common.RepeatedFailureLog;
import io.substate.config.UsdRates;
import io.substate.customers.Customer;
import io.substate.customers.CustomerStore;
import io.substate.entitlements.GrantStore;
import io.substate.entitlements.GrantedEntitlement;
import io.substate.storage.Dialect;
import io.substate.storage.GroupCommit;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the {@code EXPIRATION} of granted entitlements that ended on their own. Every tick it asks, with a read,
 * whether one ended without its event, and if so locks a batch of them and writes their events and the mark that they
 * were sent in one transaction. The state is in the database, so a grant that ended while no instance ran is sent
 * after the next start; instances skip the rows another one holds ({@code FOR UPDATE SKIP LOCKED} on PostgreSQL;
 * SQLite has one writer), and the mark is in the transaction that writes the event, so each is sent once.
 */
public final class GrantExpiryWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GrantExpiryWorker.class);
    private static final int BATCH = 50;
    /** Bounds one tick, so a backlog is worked through over several ticks rather than one endless one. */
    private static final int MAX_BATCHES_PER_TICK = 20;

    private final RepeatedFailureLog failures = new RepeatedFailureLog(LOG, "Granted entitlement expiry tick");
    private final Jdbi jdbi;
    private final Dialect dialect;
    private final GroupCommit commits;
    private final UsdRates rates;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private volatile boolean running = true;

    /** Writes go through {@code commits}: on SQLite a second writer would make the committer's batches wait. */
    public GrantExpiryWorker(Jdbi jdbi, Dialect dialect, GroupCommit commits, UsdRates rates, Duration tick,
            Clock clock) {
        this.jdbi = jdbi;
        this.dialect = dialect;
        this.commits = commits;
        this.rates = rates;
        this.clock = clock;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "grant-expiry");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::tick, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            for (int i = 0; i < MAX_BATCHES_PER_TICK && running; i++) {
                if (expireBatch() < BATCH) {
                    break;
                }
            }
            failures.succeeded();
        } catch (RuntimeException e) {
            // The database may be briefly away; the next tick tries again, and nothing was marked sent.
            failures.failed(e);
        }
    }

    /** Writes the EXPIRATION of up to one batch of ended grants; how many. */
    private int expireBatch() {
        long now = clock.millis();
        if (!jdbi.withHandle(h -> GrantStore.anyEnded(h, now))) {
            return 0;
        }
        return commits.execute("grant-expiry", h -> {
            List<GrantedEntitlement> ended = GrantStore.lockEnded(h, dialect, now, BATCH);
            for (GrantedEntitlement grant : ended) {
                Customer customer = CustomerStore.findById(h, grant.customerId()).orElseThrow();
                GrantEvents.expired(h, customer, grant, rates, now);
                GrantStore.markExpirationSent(h, grant.id());
            }
            return ended.size();
        });
    }

    @Override
    public void close() {
        running = false;
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(15, TimeUnit.SECONDS)) {
                scheduler.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            scheduler.shutdownNow();
        }
    }
}
