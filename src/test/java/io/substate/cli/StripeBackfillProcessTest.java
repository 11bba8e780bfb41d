package io.substate.cli;

import static io.substate.testing.StripeEventBuilder.sign;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static io.substate.testing.StripeObjects.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.substate.testing.FakeStripe;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code substate stripe backfill} as a real process beside a running server on the same database: progress per page,
 * a summary, and exit codes.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class StripeBackfillProcessTest {
    private static final String SECRET = "whsec_cli_backfill_secret";
    private static final long DAY = 86_400;

    @Parameter
    TestDb db;

    @Test
    void backfillsMissedEventsAndPrintsProgressAndASummary() throws Exception {
        try (FakeStripe stripe = FakeStripe.start();
                TestServer server = TestServer.start(db, Map.of("SUBSTATE_STRIPE_API_BASE", stripe.baseUrl()))) {
            StripeApp app = Fixtures.stripeApp(server.admin(), Map.of("webhook_secret", SECRET,
                    "api_key", FakeStripe.API_KEY, "track_new_purchases", true,
                    "app_user_id_detection", "stripe_customer_id"));
            long now = System.currentTimeMillis() / 1000;
            String sub = uniqueId("sub_");
            String customer = uniqueId("cus_");
            String received = event(uniqueId("evt_"), "customer.subscription.created", now - DAY / 2,
                    StripeObjects.subscription(sub).customer(customer).period(now - DAY, now + 29 * DAY).json());
            server.anonymous().postStripe(app.webhookPath(), received, sign(received, SECRET));
            String missed = event(uniqueId("evt_"), "customer.subscription.updated", now - 3600,
                    StripeObjects.subscription(sub).customer(customer).period(now - DAY, now + 29 * DAY)
                            .cancelAtPeriodEnd(true).json());
            String missedOther = event(uniqueId("evt_"), "customer.subscription.created", now - 60,
                    StripeObjects.subscription(uniqueId("sub_")).customer(uniqueId("cus_")).json());
            stripe.addEvent(received).addEvent(missed).addEvent(missedOther);
            Map<String, String> env = new java.util.HashMap<>(db.env(server.databaseUrl()));
            env.put("SUBSTATE_STRIPE_API_BASE", stripe.baseUrl());

            ServeProcessTest.ServeProcess run = new ServeProcessTest.ServeProcess(env, "stripe", "backfill",
                    "--app", app.appId(), "--since", "2d", "--page-size", "1");
            int exit = run.waitForExit();

            assertThat(exit).as(run.text()).isZero();
            // Two one-day windows: the older is empty, the newer holds the three events, one per page.
            assertThat(run.text()).contains("page 1: 0 events", "page 2: 1 events", "more to come", "page 4: 1 events created",
                    "3 events fetched in 4 pages", "2 processed", "1 duplicates", "0 parked", "0 failed");
            String log = server.admin().get("/v2/projects/" + app.projectId() + "/apps/" + app.appId()
                    + "/stripe_events?status=processed").body();
            assertThat(log).contains(io.substate.common.Json.read(missed).get("id").asText(),
                    io.substate.common.Json.read(missedOther).get("id").asText());
        }
    }

    @Test
    void badArgumentsAndUnknownAppsExitNonZero() throws Exception {
        try (TestServer server = TestServer.start(db, Map.of())) {
            Map<String, String> env = db.env(server.databaseUrl());

            ServeProcessTest.ServeProcess missingSince = new ServeProcessTest.ServeProcess(env, "stripe", "backfill",
                    "--app", "app_x");
            assertThat(missingSince.waitForExit()).isEqualTo(2);
            assertThat(missingSince.stderr()).contains("--since");

            ServeProcessTest.ServeProcess unknown = new ServeProcessTest.ServeProcess(env, "stripe", "backfill",
                    "--app", "app_nope", "--since", "1d");
            assertThat(unknown.waitForExit()).isEqualTo(1);
            assertThat(unknown.stderr()).contains("App 'app_nope' does not exist");
        }
    }
}
