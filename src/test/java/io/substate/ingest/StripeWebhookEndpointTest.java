package io.substate.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import io.substate.testing.Api;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.Fixtures;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static io.substate.testing.StripeEventBuilder.sign;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static io.substate.testing.StripeObjects.event;
import static org.assertj.core.api.Assertions.assertThat;

/** The per-app Stripe webhook endpoint over HTTP: every answer of the README's table ("Stripe webhook endpoint"), on SQLite and PostgreSQL. */
@ParameterizedClass
@EnumSource(TestDb.class)
class StripeWebhookEndpointTest {
    static final String SECRET = "whsec_endpoint_test_secret";

    @Parameter
    TestDb db;

    Api admin() {
        return TestServer.shared(db).admin();
    }

    Api stripe() {
        return TestServer.shared(db).anonymous();
    }

    long now() {
        return System.currentTimeMillis() / 1000;
    }

    StripeApp app(Map<String, Object> settings) {
        return Fixtures.stripeApp(admin(), settings);
    }

    /** An app that tracks new purchases, detecting App User IDs as Stripe customer ids. */
    StripeApp trackingApp() {
        return app(Map.of("webhook_secret", SECRET, "track_new_purchases", true,
                "app_user_id_detection", "stripe_customer_id"));
    }

    String newSubscriptionCreated() {
        return subscriptionEvent("customer.subscription.created", uniqueId("sub_"), uniqueId("cus_"), "active", now());
    }

    String subscriptionEvent(String type, String subId, String customer, String status, long created) {
        ObjectNode sub = StripeObjects.subscription(subId).customer(customer).status(status)
                .price("price_Basic", "prod_Basic").period(now() - 60, now() + 30 * 86400).json();
        return event(uniqueId("evt_"), type, created, sub);
    }

    JsonNode events(StripeApp app, String query) {
        return admin().get("/v2/projects/" + app.projectId() + "/apps/" + app.appId() + "/stripe_events" + query).json();
    }

    @Test
    void unknownAppIs404WithAHint() {
        String payload = subscriptionEvent("customer.subscription.updated", uniqueId("sub_"), "cus_1", "active", now());

        HttpResponse response = stripe().postStripe("/v1/incoming-webhooks/stripe/appNope", payload, sign(payload, SECRET));

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.json().get("code").asText()).isEqualTo("resource_missing");
        assertThat(response.json().get("message").asText()).contains("Stripe Webhook Endpoint");
    }

    @Test
    void appWithoutSecretIs400WebhookSecretNotConfigured() {
        StripeApp app = app(Map.of());
        String payload = subscriptionEvent("customer.subscription.updated", uniqueId("sub_"), "cus_1", "active", now());

        HttpResponse response = stripe().postStripe(app.webhookPath(), payload, sign(payload, SECRET));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("code").asText()).isEqualTo("webhook_secret_not_configured");
        assertThat(response.json().get("message").asText()).contains("Signing secret");
    }

    @Test
    void wrongSecretIs400InvalidSignatureAndIsCountedOnTheApp() {
        StripeApp app = app(Map.of("webhook_secret", SECRET));
        String payload = subscriptionEvent("customer.subscription.updated", uniqueId("sub_"), "cus_1", "active", now());

        HttpResponse response = stripe().postStripe(app.webhookPath(), payload, sign(payload, "whsec_other"));
        HttpResponse missing = stripe().postStripe(app.webhookPath(), payload, null);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("code").asText()).isEqualTo("invalid_signature");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().get("code").asText()).isEqualTo("invalid_signature");
        JsonNode stripe = admin().get("/v2/projects/" + app.projectId() + "/apps/" + app.appId()).json().get("stripe");
        assertThat(stripe.get("signature_failures").get("count").asLong()).isEqualTo(2);
        assertThat(events(app, "").get("items")).isEmpty();
    }

    @Test
    void unsupportedTypeIs400ListingTheAcceptedTypesAndIsLoggedAsFailed() {
        StripeApp app = app(Map.of("webhook_secret", SECRET));
        String payload = subscriptionEvent("customer.created", uniqueId("sub_"), "cus_1", "active", now());

        HttpResponse response = stripe().postStripe(app.webhookPath(), payload, sign(payload, SECRET));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("code").asText()).isEqualTo("unsupported_event_type");
        assertThat(response.json().get("message").asText()).contains("customer.subscription.updated",
                "customer.subscription.deleted", "charge.refunded", "invoice.updated",
                "customer.subscription.created", "checkout.session.completed");
        JsonNode logged = events(app, "?status=failed").get("items");
        assertThat(logged).hasSize(1);
        assertThat(logged.get(0).get("error_code").asText()).isEqualTo("unsupported_event_type");
    }

    @Test
    void malformedEventWithAValidSignatureIs400AndNothingIsWritten() {
        StripeApp app = app(Map.of("webhook_secret", SECRET));
        String notJson = "{\"id\": \"evt_1\", ";
        String noObject = "{\"id\":\"evt_x1\",\"object\":\"event\",\"type\":\"customer.subscription.updated\","
                + "\"created\":1700000000,\"livemode\":false,\"data\":{}}";

        HttpResponse first = stripe().postStripe(app.webhookPath(), notJson, sign(notJson, SECRET));
        HttpResponse second = stripe().postStripe(app.webhookPath(), noObject, sign(noObject, SECRET));

        assertThat(first.status()).isEqualTo(400);
        assertThat(first.json().get("code").asText()).isEqualTo("invalid_event");
        assertThat(second.status()).isEqualTo(400);
        assertThat(second.json().get("code").asText()).isEqualTo("invalid_event");
        assertThat(second.json().get("message").asText()).contains("data.object");
        assertThat(events(app, "").get("items")).isEmpty();
    }

    @Test
    void withoutTrackingAnUnknownPurchaseIs422AndTheEventIsParked() {
        StripeApp app = app(Map.of("webhook_secret", SECRET));
        String payload = subscriptionEvent("customer.subscription.updated", uniqueId("sub_"), "cus_1", "active", now());

        HttpResponse first = stripe().postStripe(app.webhookPath(), payload, sign(payload, SECRET));
        HttpResponse retry = stripe().postStripe(app.webhookPath(), payload, sign(payload, SECRET));

        assertThat(first.status()).isEqualTo(422);
        assertThat(first.json().get("code").asText()).isEqualTo("purchase_not_found");
        assertThat(first.json().get("message").asText()).contains("/v1/receipts", "Track new purchases");
        assertThat(retry.status()).isEqualTo(422);
        JsonNode parked = events(app, "?status=parked").get("items");
        assertThat(parked).hasSize(1);
        assertThat(parked.get(0).get("error_code").asText()).isEqualTo("purchase_not_found");
    }

    @Test
    void trackingWithStripeCustomerIdCreatesTheCustomerAndADuplicateIsAnsweredOk() {
        StripeApp app = trackingApp();
        Fixtures.entitlement(admin(), app, "pro", "prod_Basic", "subscription");
        String customer = uniqueId("cus_");
        String payload = subscriptionEvent("customer.subscription.created", uniqueId("sub_"), customer, "active", now());

        HttpResponse first = stripe().postStripe(app.webhookPath(), payload, sign(payload, SECRET));
        HttpResponse duplicate = stripe().postStripe(app.webhookPath(), payload, sign(payload, SECRET));

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().get("outcome").asText()).isEqualTo("processed");
        assertThat(duplicate.status()).isEqualTo(200);
        assertThat(duplicate.json().get("outcome").asText()).isEqualTo("duplicate");
        JsonNode customerView = Fixtures.profile(admin(), app.projectId(), customer);
        assertThat(admin().get(Fixtures.customerPath(app.projectId(), customer)).json().get("id").asText())
                .isEqualTo(customer);
        assertThat(customerView.get("purchases").get(0).get("grants_access").asBoolean()).isTrue();
        assertThat(Fixtures.activeEntitlementKeys(admin(), app.projectId(), customer)).containsExactly("pro");
        assertThat(customerView.get("history").findValuesAsText("type")).contains("INITIAL_PURCHASE");
        assertThat(events(app, "").get("items").get(0).get("duplicate_deliveries").asLong()).isEqualTo(1);
    }

    /**
     * The log row is written last, so two deliveries of one event may both get past the duplicate check; the second
     * to commit fails on the primary key and is run again, and then it is a duplicate. Either way: every delivery is
     * answered 200 and the event is applied once.
     */
    @Test
    void concurrentDeliveriesOfOneEventApplyItOnce() throws Exception {
        StripeApp app = trackingApp();
        int rounds = 5;
        int deliveries = 8;
        var pool = java.util.concurrent.Executors.newFixedThreadPool(deliveries);
        try {
            for (int round = 0; round < rounds; round++) {
                String customer = uniqueId("cus_");
                String payload = subscriptionEvent("customer.subscription.created", uniqueId("sub_"), customer,
                        "active", now());
                var start = new java.util.concurrent.CountDownLatch(1);
                var answers = new java.util.ArrayList<java.util.concurrent.Future<HttpResponse>>();
                for (int i = 0; i < deliveries; i++) {
                    answers.add(pool.submit(() -> {
                        start.await();
                        return stripe().postStripe(app.webhookPath(), payload, sign(payload, SECRET));
                    }));
                }
                start.countDown();
                var outcomes = new java.util.ArrayList<String>();
                for (var answer : answers) {
                    HttpResponse response = answer.get(30, java.util.concurrent.TimeUnit.SECONDS);
                    assertThat(response.status()).as(response.body()).isEqualTo(200);
                    outcomes.add(response.json().get("outcome").asText());
                }
                assertThat(outcomes).containsOnlyOnce("processed");
                assertThat(outcomes).filteredOn("duplicate"::equals).hasSize(deliveries - 1);
                JsonNode customerView = Fixtures.profile(admin(), app.projectId(), customer);
                assertThat(customerView.get("purchases")).hasSize(1);
                assertThat(customerView.get("history").findValuesAsText("type")).containsOnlyOnce("INITIAL_PURCHASE");
            }
            JsonNode logged = events(app, "").get("items");
            assertThat(logged).hasSize(rounds);
            assertThat(logged.findValuesAsText("duplicate_deliveries")).containsOnly(Integer.toString(deliveries - 1));
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Events of several new subscriptions of one Stripe customer arriving at once share group-commit batches, where
     * PostgreSQL reads each batch's event rows, purchases and customers ahead (storage.ReadAhead): the first unit
     * creates the customer the others read ahead as absent, and a subscription's second event follows its first in
     * the same batch. Everything must end as one customer with every purchase, each event applied once.
     */
    @Test
    void concurrentNewSubscriptionsOfOneCustomerEndAsOneCustomerWithEveryPurchase() throws Exception {
        StripeApp app = trackingApp();
        String customer = uniqueId("cus_");
        int subscriptions = 6;
        var payloads = new java.util.ArrayList<String>();
        for (int i = 0; i < subscriptions; i++) {
            String sub = uniqueId("sub_");
            payloads.add(subscriptionEvent("customer.subscription.created", sub, customer, "active", now() - 10));
            payloads.add(subscriptionEvent("customer.subscription.updated", sub, customer, "active", now()));
        }
        var pool = java.util.concurrent.Executors.newFixedThreadPool(payloads.size());
        try {
            var start = new java.util.concurrent.CountDownLatch(1);
            var answers = new java.util.ArrayList<java.util.concurrent.Future<HttpResponse>>();
            for (String payload : payloads) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return stripe().postStripe(app.webhookPath(), payload, sign(payload, SECRET));
                }));
            }
            start.countDown();
            for (var answer : answers) {
                HttpResponse response = answer.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(response.status()).as(response.body()).isEqualTo(200);
                assertThat(response.json().get("outcome").asText()).isIn("processed", "stale");
            }
        } finally {
            pool.shutdownNow();
        }
        JsonNode customerView = Fixtures.profile(admin(), app.projectId(), customer);
        assertThat(customerView.get("purchases")).hasSize(subscriptions);
        assertThat(customerView.get("history").findValuesAsText("type")).filteredOn("INITIAL_PURCHASE"::equals)
                .hasSize(subscriptions);
        JsonNode logged = events(app, "").get("items");
        assertThat(logged).hasSize(payloads.size());
        assertThat(logged.findValuesAsText("duplicate_deliveries")).containsOnly("0");
    }

    @Test
    void anonymousDetectionGivesAnAnonymousAppUserId() {
        StripeApp app = app(Map.of("webhook_secret", SECRET, "track_new_purchases", true,
                "app_user_id_detection", "anonymous"));
        String sub = uniqueId("sub_");
        String payload = subscriptionEvent("customer.subscription.created", sub, uniqueId("cus_"), "active", now());

        HttpResponse response = stripe().postStripe(app.webhookPath(), payload, sign(payload, SECRET));

        assertThat(response.status()).isEqualTo(200);
        JsonNode logged = events(app, "").get("items").get(0);
        assertThat(logged.get("purchase_token").asText()).isEqualTo(sub);
        String purchaseId = logged.get("purchase_id").asText();
        assertThat(purchaseId).startsWith("pur");
    }

    @Test
    void metadataDetectionParksASubscriptionWithoutTheKeyUntilItsCheckoutArrives() {
        StripeApp app = app(Map.of("webhook_secret", SECRET, "track_new_purchases", true,
                "app_user_id_detection", "metadata", "metadata_key", "app_user_id"));
        String sub = uniqueId("sub_");
        String subscriptionCreated = subscriptionEvent("customer.subscription.created", sub, uniqueId("cus_"), "active", now() - 5);
        String checkout = event(uniqueId("evt_"), "checkout.session.completed", now(),
                StripeObjects.checkoutSession(uniqueId("cs_")).customer("cus_any").subscription(sub)
                        .metadata("app_user_id", "user-42").json());

        HttpResponse parked = stripe().postStripe(app.webhookPath(), subscriptionCreated, sign(subscriptionCreated, SECRET));
        HttpResponse completed = stripe().postStripe(app.webhookPath(), checkout, sign(checkout, SECRET));

        assertThat(parked.status()).isEqualTo(422);
        assertThat(parked.json().get("code").asText()).isEqualTo("app_user_id_not_detected");
        assertThat(parked.json().get("message").asText()).contains("app_user_id", "subscription_data.metadata");
        assertThat(completed.status()).isEqualTo(200);
        JsonNode customer = Fixtures.profile(admin(), app.projectId(), "user-42");
        assertThat(customer.get("purchases").get(0).get("store_token").asText()).isEqualTo(sub);
        assertThat(customer.get("purchases").get(0).get("status").asText()).isEqualTo("active");
        assertThat(events(app, "?status=parked").get("items")).isEmpty();
        HttpResponse retry = stripe().postStripe(app.webhookPath(), subscriptionCreated, sign(subscriptionCreated, SECRET));
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.json().get("outcome").asText()).isEqualTo("duplicate");
    }

    @Test
    void replayAppliesAParkedEventOnceTrackingIsOn() {
        StripeApp app = app(Map.of("webhook_secret", SECRET));
        String customer = uniqueId("cus_");
        String payload = subscriptionEvent("customer.subscription.created", uniqueId("sub_"), customer, "active", now());
        String eventId = io.substate.common.Json.read(payload).get("id").asText();
        stripe().postStripe(app.webhookPath(), payload, sign(payload, SECRET));
        admin().patch("/v2/projects/" + app.projectId() + "/apps/" + app.appId(),
                Map.of("stripe", Map.of("track_new_purchases", true, "app_user_id_detection", "stripe_customer_id")));

        HttpResponse replayed = admin().post("/v2/projects/" + app.projectId() + "/apps/" + app.appId()
                + "/stripe_events/" + eventId + "/actions/replay", Map.of());

        assertThat(replayed.status()).isEqualTo(200);
        assertThat(replayed.json().get("status").asText()).isEqualTo("processed");
        assertThat(admin().get("/v2/projects/" + app.projectId() + "/customers/" + customer).status()).isEqualTo(200);
    }

    @Test
    void settingsChangedThroughTheApiApplyToTheVeryNextDelivery() {
        // The endpoint reuses the app it read for a moment; a change made through this server must not wait for that.
        StripeApp app = app(Map.of("webhook_secret", SECRET));
        String first = subscriptionEvent("customer.subscription.created", uniqueId("sub_"), uniqueId("cus_"), "active", now());
        assertThat(stripe().postStripe(app.webhookPath(), first, sign(first, SECRET)).status()).isEqualTo(422);
        String appPath = "/v2/projects/" + app.projectId() + "/apps/" + app.appId();

        admin().patch(appPath, Map.of("stripe", Map.of("track_new_purchases", true,
                "app_user_id_detection", "stripe_customer_id", "webhook_secret", "whsec_rolled")));
        String second = subscriptionEvent("customer.subscription.created", uniqueId("sub_"), uniqueId("cus_"), "active", now());
        HttpResponse withNewSecret = stripe().postStripe(app.webhookPath(), second, sign(second, "whsec_rolled"));
        String third = subscriptionEvent("customer.subscription.created", uniqueId("sub_"), uniqueId("cus_"), "active", now());
        HttpResponse withRolledSecret = stripe().postStripe(app.webhookPath(), third, sign(third, SECRET));

        assertThat(withNewSecret.status()).isEqualTo(200);
        assertThat(withNewSecret.json().get("outcome").asText()).isEqualTo("processed");
        assertThat(withRolledSecret.status()).isEqualTo(200);

        java.util.Map<String, Object> clear = new java.util.HashMap<>();
        clear.put("webhook_secret", null);
        admin().patch(appPath, Map.of("stripe", clear));
        String fourth = subscriptionEvent("customer.subscription.created", uniqueId("sub_"), uniqueId("cus_"), "active", now());
        HttpResponse afterClearing = stripe().postStripe(app.webhookPath(), fourth, sign(fourth, "whsec_rolled"));
        assertThat(afterClearing.status()).isEqualTo(400);
        assertThat(afterClearing.json().get("code").asText()).isEqualTo("webhook_secret_not_configured");
    }

    @Test
    void eventLogListsByStatusAndPages() {
        StripeApp app = app(Map.of("webhook_secret", SECRET));
        for (int i = 0; i < 3; i++) {
            String payload = subscriptionEvent("customer.subscription.updated", uniqueId("sub_"), "cus_1", "active", now());
            stripe().postStripe(app.webhookPath(), payload, sign(payload, SECRET));
        }

        JsonNode first = events(app, "?limit=2");
        JsonNode bad = admin().get("/v2/projects/" + app.projectId() + "/apps/" + app.appId()
                + "/stripe_events?status=weird").json();

        assertThat(first.get("items")).hasSize(2);
        assertThat(first.get("next_page").asText()).contains("starting_after=");
        JsonNode second = admin().get(first.get("next_page").asText()).json();
        assertThat(second.get("items")).hasSize(1);
        assertThat(events(app, "?status=processed").get("items")).isEmpty();
        assertThat(bad.get("code").asText()).isEqualTo("invalid_parameter");
    }

    @Test
    void bulkReplayAppliesEveryParkedEventOnceTrackingIsOn() {
        StripeApp app = app(Map.of("webhook_secret", SECRET));
        for (int i = 0; i < 3; i++) {
            String payload = subscriptionEvent("customer.subscription.created", uniqueId("sub_"), uniqueId("cus_"),
                    "active", now());
            stripe().postStripe(app.webhookPath(), payload, sign(payload, SECRET));
        }
        admin().patch("/v2/projects/" + app.projectId() + "/apps/" + app.appId(),
                Map.of("stripe", Map.of("track_new_purchases", true, "app_user_id_detection", "stripe_customer_id")));

        HttpResponse summary = admin().post("/v2/projects/" + app.projectId() + "/apps/" + app.appId()
                + "/stripe_events/actions/replay?status=parked", Map.of());

        assertThat(summary.status()).isEqualTo(200);
        assertThat(summary.json().get("replayed").asInt()).isEqualTo(3);
        assertThat(summary.json().get("outcomes").get("processed").asInt()).isEqualTo(3);
        assertThat(events(app, "?status=parked").get("items")).isEmpty();
        assertThat(events(app, "?status=processed").get("items")).hasSize(3);
    }

    @Test
    void preBasilRefundOfTheLatestInvoiceRevokesAccessWithoutTheStripeApi() {
        StripeApp app = trackingApp();
        String customer = uniqueId("cus_");
        String sub = uniqueId("sub_");
        String invoice = uniqueId("in_");
        String created = event(uniqueId("evt_"), "customer.subscription.created", now() - 30,
                StripeObjects.subscription(sub).customer(customer).status("active").latestInvoice(invoice)
                        .price("price_Basic", "prod_Basic").period(now() - 60, now() + 30 * 86400).prebasil().json(),
                StripeObjects.PREBASIL_API_VERSION);
        String refunded = event(uniqueId("evt_"), "charge.refunded", now(),
                StripeObjects.charge(uniqueId("ch_")).customer(customer).invoice(invoice).amount(999, "usd")
                        .refunded(999).prebasil().json(), StripeObjects.PREBASIL_API_VERSION);

        assertThat(stripe().postStripe(app.webhookPath(), created, sign(created, SECRET)).status()).isEqualTo(200);
        HttpResponse response = stripe().postStripe(app.webhookPath(), refunded, sign(refunded, SECRET));

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode purchase = Fixtures.profile(admin(), app.projectId(), customer).get("purchases").get(0);
        assertThat(purchase.get("refunded_at").isNull()).isFalse();
        assertThat(purchase.get("grants_access").asBoolean()).isFalse();
    }

    @Test
    void failedRenewalPaymentIsABillingIssueThatKeepsAccess() {
        StripeApp app = trackingApp();
        String customer = uniqueId("cus_");
        String sub = uniqueId("sub_");
        String created = subscriptionEvent("customer.subscription.created", sub, customer, "active", now() - 30);
        ObjectNode invoice = StripeObjects.invoice(uniqueId("in_")).customer(customer).subscription(sub).status("open")
                .billingReason("subscription_cycle").amount(999, "usd").json();
        invoice.put("attempt_count", 1);
        invoice.put("attempted", true);
        String failedInvoice = event(uniqueId("evt_"), "invoice.updated", now(), invoice);

        stripe().postStripe(app.webhookPath(), created, sign(created, SECRET));
        HttpResponse response = stripe().postStripe(app.webhookPath(), failedInvoice, sign(failedInvoice, SECRET));

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode view = Fixtures.profile(admin(), app.projectId(), customer);
        JsonNode purchase = view.get("purchases").get(0);
        assertThat(purchase.get("grants_access").asBoolean()).isTrue();
        assertThat(purchase.get("billing_issues_detected_at").isNull()).isFalse();
        assertThat(view.get("history").findValuesAsText("type")).contains("BILLING_ISSUE");
    }

    @Test
    void unknownFieldsInAnEventAreAcceptedBecauseStripeAddsFieldsInNewApiVersions() {
        StripeApp app = trackingApp();
        ObjectNode sub = StripeObjects.subscription(uniqueId("sub_")).customer(uniqueId("cus_")).status("active")
                .price("price_Basic", "prod_Basic").period(now() - 60, now() + 30 * 86400).json();
        sub.put("a_field_from_the_future", "x");
        String payload = event(uniqueId("evt_"), "customer.subscription.created", now(), sub)
                .replaceFirst("\\{", "{\"another_new_envelope_field\":{\"nested\":true},");

        HttpResponse response = stripe().postStripe(app.webhookPath(), payload, sign(payload, SECRET));

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
    }

    @Test
    void wrongTypesAndHugeBodiesAreRefusedWithoutWritingAnything() {
        StripeApp app = trackingApp();
        String wrongType = subscriptionEvent("customer.subscription.created", uniqueId("sub_"), "cus_1", "active", now())
                .replaceFirst("\"created\":\\d+", "\"created\":\"yesterday\"");
        String huge = "{\"id\":\"evt_huge\",\"padding\":\"" + "x".repeat(1024 * 1024) + "\"}";

        HttpResponse typed = stripe().postStripe(app.webhookPath(), wrongType, sign(wrongType, SECRET));
        HttpResponse tooLarge = stripe().postStripe(app.webhookPath(), huge, sign(huge, SECRET));

        assertThat(typed.status()).isEqualTo(400);
        assertThat(typed.json().get("code").asText()).isEqualTo("invalid_event");
        assertThat(typed.json().get("message").asText()).contains("created");
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.json().get("code").asText()).isEqualTo("payload_too_large");
        assertThat(events(app, "").get("items")).isEmpty();
    }

    @Test
    void aChunkedDeliveryWithoutContentLengthIsReadWhole() throws Exception {
        StripeApp app = trackingApp();
        String payload = newSubscriptionCreated();
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                        URI.create(TestServer.shared(db).baseUrl() + app.webhookPath()))
                .header("Stripe-Signature", sign(payload, SECRET))
                .header("Content-Type", "application/json")
                // An InputStream body has no known length: the client sends it chunked.
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)))
                .build();

        java.net.http.HttpResponse<String> response = HttpClient.newHttpClient()
                .send(request, java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(Json.read(response.body()).get("outcome").asText()).isEqualTo("processed");
    }

    @Test
    void aBodyShorterThanItsContentLengthIs400AndNothingIsWritten() throws Exception {
        StripeApp app = trackingApp();
        String payload = newSubscriptionCreated();
        URI base = URI.create(TestServer.shared(db).baseUrl());
        String answer;
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            String head = "POST " + app.webhookPath() + " HTTP/1.1\r\nHost: " + base.getHost() + "\r\n"
                    + "Stripe-Signature: " + sign(payload, SECRET) + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + (payload.length() + 100) + "\r\nConnection: close\r\n\r\n";
            out.write((head + payload).getBytes(StandardCharsets.UTF_8));
            out.flush();
            socket.shutdownOutput();
            answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }

        assertThat(answer).startsWith("HTTP/1.1 400");
        assertThat(answer).contains("Content-Length says " + (payload.length() + 100) + " bytes");
        assertThat(events(app, "").get("items")).isEmpty();
    }
}
