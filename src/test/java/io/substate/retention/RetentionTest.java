package io.substate.retention;

import static io.substate.testing.StripeEventBuilder.uniqueId;
import static io.substate.testing.StripeObjects.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestClock;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import io.substate.testing.WebhookReceiver;
import io.substate.stripe.StripeSignatureVerifier;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Retention (README, "Retention"): once old enough, a Stripe event's payload is emptied and a settled delivery's
 * attempts are deleted, while the event log's rows, the purchases, the customer's history and the deliveries' status
 * stay; parked events and recent ones keep their payloads.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class RetentionTest {
    private static final String SECRET = "whsec_retention_test";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Parameter
    TestDb db;

    @Test
    void oldPayloadsAndAttemptsArePrunedWhatStateAndHistoryNeedIsKept() {
        TestClock clock = new TestClock(T0);
        try (WebhookReceiver receiver = WebhookReceiver.healthy();
                TestServer server = TestServer.start(db, Map.of("SUBSTATE_RETENTION_TICK", "100ms",
                        "SUBSTATE_RETENTION_STRIPE_PAYLOADS", "90d", "SUBSTATE_RETENTION_DELIVERY_ATTEMPTS", "30d"),
                        clock)) {
            StripeApp app = Fixtures.stripeApp(server.admin(), Map.of("webhook_secret", SECRET,
                    "track_new_purchases", true, "app_user_id_detection", "stripe_customer_id"));
            String integrations = "/v2/projects/" + app.projectId() + "/integrations/webhooks";
            String integration = server.admin().post(integrations, Map.of("name", "Receiver", "url", receiver.url()))
                    .json().path("id").asText();

            String customer = uniqueId("cus_");
            String old = subscriptionCreated(server, app, customer, clock);
            // An invoice of a subscription Substate has not seen: parked until its purchase appears.
            long at = clock.millis() / 1000;
            String parked = uniqueId("evt_");
            String invoice = event(parked, "invoice.updated", at, StripeObjects.invoice(uniqueId("in_"))
                    .subscription(uniqueId("sub_")).customer(uniqueId("cus_")).json());
            HttpResponse parkedAnswer = server.anonymous().postStripe(app.webhookPath(), invoice, sign(invoice, clock));
            assertThat(parkedAnswer.status()).as(parkedAnswer.toString()).isEqualTo(422);
            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.received().size() == 1);
            await().atMost(Duration.ofSeconds(20)).until(() -> deliveries(server, integrations + "/" + integration)
                    .path(0).path("status").asText().equals("succeeded"));

            // 40 days on: the attempts (30 days) go, the payloads (90 days) stay.
            clock.set(T0.plus(Duration.ofDays(40)));
            await().atMost(Duration.ofSeconds(20)).until(() -> deliveries(server, integrations + "/" + integration)
                    .path(0).path("attempts").isEmpty());
            JsonNode delivery = deliveries(server, integrations + "/" + integration).path(0);
            assertThat(delivery.path("status").asText()).isEqualTo("succeeded");
            assertThat(delivery.path("attempt_count").asInt()).isEqualTo(1);
            assertThat(logged(server, app, old).path("payload_pruned").asBoolean()).isFalse();

            // 91 days on: the old event's payload goes; a new event, and the parked one, keep theirs.
            clock.set(T0.plus(Duration.ofDays(91)));
            String recent = subscriptionCreated(server, app, uniqueId("cus_"), clock);
            await().atMost(Duration.ofSeconds(20)).until(() -> logged(server, app, old).path("payload_pruned")
                    .asBoolean());
            JsonNode pruned = logged(server, app, old);
            assertThat(pruned.path("payload").isNull()).isTrue();
            assertThat(pruned.path("status").asText()).isEqualTo("processed");
            assertThat(pruned.path("type").asText()).isEqualTo("customer.subscription.created");
            assertThat(logged(server, app, recent).path("payload").path("id").asText()).isEqualTo(recent);
            assertThat(logged(server, app, parked).path("payload").path("id").asText()).isEqualTo(parked);

            HttpResponse replay = server.admin().post("/v2/projects/" + app.projectId() + "/apps/" + app.appId()
                    + "/stripe_events/" + old + "/actions/replay", Map.of());
            assertThat(replay.status()).as(replay.toString()).isEqualTo(410);
            assertThat(replay.json().path("code").asText()).isEqualTo("stripe_event_payload_pruned");

            // What state and history are made of stays.
            HttpResponse subscriber = server.anonymous().withToken(app.publicKey()).get("/v1/subscribers/" + customer);
            assertThat(subscriber.json().path("subscriber").path("subscriptions").path("prod_Basic").isObject())
                    .as(subscriber.toString()).isTrue();
            JsonNode history = Fixtures.profile(server.admin(), app.projectId(), customer).path("history");
            assertThat(history.findValuesAsText("id")).contains(old);
            assertThat(history.findValuesAsText("kind")).contains("outgoing_event");

            // Operators follow pruning in /metrics (counted just after the commit the API already shows).
            await().atMost(Duration.ofSeconds(20)).until(() -> pruned(server, "stripe_payloads") == 1.0
                    && pruned(server, "delivery_attempts") == 1.0);
        }
    }

    private static double pruned(TestServer server, String kind) {
        String start = "substate_retention_pruned_total{kind=\"" + kind + "\"}";
        return server.anonymous().get("/metrics").body().lines()
                .filter(l -> l.startsWith(start))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static String subscriptionCreated(TestServer server, StripeApp app, String customer, TestClock clock) {
        long at = clock.millis() / 1000;
        String id = uniqueId("evt_");
        String payload = event(id, "customer.subscription.created", at, StripeObjects.subscription(uniqueId("sub_"))
                .customer(customer).price("price_Basic", "prod_Basic").period(at - 10, at + 86_400 * 365).json());
        HttpResponse answer = server.anonymous().postStripe(app.webhookPath(), payload, sign(payload, clock));
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        return id;
    }

    /** Signed at the server's (test) time: the endpoint refuses signatures older than 300 s by its clock. */
    private static String sign(String payload, TestClock clock) {
        return StripeSignatureVerifier.sign(payload, SECRET, clock.millis() / 1000);
    }

    private static JsonNode logged(TestServer server, StripeApp app, String eventId) {
        return server.admin().get("/v2/projects/" + app.projectId() + "/apps/" + app.appId() + "/stripe_events/"
                + eventId).json();
    }

    private static JsonNode deliveries(TestServer server, String integrationPath) {
        return server.admin().get(integrationPath + "/deliveries").json().path("items");
    }
}
