package io.substate.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
import io.substate.testing.FakeStripe;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import io.substate.testing.WebhookReceiver;
import io.substate.testing.WebhookReceiver.Received;
import io.substate.testing.WebhookReceiver.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static io.substate.testing.StripeEventBuilder.sign;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static io.substate.testing.StripeObjects.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Slack, PostHog, Segment, Amplitude and Mixpanel integrations end to end on SQLite and PostgreSQL: real Stripe
 * events become outgoing events, which the worker sends in each service's documented format to a local receiver that
 * stands in for the service (through each integration's base URL). Retries are 1 s apart here.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class ServiceIntegrationsTest {
    static final String SECRET = "whsec_service_integrations";
    private static final Map<TestDb, TestServer> SERVERS = new EnumMap<>(TestDb.class);
    private static final FakeStripe STRIPE = FakeStripe.start();

    @Parameter
    TestDb db;

    TestServer server() {
        synchronized (SERVERS) {
            return SERVERS.computeIfAbsent(db, d -> TestServer.start(d, Map.of(
                    "SUBSTATE_DELIVERY_RETRY_SCHEDULE", "1s,1s",
                    "SUBSTATE_DELIVERY_TIMEOUT", "5s",
                    "SUBSTATE_STRIPE_API_BASE", STRIPE.baseUrl())));
        }
    }

    Api admin() {
        return server().admin();
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    StripeApp app() {
        Map<String, Object> settings = new HashMap<>();
        settings.put("webhook_secret", SECRET);
        settings.put("api_key", FakeStripe.API_KEY);
        settings.put("track_new_purchases", true);
        settings.put("app_user_id_detection", "stripe_customer_id");
        StripeApp app = Fixtures.stripeApp(admin(), settings);
        Fixtures.entitlement(admin(), app, "pro", "prod_Basic", "subscription");
        return app;
    }

    static String path(StripeApp app, String kind) {
        return "/v2/projects/" + app.projectId() + "/integrations/" + kind;
    }

    JsonNode create(StripeApp app, String kind, Map<String, Object> fields) {
        Map<String, Object> body = new HashMap<>(fields);
        body.putIfAbsent("name", kind + " integration");
        HttpResponse created = admin().post(path(app, kind), body);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json();
    }

    /** A new subscriber's first subscription: one INITIAL_PURCHASE; returns the App User ID (the Stripe customer). */
    String purchase(StripeApp app) {
        return purchase(app, uniqueId("cus_"));
    }

    String purchase(StripeApp app, String customer) {
        String payload = event(uniqueId("evt_"), "customer.subscription.created", now(),
                StripeObjects.subscription(uniqueId("sub_")).customer(customer).price("price_Basic", "prod_Basic")
                        .period(now() - 10, now() + 86400).status("active").json());
        HttpResponse response = server().anonymous().postStripe(app.webhookPath(), payload, sign(payload, SECRET));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return customer;
    }

    JsonNode deliveries(StripeApp app, String kind, JsonNode integration) {
        return admin().get(path(app, kind) + "/" + integration.get("id").asText() + "/deliveries").json();
    }

    JsonNode awaitDelivery(StripeApp app, String kind, JsonNode integration, String status, int attempts) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            JsonNode first = deliveries(app, kind, integration).get("items").get(0);
            return first != null && first.get("status").asText().equals(status)
                    && first.get("attempts").size() == attempts;
        });
        return deliveries(app, kind, integration).get("items").get(0);
    }

    static Received awaitRequest(WebhookReceiver receiver, int count) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> receiver.received().size() >= count);
        return receiver.received().get(count - 1);
    }

    static String base(WebhookReceiver receiver) {
        return receiver.url().replace("/hooks", "/svc");
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static void assertUuid(JsonNode value) {
        assertThat(value.isTextual()).as("a UUID string: " + value).isTrue();
        assertThat(UUID.fromString(value.asText()).toString()).isEqualTo(value.asText());
    }

    /** The purchase's fields arrive as properties with their types: strings, a number price, ms timestamps. */
    static void assertPurchaseProperties(JsonNode properties, JsonNode event) {
        assertThat(properties.get("product_id").asText()).isEqualTo(event.get("product_id").asText());
        assertThat(properties.get("store").asText()).isEqualTo("STRIPE");
        assertThat(properties.get("environment").asText()).isEqualTo(event.get("environment").asText());
        assertThat(properties.get("period_type").asText()).isEqualTo("NORMAL");
        assertThat(properties.get("event_id").asText()).isEqualTo(event.get("id").asText());
        assertThat(properties.get("purchased_at_ms").isIntegralNumber()).isTrue();
        assertThat(properties.get("transaction_id").asText()).isEqualTo(event.get("transaction_id").asText());
        if (event.get("price").isNumber()) {
            assertThat(properties.get("price").isNumber()).isTrue();
            assertThat(properties.get("price").asDouble()).isEqualTo(event.get("price").asDouble());
            assertThat(properties.get("currency").asText()).isEqualTo(event.get("currency").asText());
        }
    }

    @Test
    void slackGetsAReadableMessagePerEventAtItsIncomingWebhookUrl() {
        StripeApp app = app();
        try (WebhookReceiver slack = WebhookReceiver.healthy()) {
            JsonNode integration = create(app, "slack", Map.of("webhook_url", slack.url()));
            String customer = purchase(app);

            Received request = awaitRequest(slack, 1);
            assertThat(request.path()).isEqualTo("/hooks");
            assertThat(request.header("Content-Type")).isEqualTo("application/json");
            JsonNode body = request.json();
            assertThat(body.get("text").isTextual()).isTrue();
            assertThat(body.get("text").asText()).contains("`" + customer + "`").contains("subscribed to")
                    .contains("prod_Basic");
            assertThat(awaitDelivery(app, "slack", integration, "succeeded", 1).get("event_type").asText())
                    .isEqualTo("INITIAL_PURCHASE");
        }
    }

    @Test
    void postHogGetsTheCaptureApiWithTheProjectKeyAndAStableUuid() {
        StripeApp app = app();
        try (WebhookReceiver posthog = WebhookReceiver.healthy()) {
            JsonNode integration = create(app, "posthog", Map.of("api_key", "phc_test_key", "host", base(posthog)));
            String customer = purchase(app);

            Received request = awaitRequest(posthog, 1);
            JsonNode event = awaitDelivery(app, "posthog", integration, "succeeded", 1).get("event");
            assertThat(request.path()).isEqualTo("/svc/i/v0/e/");
            assertThat(request.header("Content-Type")).isEqualTo("application/json");
            JsonNode body = request.json();
            assertThat(body.get("api_key").asText()).isEqualTo("phc_test_key");
            assertThat(body.get("event").asText()).isEqualTo("rc_initial_purchase_event");
            assertThat(body.get("distinct_id").asText()).isEqualTo(customer);
            assertThat(java.time.Instant.parse(body.get("timestamp").asText()).toEpochMilli())
                    .isEqualTo(event.get("event_timestamp_ms").asLong());
            assertUuid(body.get("uuid"));
            assertPurchaseProperties(body.get("properties"), event);
        }
    }

    @Test
    void segmentGetsTheTrackingApiWithTheWriteKeyAsBasicUser() {
        StripeApp app = app();
        try (WebhookReceiver segment = WebhookReceiver.healthy()) {
            JsonNode integration = create(app, "segment", Map.of("write_key", "wk_test", "base_url", base(segment)));
            String customer = purchase(app);

            Received request = awaitRequest(segment, 1);
            JsonNode event = awaitDelivery(app, "segment", integration, "succeeded", 1).get("event");
            assertThat(request.path()).isEqualTo("/svc/v1/track");
            assertThat(request.header("Authorization")).isEqualTo(basic("wk_test", ""));
            JsonNode body = request.json();
            assertThat(body.get("userId").asText()).isEqualTo(customer);
            assertThat(body.get("event").asText()).isEqualTo("rc_initial_purchase_event");
            assertThat(java.time.Instant.parse(body.get("timestamp").asText()).toEpochMilli())
                    .isEqualTo(event.get("event_timestamp_ms").asLong());
            assertUuid(body.get("messageId"));
            assertPurchaseProperties(body.get("properties"), event);
        }
    }

    @Test
    void amplitudeGetsHttpV2WithMillisecondTimeAndAnInsertIdThatRetriesKeep() {
        StripeApp app = app();
        try (WebhookReceiver amplitude = WebhookReceiver.start((n, request) ->
                n == 1 ? Reply.status(503, "busy") : Reply.ok())) {
            JsonNode integration = create(app, "amplitude", Map.of("api_key", "amp_key", "base_url", base(amplitude)));
            String customer = purchase(app);

            JsonNode delivery = awaitDelivery(app, "amplitude", integration, "succeeded", 2);
            List<Integer> codes = new java.util.ArrayList<>();
            delivery.get("attempts").forEach(a -> codes.add(a.get("status_code").asInt()));
            assertThat(codes).containsExactlyInAnyOrder(503, 200);
            List<Received> requests = amplitude.received();
            assertThat(requests).hasSize(2);
            Received request = requests.get(1);
            assertThat(request.path()).isEqualTo("/svc/2/httpapi");
            JsonNode body = request.json();
            assertThat(body.get("api_key").asText()).isEqualTo("amp_key");
            assertThat(body.get("events").isArray()).isTrue();
            JsonNode one = body.get("events").get(0);
            assertThat(one.get("user_id").asText()).isEqualTo(customer);
            assertThat(one.get("event_type").asText()).isEqualTo("rc_initial_purchase_event");
            assertThat(one.get("time").isIntegralNumber()).isTrue();
            assertThat(one.get("time").asLong()).isEqualTo(delivery.get("event").get("event_timestamp_ms").asLong());
            assertUuid(one.get("insert_id"));
            assertThat(one.has("user_properties")).as("no attributes, no user properties").isFalse();
            assertPurchaseProperties(one.get("event_properties"), delivery.get("event"));
            // The retry is the same event for Amplitude: same insert_id, same body.
            assertThat(requests.get(0).body()).isEqualTo(request.body());

            // Redelivery sends it once more, still with the same insert_id.
            HttpResponse redelivered = admin().post(path(app, "amplitude") + "/" + integration.get("id").asText()
                    + "/deliveries/" + delivery.get("id").asText() + "/actions/redeliver", Map.of());
            assertThat(redelivered.status()).as(redelivered.toString()).isEqualTo(200);
            Received again = awaitRequest(amplitude, 3);
            assertThat(again.json().get("events").get(0).get("insert_id")).isEqualTo(one.get("insert_id"));
        }
    }

    @Test
    void mixpanelGetsTheImportApiWithAServiceAccountOrTheTrackApiWithTheToken() {
        StripeApp app = app();
        try (WebhookReceiver mixpanel = WebhookReceiver.healthy()) {
            JsonNode imported = create(app, "mixpanel", Map.of("service_account_username", "sa.user",
                    "service_account_secret", "sa-secret", "project_id", "12345", "base_url", base(mixpanel)));
            String customer = purchase(app);

            Received request = awaitRequest(mixpanel, 1);
            JsonNode event = awaitDelivery(app, "mixpanel", imported, "succeeded", 1).get("event");
            assertThat(request.path()).isEqualTo("/svc/import");
            assertThat(request.header("Authorization")).isEqualTo(basic("sa.user", "sa-secret"));
            JsonNode body = request.json();
            assertThat(body.isArray()).isTrue();
            assertThat(body.get(0).get("event").asText()).isEqualTo("rc_initial_purchase_event");
            JsonNode properties = body.get(0).get("properties");
            assertThat(properties.get("distinct_id").asText()).isEqualTo(customer);
            assertThat(properties.get("time").asLong()).isEqualTo(event.get("event_timestamp_ms").asLong());
            assertUuid(properties.get("$insert_id"));
            assertThat(properties.get("$insert_id").asText().length()).isLessThanOrEqualTo(36);
            assertPurchaseProperties(properties, event);

            admin().delete(path(app, "mixpanel") + "/" + imported.get("id").asText());
            JsonNode track = create(app, "mixpanel", Map.of("project_token", "tok_123", "base_url", base(mixpanel)));
            purchase(app);
            Received tracked = awaitRequest(mixpanel, 2);
            assertThat(tracked.path()).isEqualTo("/svc/track");
            assertThat(tracked.header("Authorization")).isNull();
            assertThat(tracked.json().get(0).get("properties").get("token").asText()).isEqualTo("tok_123");
            awaitDelivery(app, "mixpanel", track, "succeeded", 1);

            // The track API refuses an event with a 200 and "status": 0 in its verbose answer: a failure, not retried.
            mixpanel.respondWith((n, any) -> Reply.status(200, "{\"status\": 0, \"error\": \"bad token\"}"));
            purchase(app);
            JsonNode refused = awaitDelivery(app, "mixpanel", track, "failed", 1);
            assertThat(refused.get("attempts").get(0).get("error").asText()).contains("bad token");
        }
    }

    @Test
    void eachAnalyticsServiceGetsItsRenamedEventAndTheAttributesAsUserProperties() {
        StripeApp app = app();
        String customer = uniqueId("cus_");
        HttpResponse attributes = server().anonymous().withToken(app.publicKey()).post("/v1/subscribers/" + customer
                + "/attributes", Map.of("attributes", Map.of(
                        "$email", Map.of("value", "ana@example.com"),
                        "$displayName", Map.of("value", "Ana"),
                        "$phoneNumber", Map.of("value", "+34600000000"),
                        "$mediaSource", Map.of("value", "newsletter"),
                        "plan_tier", Map.of("value", "gold"))));
        assertThat(attributes.status()).as(attributes.toString()).isBetween(200, 201);
        try (WebhookReceiver receiver = WebhookReceiver.healthy()) {
            for (String kind : List.of("posthog", "segment", "amplitude", "mixpanel")) {
                Map<String, Object> fields = new HashMap<>(everyKind(receiver).get(kind));
                fields.put("event_names", Map.of("initial_purchase", "Subscribed", "renewal", "Renewed"));
                create(app, kind, fields);
            }
            purchase(app, customer);
            awaitRequest(receiver, 4);
            Map<String, JsonNode> bodies = new HashMap<>();
            receiver.received().forEach(r -> bodies.put(r.path(), r.json()));

            JsonNode posthog = bodies.get("/svc/i/v0/e/");
            assertThat(posthog.get("event").asText()).isEqualTo("Subscribed");
            assertStandardTraits(posthog.get("properties").get("$set"));

            JsonNode segment = bodies.get("/svc/v1/track");
            assertThat(segment.get("event").asText()).isEqualTo("Subscribed");
            assertStandardTraits(segment.get("context").get("traits"));
            assertThat(segment.get("context").get("library").get("name").asText()).isEqualTo("substate");

            JsonNode amplitude = bodies.get("/svc/2/httpapi").get("events").get(0);
            assertThat(amplitude.get("event_type").asText()).isEqualTo("Subscribed");
            assertStandardTraits(amplitude.get("user_properties"));

            JsonNode mixpanel = bodies.get("/svc/import").get(0);
            assertThat(mixpanel.get("event").asText()).isEqualTo("Subscribed");
            JsonNode properties = mixpanel.get("properties");
            assertThat(properties.get("$email").asText()).isEqualTo("ana@example.com");
            assertThat(properties.get("$name").asText()).isEqualTo("Ana");
            assertThat(properties.get("$phone").asText()).isEqualTo("+34600000000");
            assertThat(properties.get("mediaSource").asText()).isEqualTo("newsletter");
            assertThat(properties.get("plan_tier").asText()).isEqualTo("gold");
            assertThat(properties.get("distinct_id").asText()).isEqualTo(customer);
        }
    }

    /** Email, name and phone under the services' standard trait names, others as strings; nothing else. */
    static void assertStandardTraits(JsonNode traits) {
        assertThat(traits).as("user properties").isNotNull();
        assertThat(traits.get("email").asText()).isEqualTo("ana@example.com");
        assertThat(traits.get("name").asText()).isEqualTo("Ana");
        assertThat(traits.get("phone").asText()).isEqualTo("+34600000000");
        assertThat(traits.get("mediaSource").asText()).isEqualTo("newsletter");
        assertThat(traits.get("plan_tier").isTextual()).isTrue();
        assertThat(traits.get("plan_tier").asText()).isEqualTo("gold");
        assertThat(traits.size()).isEqualTo(5);
    }

    /** Each kind's settings pointing at {@code receiver}. */
    static Map<String, Map<String, Object>> everyKind(WebhookReceiver receiver) {
        return Map.of(
                "slack", Map.of("webhook_url", receiver.url()),
                "posthog", Map.of("api_key", "phc_k", "host", base(receiver)),
                "segment", Map.of("write_key", "wk", "base_url", base(receiver)),
                "amplitude", Map.of("api_key", "amp", "base_url", base(receiver)),
                "mixpanel", Map.of("api_secret", "mp_secret", "base_url", base(receiver)));
    }

    @Test
    void everyKindRetriesA503AndRedeliversTheSameRequest() {
        for (String kind : List.of("slack", "posthog", "segment", "amplitude", "mixpanel")) {
            StripeApp app = app();
            try (WebhookReceiver receiver = WebhookReceiver.start((n, request) ->
                    n == 1 ? Reply.status(503, "unavailable") : Reply.ok())) {
                JsonNode integration = create(app, kind, everyKind(receiver).get(kind));
                purchase(app);

                JsonNode delivery = awaitDelivery(app, kind, integration, "succeeded", 2);
                HttpResponse redelivered = admin().post(path(app, kind) + "/" + integration.get("id").asText()
                        + "/deliveries/" + delivery.get("id").asText() + "/actions/redeliver", Map.of());
                assertThat(redelivered.status()).as(redelivered.toString()).isEqualTo(200);
                awaitRequest(receiver, 3);
                List<Received> requests = receiver.received();
                // The retry and the redelivery are the same request: same path, same auth, same body (same dedup id).
                for (Received again : requests.subList(1, 3)) {
                    assertThat(again.path()).as(kind).isEqualTo(requests.get(0).path());
                    assertThat(again.header("Authorization")).as(kind)
                            .isEqualTo(requests.get(0).header("Authorization"));
                    assertThat(again.body()).as(kind).isEqualTo(requests.get(0).body());
                }
                awaitDelivery(app, kind, integration, "succeeded", 3);
            }
        }
    }

    @Test
    void aClientErrorFailsAtOnceWhileAServerErrorIsRetried() {
        StripeApp app = app();
        try (WebhookReceiver segment = WebhookReceiver.start((n, request) -> Reply.status(400, "bad request"))) {
            JsonNode integration = create(app, "segment", Map.of("write_key", "wk", "base_url", base(segment)));
            purchase(app);

            JsonNode delivery = awaitDelivery(app, "segment", integration, "failed", 1);
            assertThat(delivery.get("attempts").get(0).get("status_code").asInt()).isEqualTo(400);
            assertThat(delivery.get("attempts").get(0).get("next_retry_at").isNull()).isTrue();
            assertThat(segment.received()).hasSize(1);
        }
    }

    @Test
    void theSendTestButtonSendsATestEventInTheServicesFormat() {
        StripeApp app = app();
        try (WebhookReceiver posthog = WebhookReceiver.healthy()) {
            JsonNode integration = create(app, "posthog", Map.of("api_key", "phc_k", "host", base(posthog)));
            HttpResponse test = admin().post(path(app, "posthog") + "/" + integration.get("id").asText()
                    + "/actions/test", Map.of());
            assertThat(test.status()).as(test.toString()).isEqualTo(201);
            Received request = awaitRequest(posthog, 1);
            assertThat(request.json().get("event").asText()).isEqualTo("rc_test_event");
            assertThat(request.json().get("distinct_id").asText()).isEqualTo(test.json().get("event")
                    .get("app_user_id").asText());
        }
    }

    @Test
    void aSlowIntegrationDoesNotDelayWebhooksToOtherEndpoints() {
        StripeApp app = app();
        try (WebhookReceiver slow = WebhookReceiver.start((n, request) -> Reply.hang(3_000));
                WebhookReceiver fast = WebhookReceiver.healthy()) {
            create(app, "slack", Map.of("webhook_url", slow.url()));
            HttpResponse webhook = admin().post(path(app, "webhooks"), Map.of("name", "fast", "url", fast.url()));
            assertThat(webhook.status()).as(webhook.toString()).isEqualTo(201);

            long start = System.currentTimeMillis();
            String customer = purchase(app);
            Received delivered = fast.await("INITIAL_PURCHASE", customer);
            long slowStarted = awaitRequest(slow, 1).receivedAtMillis();

            // The webhook arrives long before the slow service answers (3 s after it was called).
            assertThat(delivered.receivedAtMillis() - start).isLessThan(2_000);
            assertThat(delivered.receivedAtMillis()).isLessThan(slowStarted + 3_000);
        }
    }
}
