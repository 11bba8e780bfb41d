package io.substate.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.substate.apps.AppService;
import io.substate.config.Settings;
import io.substate.storage.Database;
import io.substate.storage.GroupCommit;
import io.substate.storage.PlannerStatistics;
import java.time.Clock;

/**
 * The webhook path as one piece, built one way wherever Stripe events are applied: the server ({@code serve}) and
 * the CLI's backfill and Stripe import get the same group committers, updater and service for the same database, and
 * the same upkeep of PostgreSQL's planner statistics: an import into a new database grows its tables from empty, and
 * without it the plans made for the empty tables turned each object's lookups into scans (BENCHMARKS.md).
 *
 * @param commits the group committers every purchase change goes through (close them last)
 * @param updater applies a Stripe fact to a stored purchase inside a committer's transaction
 * @param webhooks verifies, resolves and applies Stripe events
 * @param statistics analyzes the tables the path writes when PostgreSQL's statistics of them fall far behind
 */
public record WebhookPipeline(GroupCommit commits, PurchaseUpdater updater, StripeWebhookService webhooks,
        PlannerStatistics statistics) implements AutoCloseable {

    public static WebhookPipeline open(Database database, AppService apps, Settings settings, MeterRegistry metrics,
            Clock clock) {
        GroupCommit commits = GroupCommit.forDatabase(database, metrics);
        PurchaseUpdater updater = new PurchaseUpdater(settings.usdRates());
        StripeWebhookService webhooks = new StripeWebhookService(apps, database.jdbi(), database.dialect(), commits,
                updater, settings.stripeApiBase(), clock);
        return new WebhookPipeline(commits, updater, webhooks,
                PlannerStatistics.start(database.jdbi(), database.dialect()));
    }

    /** Stops the statistics checks, then the committers once the units queued have committed. */
    @Override
    public void close() {
        statistics.close();
        commits.close();
    }
}
