package io.substate.grants;

import static io.substate.testing.StripeEventBuilder.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.TestClock;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import io.substate.testing.WebhookReceiver;
import io.substate.testing.WebhookReceiver.Received;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The outgoing events of granted entitlements, delivered to a webhook integration on both databases: a grant's
 * NON_RENEWING_PURCHASE, a revocation's CANCELLATION and EXPIRATION, and the EXPIRATION the expiry worker sends once
 * the end passes (on the test's clock), after a restart too, and once with several instances. The expiry worker looks
 * every 50 ms here ({@code SUBSTATE_GRANT_EXPIRY_TICK}).
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class GrantEventsTest {
    static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");
    static final String TICK = "50ms";
    private static final TestClock CLOCK = new TestClock(T0);
    private static final Map<TestDb, TestServer> SERVERS = new EnumMap<>(TestDb.class);
    private static final WebhookReceiver RECEIVER = WebhookReceiver.healthy();

    @Parameter
    TestDb db;

    StripeApp app;
    String user;

    TestServer server() {
        synchronized (SERVERS) {
            return SERVERS.computeIfAbsent(db, d -> TestServer.start(d, Map.of("SUBSTATE_GRANT_EXPIRY_TICK", TICK),
                    CLOCK));
        }
    }

    @AfterAll
    static void stop() {
        synchronized (SERVERS) {
            SERVERS.values().forEach(TestServer::close);
            SERVERS.clear();
        }
        RECEIVER.close();
    }

    @BeforeEach
    void newProject() {
        CLOCK.set(T0);
        app = project(server().admin());
        user = "user_" + uniqueId("");
    }

    /** A project with an entitlement "pro" and an integration taking every event to {@link #RECEIVER}. */
    static StripeApp project(Api admin) {
        StripeApp app = Fixtures.stripeApp(admin, new HashMap<>());
        Fixtures.entitlement(admin, app, "pro", "prod_Pro", "subscription");
        HttpResponse integration = admin.post("/v2/projects/" + app.projectId() + "/integrations/webhooks",
                Map.of("name", "All events", "url", RECEIVER.url()));
        assertThat(integration.status()).as(integration.toString()).isEqualTo(201);
        return app;
    }

    static HttpResponse grant(TestServer server, StripeApp app, String user, String duration) {
        HttpResponse granted = server.anonymous().withToken(app.secretKey()).post("/v1/subscribers/" + user
                + "/entitlements/pro/promotional", Map.of("duration", duration));
        assertThat(granted.status()).as(granted.toString()).isEqualTo(201);
        return granted;
    }

    static Predicate<JsonNode> about(String user, String type) {
        return e -> e.path("app_user_id").asText().equals(user) && e.path("type").asText().equals(type);
    }

    /** The distinct events of this type about the user (a delivery may be repeated; its event id is not). */
    static List<JsonNode> events(String user, String type) {
        Map<String, JsonNode> byId = new java.util.LinkedHashMap<>();
        RECEIVER.received(about(user, type)).forEach(r -> byId.putIfAbsent(r.event().get("id").asText(), r.event()));
        return new ArrayList<>(byId.values());
    }

    /** Lets the expiry worker run several times. */
    static void severalTicks() throws InterruptedException {
        Thread.sleep(400);
    }

    @Test
    void aGrantIsANonRenewingPurchaseFromStorePromotional() {
        HttpResponse granted = grant(server(), app, user, "monthly");
        String transactionId = granted.json().get("subscriber").get("subscriptions").get("rc_promo_pro_monthly")
                .get("store_transaction_id").asText();

        Received received = RECEIVER.await(about(user, "NON_RENEWING_PURCHASE"));

        JsonNode event = received.event();
        assertThat(event.get("store").asText()).isEqualTo("PROMOTIONAL");
        assertThat(event.get("period_type").asText()).isEqualTo("PROMOTIONAL");
        assertThat(event.get("environment").asText()).isEqualTo("PRODUCTION");
        assertThat(event.has("app_id")).as("RevenueCat leaves app_id out of promotional events").isFalse();
        assertThat(event.get("product_id").asText()).isEqualTo("rc_promo_pro_monthly");
        assertThat(event.get("entitlement_ids")).extracting(JsonNode::asText).containsExactly("pro");
        assertThat(event.get("entitlement_id").asText()).isEqualTo("pro");
        assertThat(event.get("price").asDouble()).isZero();
        assertThat(event.get("price").isNumber()).isTrue();
        assertThat(event.get("price_in_purchased_currency").asDouble()).isZero();
        assertThat(event.get("currency").asText()).isEqualTo("USD");
        assertThat(event.get("purchased_at_ms").asLong()).isEqualTo(T0.toEpochMilli());
        assertThat(event.get("expiration_at_ms").asLong()).isEqualTo(T0.plus(Duration.ofDays(31)).toEpochMilli());
        assertThat(event.get("event_timestamp_ms").asLong()).isEqualTo(T0.toEpochMilli());
        assertThat(event.get("transaction_id").asText()).isEqualTo(transactionId);
        assertThat(event.get("original_transaction_id").asText()).isEqualTo(transactionId);
        assertThat(event.get("original_app_user_id").asText()).isEqualTo(user);
        assertThat(event.get("aliases")).extracting(JsonNode::asText).containsExactly(user);
        assertThat(event.get("sequence").asLong()).isEqualTo(1);
        assertThat(event.get("subscriber_attributes").isObject()).isTrue();
        assertThat(event.get("id").asText()).isEqualTo(received.header("webhook-id"));
        assertThat(received.json().get("api_version").asText()).isEqualTo("1.0");
        assertThat(event.has("cancel_reason")).isFalse();
        assertThat(event.has("expiration_reason")).isFalse();
        // The customer's history lists it.
        JsonNode history = Fixtures.profile(server().admin(), app.projectId(), user).get("history");
        assertThat(history).extracting(e -> e.get("type").asText()).containsExactly("NON_RENEWING_PURCHASE");
    }

    @Test
    void integrationsForOneAppOrForSandboxDoNotTakeGrantEvents() {
        Api admin = server().admin();
        String integrations = "/v2/projects/" + app.projectId() + "/integrations/webhooks";
        String forApp = admin.post(integrations, Map.of("name", "One app", "url", RECEIVER.url() + "/app",
                "app_id", app.appId())).json().get("id").asText();
        String forSandbox = admin.post(integrations, Map.of("name", "Sandbox", "url", RECEIVER.url() + "/sandbox",
                "environment", "sandbox")).json().get("id").asText();
        String forExpirations = admin.post(integrations, Map.of("name", "Expirations", "url",
                RECEIVER.url() + "/expirations", "event_types", List.of("expiration"))).json().get("id").asText();

        grant(server(), app, user, "daily");
        RECEIVER.await(about(user, "NON_RENEWING_PURCHASE"));

        // Deliveries are written with their event: none now means none ever.
        assertThat(admin.get(integrations + "/" + forApp + "/deliveries").json().get("items")).isEmpty();
        assertThat(admin.get(integrations + "/" + forSandbox + "/deliveries").json().get("items")).isEmpty();
        assertThat(admin.get(integrations + "/" + forExpirations + "/deliveries").json().get("items")).isEmpty();
    }

    @Test
    void revokingSendsACancellationThenAnExpirationAndNothingAtTheOldEnd() throws Exception {
        grant(server(), app, user, "weekly");
        Instant revokedAt = T0.plus(Duration.ofHours(3));
        CLOCK.set(revokedAt);
        assertThat(server().anonymous().withToken(app.secretKey()).post("/v1/subscribers/" + user
                + "/entitlements/pro/revoke_promotionals", null).status()).isEqualTo(200);

        JsonNode cancellation = RECEIVER.await(about(user, "CANCELLATION")).event();
        JsonNode expiration = RECEIVER.await(about(user, "EXPIRATION")).event();

        assertThat(cancellation.get("cancel_reason").asText()).isEqualTo("DEVELOPER_INITIATED");
        assertThat(expiration.get("expiration_reason").asText()).isEqualTo("DEVELOPER_INITIATED");
        for (JsonNode event : List.of(cancellation, expiration)) {
            assertThat(event.get("store").asText()).isEqualTo("PROMOTIONAL");
            assertThat(event.get("period_type").asText()).isEqualTo("PROMOTIONAL");
            assertThat(event.get("environment").asText()).isEqualTo("PRODUCTION");
            assertThat(event.has("app_id")).isFalse();
            assertThat(event.get("product_id").asText()).isEqualTo("rc_promo_pro_weekly");
            assertThat(event.get("entitlement_ids")).extracting(JsonNode::asText).containsExactly("pro");
            assertThat(event.get("purchased_at_ms").asLong()).isEqualTo(T0.toEpochMilli());
            assertThat(event.get("expiration_at_ms").asLong()).isEqualTo(revokedAt.toEpochMilli());
            assertThat(event.get("event_timestamp_ms").asLong()).isEqualTo(revokedAt.toEpochMilli());
        }
        assertThat(cancellation.get("sequence").asLong()).isEqualTo(2);
        assertThat(expiration.get("sequence").asLong()).isEqualTo(3);

        CLOCK.set(T0.plus(Duration.ofDays(8)));
        severalTicks();
        assertThat(events(user, "EXPIRATION")).hasSize(1);
        assertThat(events(user, "CANCELLATION")).hasSize(1);
    }

    @Test
    void theNaturalEndSendsOneExpirationWhenItPasses() throws Exception {
        grant(server(), app, user, "daily");
        RECEIVER.await(about(user, "NON_RENEWING_PURCHASE"));

        CLOCK.set(T0.plus(Duration.ofHours(24)).minusMillis(1));
        severalTicks();
        assertThat(events(user, "EXPIRATION")).isEmpty();

        Instant end = T0.plus(Duration.ofHours(24));
        CLOCK.set(end);
        JsonNode expiration = RECEIVER.await(about(user, "EXPIRATION")).event();

        assertThat(expiration.get("expiration_reason").asText()).isEqualTo("DEVELOPER_INITIATED");
        assertThat(expiration.get("expiration_at_ms").asLong()).isEqualTo(end.toEpochMilli());
        assertThat(expiration.get("event_timestamp_ms").asLong()).isEqualTo(end.toEpochMilli());
        assertThat(expiration.get("product_id").asText()).isEqualTo("rc_promo_pro_daily");
        assertThat(expiration.get("store").asText()).isEqualTo("PROMOTIONAL");
        assertThat(expiration.has("app_id")).isFalse();
        assertThat(expiration.get("sequence").asLong()).isEqualTo(2);
        assertThat(events(user, "CANCELLATION")).as("nobody cancelled it").isEmpty();
        CLOCK.set(end.plus(Duration.ofDays(3)));
        severalTicks();
        assertThat(events(user, "EXPIRATION")).hasSize(1);
        // Revoking it now changes nothing: it is over.
        assertThat(server().anonymous().withToken(app.secretKey()).post("/v1/subscribers/" + user
                + "/entitlements/pro/revoke_promotionals", null).status()).isEqualTo(200);
        severalTicks();
        assertThat(events(user, "CANCELLATION")).isEmpty();
        assertThat(events(user, "EXPIRATION")).hasSize(1);
    }

    @Test
    void anEndPassedWhileNoInstanceRanIsSentAfterTheRestart() {
        Map<String, String> env = new HashMap<>();
        String user = this.user;
        StripeApp app;
        try (TestServer first = TestServer.start(db, Map.of("SUBSTATE_GRANT_EXPIRY_TICK", TICK), CLOCK)) {
            env.putAll(first.env());
            app = project(first.admin());
            grant(first, app, user, "daily");
            RECEIVER.await(about(user, "NON_RENEWING_PURCHASE"));
        }

        // The next start runs on the real clock, months after the grant's day.
        try (TestServer restarted = TestServer.startWith(env)) {
            JsonNode expiration = RECEIVER.await(about(user, "EXPIRATION")).event();
            assertThat(expiration.get("expiration_at_ms").asLong())
                    .isEqualTo(T0.plus(Duration.ofHours(24)).toEpochMilli());
            assertThat(expiration.get("event_timestamp_ms").asLong()).isGreaterThan(T0.toEpochMilli());
        }
    }

    @Test
    void severalInstancesSendEachExpirationOnce() throws Exception {
        List<String> users = new ArrayList<>();
        Map<String, String> env = new HashMap<>();
        try (TestServer granting = TestServer.start(db, Map.of("SUBSTATE_GRANT_EXPIRY_TICK", "1h"), CLOCK)) {
            env.putAll(granting.env());
            StripeApp app = project(granting.admin());
            for (int i = 0; i < 30; i++) {
                String user = "many_" + i + "_" + uniqueId("");
                users.add(user);
                grant(granting, app, user, "daily");
            }
            // Two more instances on the real clock, long after those grants ended, race for them.
            env.put("SUBSTATE_GRANT_EXPIRY_TICK", "20ms");
            try (TestServer second = TestServer.startWith(env); TestServer third = TestServer.startWith(env)) {
                for (String user : users) {
                    RECEIVER.await(about(user, "EXPIRATION"));
                }
                severalTicks();
            }
        }
        for (String user : users) {
            assertThat(events(user, "EXPIRATION")).as(user).hasSize(1);
        }
    }
}
