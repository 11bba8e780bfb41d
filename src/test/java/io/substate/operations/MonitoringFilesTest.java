package io.substate.operations;

import static io.substate.testing.StripeEventBuilder.sign;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static io.substate.testing.StripeObjects.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import io.substate.testing.WebhookReceiver;
import io.substate.testing.WebhookReceiver.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The monitoring files of deploy/ (Prometheus alert rules, Grafana dashboard) against a running server: every metric
 * they name is one Substate serves, and the delivery backlog gauges follow real deliveries. {@link AlertRulesTest}
 * checks the rules themselves.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class MonitoringFilesTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Pattern METRIC = Pattern.compile(
            "\\b((?:substate|hikaricp|http_server_requests|jvm)_[a-z_]+)\\b");
    private static final String SECRET = "whsec_monitoring_test";

    @Parameter
    TestDb db;

    @Test
    void everyMetricTheAlertsAndTheDashboardNameIsServedAndTheBacklogGaugesFollowDeliveries() throws Exception {
        WebhookReceiver failing = WebhookReceiver.start((n, request) -> Reply.status(500, "down"));
        WebhookReceiver hanging = WebhookReceiver.start((n, request) -> Reply.hang(12_000));
        try (failing; hanging; TestServer server = TestServer.start(db, Map.of(
                "SUBSTATE_DELIVERY_RETRY_SCHEDULE", "1s", "SUBSTATE_DELIVERY_TIMEOUT", "15s"))) {
            StripeApp app = Fixtures.stripeApp(server.admin(), Map.of("webhook_secret", SECRET,
                    "track_new_purchases", true, "app_user_id_detection", "stripe_customer_id"));
            for (WebhookReceiver receiver : List.of(failing, hanging)) {
                assertThat(server.admin().post("/v2/projects/" + app.projectId() + "/integrations/webhooks",
                        Map.of("name", "Receiver", "url", receiver.url())).status()).isEqualTo(201);
            }
            long now = System.currentTimeMillis() / 1000;
            String payload = event(uniqueId("evt_"), "customer.subscription.created", now,
                    StripeObjects.subscription(uniqueId("sub_")).customer(uniqueId("cus_"))
                            .price("price_Basic", "prod_Basic").period(now - 10, now + 86_400).json());
            HttpResponse accepted = server.anonymous().postStripe(app.webhookPath(), payload, sign(payload, SECRET));
            assertThat(accepted.status()).as(accepted.toString()).isEqualTo(200);

            // One delivery fails twice (the schedule has one retry) and fails for good; the other hangs, pending.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                String metrics = scrape(server);
                assertThat(value(metrics, "substate_deliveries_failed_last_day")).isEqualTo(1.0);
                assertThat(value(metrics, "substate_deliveries_pending")).isEqualTo(1.0);
            });
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() ->
                    value(scrape(server), "substate_deliveries_oldest_pending_age_seconds") >= 2.0);

            String metrics = scrape(server);
            Set<String> served = new TreeSet<>();
            Matcher sample = Pattern.compile("(?m)^([a-z_]+)(?:\\{| )").matcher(metrics);
            while (sample.find()) {
                served.add(sample.group(1));
            }
            assertThat(namedIn(Files.readString(ROOT.resolve("deploy/prometheus/alerts.yml"))))
                    .as("metrics the alert rules name").isNotEmpty().isSubsetOf(served);
            assertThat(namedIn(Files.readString(ROOT.resolve("deploy/grafana/substate-dashboard.json"))))
                    .as("metrics the dashboard names").isNotEmpty().isSubsetOf(served);
        }
    }

    private static Set<String> namedIn(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static String scrape(TestServer server) {
        return server.anonymous().get("/metrics").body();
    }

    /** The value of an unlabelled metric in a scrape. */
    private static double value(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(metrics);
        assertThat(m.find()).as("%s in /metrics", name).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
