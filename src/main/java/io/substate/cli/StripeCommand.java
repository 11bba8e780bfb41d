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
        subcommands = StripeCommand.BackfillCommand.class)
final class StripeCommand implements Runnable {
    /** Exit code when the backfill could not run or stopped (unknown app, no key, Stripe failing). */
    static final int EXIT_FAILED = 1;

    @Override
    public void run() {
        System.out.println("Usage: substate stripe backfill --app <app_id> --since <ISO-8601 time | duration like 3d>");
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
}
