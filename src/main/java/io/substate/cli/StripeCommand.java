package io.substate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.substate.apps.App;
import io.substate.apps.AppService;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.ingest.WebhookPipeline;
import io.substate.projects.ProjectService;
import io.substate.sync.Backfill;
import io.substate.sync.BackfillSummary;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code substate stripe …}: operations against an app's Stripe account (same database settings as serve). */
@Command(name = "stripe", mixinStandardHelpOptions = true, description = "Work with an app's Stripe account.",
        subcommands = {StripeCommand.BackfillCommand.class, StripeCommand.ImportCommand.class})
final class StripeCommand implements Runnable {
    /** Exit code when the backfill could not run or stopped (unknown app, no key, Stripe failing). */
    static final int EXIT_FAILED = 1;

    @Override
    public void run() {
        System.out.println("Usage: substate stripe backfill --app <app_id> --since <ISO-8601 time | duration like 3d>");
        System.out.println("       substate stripe import --app <app_id> [--dry-run] [--mapping <csv>] "
                + "[--concurrency <n>] [--restart] [--deliver-events]");
    }

    @Command(name = "backfill", mixinStandardHelpOptions = true,
            description = "Read the app's events from Stripe's Events API (last 30 days at most) and apply those "
                    + "Substate missed, as if Stripe had delivered them. Events already received change nothing.")
    static final class BackfillCommand implements Callable<Integer> {
        private final Map<String, String> env;
        private final PrintStream out;
        private final PrintStream err;

        @Option(names = "--app", required = true, description = "The app id (app…)")
        String appId;

        @Option(names = "--since", required = true,
                description = "ISO-8601 time (2026-11-01T00:00:00Z), date (2026-11-01, UTC) or duration (3d, 12h)")
        String since;

        @Option(names = "--page-size", defaultValue = "100", description = "Events per Stripe request, 1-100")
        int pageSize;

        BackfillCommand() {
            this(System.getenv(), System.out, System.err);
        }

        BackfillCommand(Map<String, String> env, PrintStream out, PrintStream err) {
            this.env = env;
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() {
            return DatabaseCommand.run(env, err, (settings, database) -> {
                Clock clock = Clock.systemUTC();
                try {
                    AppService apps = new AppService(database, new ProjectService(database.jdbi(), clock), clock);
                    App app = apps.find(appId).orElseThrow(() -> ApiException.notFound("App", appId));
                    try (WebhookPipeline pipeline = WebhookPipeline.open(database, apps, settings,
                            new SimpleMeterRegistry(), clock)) {
                        BackfillSummary summary = new Backfill(pipeline.webhooks(), settings.stripeApiBase(), clock)
                                .run(app, since, pageSize, out::println);
                        out.println(summary.message());
                        return 0;
                    }
                } catch (ApiException e) {
                    err.println("Backfill failed (" + e.errorCode().code() + "): " + e.getMessage());
                    if (e.extra().get("summary") instanceof JsonNode summary) {
                        err.println("Done before stopping: " + summary.path("message").asText());
                    }
                    return e.errorCode() == ErrorCode.INVALID_PARAMETER
                            ? ServeCommand.EXIT_INVALID_SETTING : EXIT_FAILED;
                }
            });
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Import the app's Stripe account: every subscription (any status) with its latest invoice, "
                    + "every complete Checkout Session and every refund, applied as their webhooks would have been. "
                    + "Resumes an unfinished import; running it again changes nothing.")
    static final class ImportCommand implements Callable<Integer> {
        private final Map<String, String> env;
        private final PrintStream out;
        private final PrintStream err;
        private final boolean interruptible;
        private final int pageSize;

        @Option(names = "--app", required = true, description = "The app id (app…)")
        String appId;

        @Option(names = "--dry-run", description = "Read everything, write no purchase, customer or event; report "
                + "what would be imported and which objects have no App User ID")
        boolean dryRun;

        @Option(names = "--mapping", description = "CSV with app_user_id and stripe_customer_id and/or "
                + "stripe_subscription_id columns: App User IDs for those customers' or subscriptions' purchases")
        java.nio.file.Path mapping;

        @Option(names = "--concurrency", defaultValue = "4", description = "Objects applied at once, 1-16")
        int concurrency;

        @Option(names = "--restart", description = "Start from the beginning instead of continuing an unfinished "
                + "import")
        boolean restart;

        @Option(names = "--deliver-events", description = "Send the imported purchases' events (INITIAL_PURCHASE…) to "
                + "the project's integrations; by default they are kept in the customers' history only")
        boolean deliverEvents;

        ImportCommand() {
            this(System.getenv(), System.out, System.err, true, io.substate.sync.StripeImport.PAGE_SIZE);
        }

        /** For tests: no Ctrl-C hook, and pages as small as {@code pageSize} to make many of few objects. */
        ImportCommand(Map<String, String> env, PrintStream out, PrintStream err, int pageSize) {
            this(env, out, err, false, pageSize);
        }

        private ImportCommand(Map<String, String> env, PrintStream out, PrintStream err, boolean interruptible,
                int pageSize) {
            this.env = env;
            this.out = out;
            this.err = err;
            this.interruptible = interruptible;
            this.pageSize = pageSize;
        }

        @Override
        public Integer call() {
            io.substate.sync.StripeImportMapping ids = io.substate.sync.StripeImportMapping.NONE;
            io.substate.sync.StripeImport.Options options;
            try {
                if (mapping != null) {
                    try (java.io.Reader reader = java.nio.file.Files.newBufferedReader(mapping)) {
                        ids = io.substate.sync.StripeImportMapping.parse(reader);
                    } catch (java.io.IOException e) {
                        err.println("Cannot read the mapping " + mapping + ": " + e.getMessage()
                                + "; nothing was imported");
                        return ServeCommand.EXIT_INVALID_SETTING;
                    }
                    ids.problems().forEach(problem -> err.println("Mapping " + problem));
                    err.println("Mapping: " + ids.size() + " Stripe ids mapped, " + ids.problems().size()
                            + " rows skipped");
                }
                options = new io.substate.sync.StripeImport.Options(dryRun, deliverEvents, restart, concurrency, ids);
            } catch (ApiException e) {
                err.println(e.getMessage());
                return ServeCommand.EXIT_INVALID_SETTING;
            }
            io.substate.sync.StripeImport.Options chosen = options;
            return DatabaseCommand.run(env, err, (settings, database) -> {
                Clock clock = Clock.systemUTC();
                try {
                    AppService apps = new AppService(database, new ProjectService(database.jdbi(), clock), clock);
                    App app = apps.find(appId).orElseThrow(() -> ApiException.notFound("App", appId));
                    try (WebhookPipeline pipeline = WebhookPipeline.open(database, apps, settings,
                            new SimpleMeterRegistry(), clock)) {
                        io.substate.sync.StripeImport engine = new io.substate.sync.StripeImport(
                                new io.substate.sync.StripeImportRepository(database.jdbi()), pipeline.webhooks(),
                                settings.stripeApiBase(), clock, pageSize);
                        io.substate.sync.StripeImportRecord claimed = engine.begin(app, chosen);
                        if (claimed.cursor() != null || !claimed.phase().equals("subscriptions")) {
                            err.println("Continuing import " + claimed.id() + " from " + claimed.phase()
                                    + (claimed.cursor() != null ? " after " + claimed.cursor() : ""));
                        }
                        java.util.concurrent.atomic.AtomicBoolean cancelled =
                                new java.util.concurrent.atomic.AtomicBoolean();
                        java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
                        Thread hook = new Thread(() -> {
                            cancelled.set(true);
                            try {
                                finished.await(30, java.util.concurrent.TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
                        if (interruptible) {
                            Runtime.getRuntime().addShutdownHook(hook);
                        }
                        ImportProgressLine progress = new ImportProgressLine(err, System.console() != null, clock);
                        io.substate.sync.StripeImportRecord done;
                        try {
                            done = engine.run(app, claimed, chosen, progress::update, cancelled::get);
                        } finally {
                            progress.end();
                            finished.countDown();
                        }
                        if (interruptible && !cancelled.get()) {
                            Runtime.getRuntime().removeShutdownHook(hook);
                        }
                        out.println(done.summary());
                        return done.status().equals(io.substate.sync.StripeImportRecord.COMPLETED) ? 0 : EXIT_FAILED;
                    }
                } catch (ApiException e) {
                    err.println("Import failed (" + e.errorCode().code() + "): " + e.getMessage());
                    // A wrong argument or an app that cannot import (unknown, no key) is fixed before running again.
                    boolean invalid = e.errorCode() == ErrorCode.INVALID_PARAMETER
                            || e.errorCode() == ErrorCode.RESOURCE_MISSING
                            || e.errorCode() == ErrorCode.STRIPE_API_KEY_NOT_CONFIGURED;
                    return invalid ? ServeCommand.EXIT_INVALID_SETTING : EXIT_FAILED;
                }
            });
        }
    }
}
