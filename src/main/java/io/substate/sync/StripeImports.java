package io.substate.sync;

import io.substate.apps.App;
import io.substate.common.ApiException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's Stripe imports: started by the admin API, run in the background one per app, read back for their
 * progress. Closing stops the running ones after their current object: they are left failed with their cursor, and
 * the next start continues them.
 */
public final class StripeImports implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StripeImports.class);
    /** Objects of a page applied at once by a server-started import. */
    public static final int SERVER_CONCURRENCY = 4;

    private final StripeImport engine;
    private final StripeImportRepository repository;
    private final ExecutorService runner = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "stripe-import");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, AtomicBoolean> running = new ConcurrentHashMap<>();

    public StripeImports(StripeImport engine, StripeImportRepository repository) {
        this.engine = engine;
        this.repository = repository;
    }

    /**
     * Claims the app's import and runs it in the background; the import as claimed (status running).
     *
     * @throws ApiException {@code IMPORT_ALREADY_RUNNING}, or as {@link StripeImport#begin}
     */
    public StripeImportRecord start(App app, boolean dryRun, boolean deliverEvents, boolean restart) {
        StripeImport.Options options = new StripeImport.Options(dryRun, deliverEvents, restart, SERVER_CONCURRENCY,
                StripeImportMapping.NONE);
        StripeImportRecord claimed = engine.begin(app, options);
        AtomicBoolean cancelled = new AtomicBoolean();
        running.put(claimed.id(), cancelled);
        runner.execute(() -> {
            try {
                StripeImportRecord done = engine.run(app, claimed, options, (record, objects) -> { },
                        cancelled::get);
                LOG.info("{}", done.summary());
            } catch (RuntimeException e) {
                LOG.error("Import {} of app {} failed", claimed.id(), app.id(), e);
            } finally {
                running.remove(claimed.id());
            }
        });
        return claimed;
    }

    /** The app's imports, newest first. */
    public List<StripeImportRecord> list(App app) {
        return repository.list(app.id(), 100);
    }

    public StripeImportRecord get(App app, String importId) {
        return repository.find(app.id(), importId).orElseThrow(() -> ApiException.notFound("Import", importId));
    }

    @Override
    public void close() {
        running.values().forEach(flag -> flag.set(true));
        runner.shutdown();
        try {
            if (!runner.awaitTermination(Duration.ofSeconds(20).toMillis(), TimeUnit.MILLISECONDS)) {
                runner.shutdownNow();
            }
        } catch (InterruptedException e) {
            runner.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
