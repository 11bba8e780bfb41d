package io.substate.sync;

import io.micrometer.core.instrument.MeterRegistry;
import io.substate.apps.App;
import io.substate.apps.AppService;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.common.RepeatedFailureLog;
import io.substate.storage.Dialect;
import io.substate.storage.GroupCommit;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduled refresh: every tick, leases the subscriptions that are due ({@link RefreshStore}) and re-reads each
 * from Stripe ({@link PurchaseRefresher}). A 429 pauses that app's reads for Stripe's {@code Retry-After} (on this
 * instance); any other failure makes that purchase wait, doubling from 30 s up to the refresh interval.
 */
public final class RefreshWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RefreshWorker.class);
    private static final int BATCH = 20;
    /** Bounds one tick, so a huge backlog is worked through over several ticks rather than one endless one. */
    private static final int MAX_BATCHES_PER_TICK = 50;
    /** Stripe sends Retry-After on some 429s only; without it, wait this long. */
    static final Duration DEFAULT_RATE_LIMIT_PAUSE = Duration.ofSeconds(10);

    private final RepeatedFailureLog failures = new RepeatedFailureLog(LOG, "Stripe refresh tick");
    private final Jdbi jdbi;
    private final Dialect dialect;
    private final GroupCommit commits;
    private final AppService apps;
    private final PurchaseRefresher refresher;
    private final RefreshSchedule schedule;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final Map<String, Long> appPausedUntil = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private volatile boolean running = true;

    public RefreshWorker(Jdbi jdbi, Dialect dialect, GroupCommit commits, AppService apps, PurchaseRefresher refresher,
            RefreshSchedule schedule, Clock clock, MeterRegistry metrics) {
        this.jdbi = jdbi;
        this.dialect = dialect;
        this.commits = commits;
        this.apps = apps;
        this.refresher = refresher;
        this.schedule = schedule;
        this.clock = clock;
        this.metrics = metrics;
        // Every outcome is served from the start, at 0: an alert on the rate of failures needs the series to exist
        // before the first failure (deploy/prometheus/alerts.yml).
        for (String outcome : List.of("refreshed", "rate_limited", "failed")) {
            metrics.counter("substate.stripe.refreshes", "outcome", outcome);
        }
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "stripe-refresh");
            thread.setDaemon(true);
            return thread;
        });
        long tick = schedule.tick().toMillis();
        scheduler.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            for (int i = 0; i < MAX_BATCHES_PER_TICK && running; i++) {
                if (refreshBatch() == 0) {
                    break;
                }
            }
            failures.succeeded();
        } catch (RuntimeException e) {
            // The database may be briefly away; the next tick tries again.
            failures.failed(e);
        }
    }

    /**
     * Leases one batch and reads it; how many purchases looked due. The search is a read on the API's pool, so the
     * group committer, which webhooks wait on, only leases the rows found, by id. Another instance may lease some of
     * them first: then fewer are leased here, and the next batch searches again.
     */
    private int refreshBatch() {
        long now = clock.millis();
        Set<String> paused = pausedApps(now);
        RefreshStore.Cutoffs at = RefreshStore.Cutoffs.at(schedule, now);
        List<String> due = jdbi.withHandle(h -> {
            List<String> keyed = RefreshStore.keyedApps(h).stream().filter(app -> !paused.contains(app)).toList();
            return RefreshStore.dueCandidates(h, keyed, at, BATCH);
        });
        if (due.isEmpty()) {
            return 0;
        }
        long leaseUntil = now + schedule.lease().toMillis();
        List<RefreshStore.Claimed> claimed = commits.execute("refresh-claim",
                h -> RefreshStore.claim(h, dialect, due, at, leaseUntil));
        List<String> unread = new ArrayList<>();
        for (RefreshStore.Claimed purchase : claimed) {
            if (!running || isPaused(purchase.appId())) {
                unread.add(purchase.purchaseId());
                continue;
            }
            refreshOne(purchase);
        }
        if (!unread.isEmpty()) {
            commits.execute("refresh-release", h -> {
                RefreshStore.release(h, unread);
                return null;
            });
        }
        return due.size();
    }

    private void refreshOne(RefreshStore.Claimed purchase) {
        Optional<App> app = apps.find(purchase.appId()).filter(a -> a.stripeApiKey() != null);
        try {
            if (app.isEmpty()) {
                throw new ApiException(ErrorCode.STRIPE_API_KEY_NOT_CONFIGURED, "the app's Stripe API key was removed");
            }
            refresher.refresh(app.get(), purchase.token());
            count("refreshed");
        } catch (ApiException e) {
            if (e.errorCode() == ErrorCode.STRIPE_RATE_LIMITED) {
                pause(purchase.appId(), e);
                count("rate_limited");
                commits.execute(purchase.token(), h -> {
                    RefreshStore.release(h, List.of(purchase.purchaseId()));
                    return null;
                });
            } else {
                fail(purchase, e.errorCode().code() + ": " + e.getMessage());
            }
        } catch (RuntimeException e) {
            fail(purchase, e.toString());
        }
    }

    private void fail(RefreshStore.Claimed purchase, String reason) {
        int failures = purchase.failures() + 1;
        Duration wait = schedule.backoff(failures);
        LOG.warn("Refreshing {} of app {} from Stripe failed ({} in a row), retrying in {}: {}", purchase.token(),
                purchase.appId(), failures, wait, reason);
        count("failed");
        long retryAt = clock.millis() + wait.toMillis();
        commits.execute(purchase.token(), h -> {
            RefreshStore.markFailed(h, purchase.purchaseId(), retryAt);
            return null;
        });
    }

    private void pause(String appId, ApiException e) {
        Object seconds = e.extra().get("retry_after_seconds");
        Duration pause = seconds instanceof Number n ? Duration.ofSeconds(n.longValue()) : DEFAULT_RATE_LIMIT_PAUSE;
        appPausedUntil.put(appId, clock.millis() + pause.toMillis());
        LOG.info("Stripe rate-limited app {}: pausing its refreshes for {} s", appId, pause.toSeconds());
    }

    private boolean isPaused(String appId) {
        Long until = appPausedUntil.get(appId);
        return until != null && clock.millis() < until;
    }

    private Set<String> pausedApps(long now) {
        appPausedUntil.values().removeIf(until -> until <= now);
        return appPausedUntil.keySet().stream().collect(Collectors.toUnmodifiableSet());
    }

    private void count(String outcome) {
        metrics.counter("substate.stripe.refreshes", "outcome", outcome).increment();
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
