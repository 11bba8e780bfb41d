package io.substate.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.substate.apps.AppService;
import io.substate.config.Settings;
import io.substate.storage.Database;
import io.substate.storage.GroupCommit;
import java.time.Clock;

/**
 * The webhook path as one piece, built one way wherever Stripe events are applied: the server ({@code serve}) and
 * the CLI's backfill get the same group committers, updater and service for the same database.
 *
 * @param commits the group committers every purchase change goes through (close them last)
 * @param updater applies a Stripe fact to a stored purchase inside a committer's transaction
 * @param webhooks verifies, resolves and applies Stripe events
 */
public record WebhookPipeline(GroupCommit commits, PurchaseUpdater updater, StripeWebhookService webhooks)
        implements AutoCloseable {

    public static WebhookPipeline open(Database database, AppService apps, Settings settings, MeterRegistry metrics,
            Clock clock) {
        GroupCommit commits = GroupCommit.forDatabase(database, metrics);
        PurchaseUpdater updater = new PurchaseUpdater(settings.usdRates());
        StripeWebhookService webhooks = new StripeWebhookService(apps, database.jdbi(), database.dialect(), commits,
                updater, settings.stripeApiBase(), clock);
        return new WebhookPipeline(commits, updater, webhooks);
    }

    /** Stops the committers once the units queued have committed. */
    @Override
    public void close() {
        commits.close();
    }
}
