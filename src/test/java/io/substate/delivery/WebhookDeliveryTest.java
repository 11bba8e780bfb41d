package io.substate.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
import io.substate.testing.FakeStripe;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.Fixtures;
import io.substate.testing.HttpResponse;
import io.substate.testing.StandardWebhooksVerifier;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import io.substate.testing.WebhookReceiver.Received;
import io.substate.testing.WebhookReceiver.Reply;
import io.substate.testing.WebhookReceiver;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
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
 * Outgoing webhooks end to end over HTTP, on SQLite and PostgreSQL: real signed Stripe events make real outgoing
 * events, which a worker POSTs to a local receiver. Retries are 1 s apart and the timeout is 1 s here
 * ({@code SUBSTATE_DELIVERY_RETRY_SCHEDULE}, {@code SUBSTATE_DELIVERY_TIMEOUT}) so that failures play out quickly.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class WebhookDeliveryTest {
    static final String SECRET = "whsec_delivery_test_secret";
    private static final Map<TestDb, TestServer> SERVERS = new EnumMap<>(TestDb.class);
    private static final FakeStripe STRIPE = FakeStripe.start();
    private static final WebhookReceiver HEALTHY = WebhookReceiver.healthy();

    @Parameter
    TestDb db;

    @AfterAll
    static void stopReceivers() {
        HEALTHY.close();
    }

    TestServer server() {
        synchronized (SERVERS) {
            return SERVERS.computeIfAbsent(db, d -> TestServer.start(d, Map.of(
                    "SUBSTATE_DELIVERY_RETRY_SCHEDULE", "1s,1s",
                    "SUBSTATE_DELIVERY_TIMEOUT", "1s",
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

    JsonNode integration(StripeApp app, Map<String, Object> fields) {
        HttpResponse created = admin().post(integrationsPath(app), fields);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json();
    }

    static String integrationsPath(StripeApp app) {
        return "/v2/projects/" + app.projectId() + "/integrations/webhooks";
    }

    void stripe(StripeApp app, String payload) {
        HttpResponse response = server().anonymous().postStripe(app.webhookPath(), payload, sign(payload, SECRET));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
    }

    /** A subscription snapshot event; {@code created} orders the snapshots. */
    static String subscription(String type, StripeObjects.SubscriptionBuilder sub, long created) {
        return event(uniqueId("evt_"), type, created, sub.json());
    }

    JsonNode deliveries(StripeApp app, JsonNode integration, String query) {
        return admin().get(integrationsPath(app) + "/" + integration.get("id").asText() + "/deliveries" + query).json();
    }

    JsonNode awaitDelivery(StripeApp app, JsonNode integration, String status, int attempts) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            JsonNode first = deliveries(app, integration, "").get("items").get(0);
            return first != null && first.get("status").asText().equals(status)
                    && first.get("attempts").size() == attempts;
        });
        return deliveries(app, integration, "").get("items").get(0);
    }

    @Test
    void everyEventTypeTheStateMachineEmitsArrivesWithRevenueCatFields() {
        StripeApp app = app();
        // Two entitlements, created out of key order: events name them in key order.
        Fixtures.entitlements(admin(), app, List.of("lifetime", "all_access"), "prod_Lifetime", "one_time");
        integration(app, Map.of("name", "All events", "url", HEALTHY.url()));
        String customer = uniqueId("cus_");
        String sub = uniqueId("sub_");
        long t = now() - 100;
        long periodEnd = t + 30 * 86400;
        StripeObjects.SubscriptionBuilder basic = StripeObjects.subscription(sub).customer(customer)
                .price("price_Basic", "prod_Basic").amount(999, "usd").period(t - 10, periodEnd);

        stripe(app, subscription("customer.subscription.created", basic.status("active"), t));
        stripe(app, subscription("customer.subscription.updated", basic.period(periodEnd, periodEnd + 30 * 86400), t + 1));
        stripe(app, invoice(StripeObjects.invoice(uniqueId("in_")).customer(customer).subscription(sub)
                .price("price_Basic", "prod_Basic", "month").amount(999, "usd")
                .linePeriod(periodEnd, periodEnd + 30 * 86400), t + 1));
        stripe(app, subscription("customer.subscription.updated", basic.cancelAtPeriodEnd(true), t + 2));
        stripe(app, subscription("customer.subscription.updated", basic.cancelAtPeriodEnd(false), t + 3));
        stripe(app, subscription("customer.subscription.updated", basic.price("price_Pro", "prod_Pro"), t + 4));
        stripe(app, subscription("customer.subscription.updated", basic.status("past_due"), t + 5));
        stripe(app, subscription("customer.subscription.deleted", basic.status("canceled").canceled(t + 6,
                "cancellation_requested"), t + 6));
        String session = uniqueId("cs_");
        STRIPE.putLineItems(session, StripeObjects.checkoutLineItems(session, "price_Life", "prod_Lifetime", 4999, null));
        stripe(app, event(uniqueId("evt_"), "checkout.session.completed", t + 7, StripeObjects.checkoutSession(session)
                .customer(customer).paymentIntent(uniqueId("pi_")).amount(4999, "usd").json()));

        JsonNode initial = HEALTHY.await("INITIAL_PURCHASE", customer).event();
        JsonNode renewal = HEALTHY.await("RENEWAL", customer).event();
        JsonNode cancellation = HEALTHY.await("CANCELLATION", customer).event();
        JsonNode uncancellation = HEALTHY.await("UNCANCELLATION", customer).event();
        JsonNode productChange = HEALTHY.await("PRODUCT_CHANGE", customer).event();
        JsonNode billingIssue = HEALTHY.await("BILLING_ISSUE", customer).event();
        JsonNode expiration = HEALTHY.await("EXPIRATION", customer).event();
        JsonNode oneTime = HEALTHY.await("NON_RENEWING_PURCHASE", customer).event();

        for (JsonNode e : List.of(initial, renewal, cancellation, uncancellation, productChange, billingIssue,
                expiration, oneTime)) {
            assertThat(e.get("id").asText()).as("UUID-shaped id").matches("[0-9A-F-]{36}");
            assertThat(e.get("event_timestamp_ms").asLong()).isBetween((t - 5) * 1000, System.currentTimeMillis());
            assertThat(e.get("app_id").asText()).isEqualTo(app.appId());
            assertThat(e.get("app_user_id").asText()).isEqualTo(customer);
            assertThat(e.get("original_app_user_id").asText()).isEqualTo(customer);
            assertThat(e.get("aliases").toString()).isEqualTo("[\"" + customer + "\"]");
            assertThat(e.get("store").asText()).isEqualTo("STRIPE");
            assertThat(e.get("environment").asText()).isEqualTo("SANDBOX");
            assertThat(e.get("subscriber_attributes").isObject()).isTrue();
            assertThat(e.has("period_type") && e.has("purchased_at_ms") && e.has("expiration_at_ms")
                    && e.has("transaction_id") && e.has("original_transaction_id") && e.has("price")
                    && e.has("currency") && e.has("price_in_purchased_currency") && e.has("entitlement_ids"))
                    .as("lifecycle fields present on " + e).isTrue();
        }
        List<Long> sequences = List.of(initial, renewal, cancellation, uncancellation, productChange, billingIssue,
                expiration, oneTime).stream().map(e -> e.get("sequence").asLong()).toList();
        assertThat(sequences).as("per-customer order of the changes").containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);

        assertThat(initial.get("product_id").asText()).isEqualTo("prod_Basic");
        assertThat(initial.get("entitlement_ids").toString()).isEqualTo("[\"pro\"]");
        assertThat(initial.get("period_type").asText()).isEqualTo("NORMAL");
        assertThat(initial.get("price_in_purchased_currency").asDouble()).isEqualTo(9.99);
        assertThat(initial.get("price").asDouble()).isEqualTo(9.99);
        assertThat(initial.get("currency").asText()).isEqualTo("USD");
        assertThat(initial.get("expiration_at_ms").asLong()).isEqualTo(periodEnd * 1000);
        assertThat(renewal.get("renewal_number").asInt()).isEqualTo(2);
        assertThat(renewal.get("is_trial_conversion").asBoolean()).isFalse();
        assertThat(renewal.get("expiration_at_ms").asLong()).isEqualTo((periodEnd + 30 * 86400) * 1000);
        assertThat(renewal.get("original_transaction_id").asText()).isEqualTo(initial.get("original_transaction_id").asText());
        assertThat(cancellation.get("cancel_reason").asText()).isEqualTo("UNSUBSCRIBE");
        assertThat(uncancellation.has("cancel_reason")).isFalse();
        assertThat(productChange.get("product_id").asText()).isEqualTo("prod_Basic");
        assertThat(productChange.get("new_product_id").asText()).isEqualTo("prod_Pro");
        assertThat(billingIssue.get("type").asText()).isEqualTo("BILLING_ISSUE");
        assertThat(expiration.get("expiration_reason").asText()).isNotBlank();
        assertThat(oneTime.get("product_id").asText()).isEqualTo("prod_Lifetime");
        assertThat(oneTime.get("entitlement_ids").toString()).isEqualTo("[\"all_access\",\"lifetime\"]");
        assertThat(oneTime.get("entitlement_id").asText()).isEqualTo("all_access");
        assertThat(oneTime.get("expiration_at_ms").isNull()).isTrue();
        assertThat(oneTime.get("price_in_purchased_currency").asDouble()).isEqualTo(49.99);
        for (JsonNode e : List.of(renewal, cancellation, uncancellation, productChange, billingIssue, expiration)) {
            assertThat(e.get("price").asDouble()).as("price of " + e.get("type")).isEqualTo(9.99);
            assertThat(e.get("price_in_purchased_currency").asDouble()).as("price of " + e.get("type")).isEqualTo(9.99);
        }
    }

    /** An {@code invoice.updated} event carrying {@code invoice} as of {@code created}. */
    static String invoice(StripeObjects.InvoiceBuilder invoice, long created) {
        return event(uniqueId("evt_"), "invoice.updated", created, invoice.created(created).json());
    }

    @Test
    void aRenewalIsSentOnlyOnceItsInvoiceIsPaid() {
        StripeApp app = app();
        integration(app, Map.of("name", "Renewals", "url", HEALTHY.url()));
        String customer = uniqueId("cus_");
        String sub = uniqueId("sub_");
        long t = now() - 100;
        long periodEnd = t + 30 * 86400;
        String renewalInvoice = uniqueId("in_");
        StripeObjects.SubscriptionBuilder basic = StripeObjects.subscription(sub).customer(customer)
                .price("price_Basic", "prod_Basic").amount(999, "usd").period(t - 10, periodEnd);
        StripeObjects.InvoiceBuilder renewing = StripeObjects.invoice(renewalInvoice).customer(customer)
                .subscription(sub).price("price_Basic", "prod_Basic", "month").amount(1299, "eur")
                .linePeriod(periodEnd, periodEnd + 30 * 86400);

        stripe(app, subscription("customer.subscription.created", basic.status("active"), t));
        // The period moves forward while its invoice is open and the payment fails: past_due.
        stripe(app, subscription("customer.subscription.updated", basic.status("past_due")
                .period(periodEnd, periodEnd + 30 * 86400).latestInvoice(renewalInvoice), t + 1));
        stripe(app, invoice(renewing.status("open"), t + 1));
        JsonNode billingIssue = HEALTHY.await("BILLING_ISSUE", customer).event();
        assertThat(HEALTHY.received(e -> customer.equals(e.path("app_user_id").asText())
                && e.path("type").asText().equals("RENEWAL"))).as("no renewal while the invoice is open").isEmpty();

        stripe(app, invoice(renewing.status("paid"), t + 2));
        stripe(app, subscription("customer.subscription.updated", basic.status("active"), t + 2));

        JsonNode renewal = HEALTHY.await("RENEWAL", customer).event();
        assertThat(renewal.get("sequence").asLong()).isGreaterThan(billingIssue.get("sequence").asLong());
        assertThat(renewal.get("transaction_id").asText()).isEqualTo(renewalInvoice);
        assertThat(renewal.get("renewal_number").asInt()).isEqualTo(2);
        assertThat(renewal.get("price_in_purchased_currency").asDouble()).isEqualTo(12.99);
        assertThat(renewal.get("currency").asText()).isEqualTo("EUR");
        assertThat(renewal.get("purchased_at_ms").asLong()).isEqualTo(periodEnd * 1000);
        assertThat(renewal.get("expiration_at_ms").asLong()).isEqualTo((periodEnd + 30 * 86400) * 1000);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> HEALTHY.received(e ->
                customer.equals(e.path("app_user_id").asText()) && e.path("type").asText().equals("RENEWAL")).size() == 1);
    }

    @Test
    void headersCarryTheAuthorizationVerbatimAndAStandardWebhooksSignatureAlsoAcrossARotation() {
        StripeApp app = app();
        WebhookReceiver receiver = WebhookReceiver.healthy();
        try (receiver) {
            JsonNode integration = integration(app, Map.of("name", "Signed", "url", receiver.url(),
                    "authorization_header", "Bearer s3cr3t value"));
            String secret = integration.get("signing_secret").asText();
            String customer = uniqueId("cus_");
            stripe(app, subscription("customer.subscription.created", StripeObjects.subscription(uniqueId("sub_"))
                    .customer(customer).price("price_Basic", "prod_Basic").period(now() - 10, now() + 86400), now()));

            Received request = receiver.await("INITIAL_PURCHASE", customer);

            assertThat(request.header("Authorization")).isEqualTo("Bearer s3cr3t value");
            assertThat(request.header("Content-Type")).isEqualTo("application/json");
            assertThat(request.json().get("api_version").asText()).isEqualTo("1.0");
            assertThat(request.header("webhook-id")).isEqualTo(request.event().get("id").asText());
            assertThat(Long.parseLong(request.header("webhook-timestamp"))).isCloseTo(now(),
                    org.assertj.core.data.Offset.offset(5L));
            assertThat(request.header("webhook-signature")).startsWith("v1,").doesNotContain(" ");
            assertThat(StandardWebhooksVerifier.verifies(secret, request)).isTrue();
            assertThat(StandardWebhooksVerifier.verifies(io.substate.storage.Ids.signingSecret(), request)).isFalse();

            HttpResponse rotated = admin().post(integrationsPath(app) + "/" + integration.get("id").asText()
                    + "/actions/rotate_secret", Map.of());
            assertThat(rotated.status()).isEqualTo(200);
            String newSecret = rotated.json().get("signing_secret").asText();
            assertThat(newSecret).startsWith("whsec_").isNotEqualTo(secret);
            assertThat(rotated.json().get("previous_secret_expires_at").asLong())
                    .isGreaterThan(System.currentTimeMillis() + Duration.ofHours(23).toMillis());
            String second = uniqueId("cus_");
            stripe(app, subscription("customer.subscription.created", StripeObjects.subscription(uniqueId("sub_"))
                    .customer(second).price("price_Basic", "prod_Basic").period(now() - 10, now() + 86400), now()));

            Received afterRotation = receiver.await("INITIAL_PURCHASE", second);

            assertThat(afterRotation.header("webhook-signature").split(" ")).hasSize(2);
            assertThat(StandardWebhooksVerifier.verifies(newSecret, afterRotation)).isTrue();
            assertThat(StandardWebhooksVerifier.verifies(secret, afterRotation)).as("old secret during 24 h").isTrue();
        }
    }

    @Test
    void aFailingReceiverIsRetriedWithTheSameEventUntilItSucceedsAndEveryAttemptIsLogged() {
        StripeApp app = app();
        WebhookReceiver receiver = WebhookReceiver.start((n, request) -> n == 1 ? Reply.status(500, "boom") : Reply.ok());
        try (receiver) {
            JsonNode integration = integration(app, Map.of("name", "Flaky", "url", receiver.url()));
            String customer = uniqueId("cus_");
            stripe(app, subscription("customer.subscription.created", StripeObjects.subscription(uniqueId("sub_"))
                    .customer(customer).price("price_Basic", "prod_Basic").period(now() - 10, now() + 86400), now()));

            JsonNode delivery = awaitDelivery(app, integration, "succeeded", 2);

            List<Received> requests = receiver.received();
            assertThat(requests).hasSize(2);
            assertThat(requests.get(1).header("webhook-id")).isEqualTo(requests.get(0).header("webhook-id"));
            assertThat(requests.get(1).event().get("id")).isEqualTo(requests.get(0).event().get("id"));
            assertThat(requests.get(1).event().get("event_timestamp_ms"))
                    .isEqualTo(requests.get(0).event().get("event_timestamp_ms"));
            assertThat(delivery.get("event_id").asText()).isEqualTo(requests.get(0).header("webhook-id"));
            assertThat(delivery.get("event_type").asText()).isEqualTo("INITIAL_PURCHASE");
            JsonNode first = delivery.get("attempts").get(0);
            assertThat(first.get("status_code").asInt()).isEqualTo(500);
            assertThat(first.get("response_excerpt").asText()).isEqualTo("boom");
            assertThat(first.get("next_retry_at").asLong() - first.get("attempted_at").asLong())
                    .as("1 s after the failed attempt ended").isBetween(1000L, 1000L + first.get("latency_ms").asLong() + 500);
            JsonNode second = delivery.get("attempts").get(1);
            assertThat(second.get("status_code").asInt()).isEqualTo(200);
            assertThat(second.get("next_retry_at").isNull()).isTrue();
            assertThat(second.get("attempted_at").asLong() - first.get("attempted_at").asLong()).isGreaterThanOrEqualTo(900L);
            assertThat(delivery.get("next_attempt_at").isNull()).isTrue();
        }
    }

    @Test
    void afterTheLastRetryTheDeliveryFailsAndARedeliverySendsItAgain() {
        StripeApp app = app();
        WebhookReceiver receiver = WebhookReceiver.start((n, request) -> Reply.status(503, "x".repeat(5000)));
        try (receiver) {
            JsonNode integration = integration(app, Map.of("name", "Down", "url", receiver.url()));
            String customer = uniqueId("cus_");
            stripe(app, subscription("customer.subscription.created", StripeObjects.subscription(uniqueId("sub_"))
                    .customer(customer).price("price_Basic", "prod_Basic").period(now() - 10, now() + 86400), now()));

            JsonNode failed = awaitDelivery(app, integration, "failed", 3);

            assertThat(failed.get("attempts").findValuesAsText("status_code")).containsExactly("503", "503", "503");
            assertThat(failed.get("attempts").get(0).get("response_excerpt").asText()).hasSize(1024);
            assertThat(failed.get("attempts").get(2).get("next_retry_at").isNull()).isTrue();
            assertThat(deliveries(app, integration, "?status=failed").get("items")).hasSize(1);
            assertThat(deliveries(app, integration, "?status=succeeded").get("items")).isEmpty();

            receiver.respondWith((n, request) -> Reply.ok());
            HttpResponse redelivered = admin().post(integrationsPath(app) + "/" + integration.get("id").asText()
                    + "/deliveries/" + failed.get("id").asText() + "/actions/redeliver", Map.of());
            assertThat(redelivered.status()).as(redelivered.toString()).isEqualTo(200);
            assertThat(redelivered.json().get("status").asText()).isEqualTo("pending");

            JsonNode succeeded = awaitDelivery(app, integration, "succeeded", 4);
            assertThat(succeeded.get("attempts").get(3).get("status_code").asInt()).isEqualTo(200);
            assertThat(receiver.received()).hasSize(4).allMatch(r -> r.header("webhook-id")
                    .equals(failed.get("event_id").asText()));
        }
    }

    @Test
    void aReceiverThatHangsPastTheTimeoutIsCutOffAndRetried() {
        StripeApp app = app();
        WebhookReceiver receiver = WebhookReceiver.start((n, request) -> n == 1 ? Reply.hang(10_000) : Reply.ok());
        try (receiver) {
            JsonNode integration = integration(app, Map.of("name", "Slow", "url", receiver.url()));
            String customer = uniqueId("cus_");
            stripe(app, subscription("customer.subscription.created", StripeObjects.subscription(uniqueId("sub_"))
                    .customer(customer).price("price_Basic", "prod_Basic").period(now() - 10, now() + 86400), now()));

            JsonNode delivery = awaitDelivery(app, integration, "succeeded", 2);

            JsonNode timedOut = delivery.get("attempts").get(0);
            assertThat(timedOut.get("status_code").isNull()).isTrue();
            assertThat(timedOut.get("error").asText()).contains("timeout");
            assertThat(timedOut.get("latency_ms").asLong()).isBetween(1000L, 8000L);
            assertThat(delivery.get("attempts").get(1).get("status_code").asInt()).isEqualTo(200);
        }
    }

    @Test
    void integrationsReceiveOnlyTheirEnvironmentTypesAndApp() {
        StripeApp app = app();
        HttpResponse other = admin().post("/v2/projects/" + app.projectId() + "/apps", Map.of("name", "Other",
                "type", "stripe", "stripe", Map.of("webhook_secret", SECRET, "track_new_purchases", true,
                        "app_user_id_detection", "stripe_customer_id")));
        String otherApp = other.json().get("id").asText();
        Map<String, Object> sandbox = new HashMap<>(Map.of("name", "Sandbox", "url", HEALTHY.url()));
        sandbox.put("environment", "sandbox");
        JsonNode all = integration(app, Map.of("name", "All", "url", HEALTHY.url()));
        JsonNode sandboxOnly = integration(app, sandbox);
        JsonNode productionOnly = integration(app, Map.of("name", "Prod", "url", HEALTHY.url(), "environment", "production"));
        JsonNode renewalsOnly = integration(app, Map.of("name", "Renewals", "url", HEALTHY.url(),
                "event_types", List.of("renewal", "expiration")));
        JsonNode otherAppOnly = integration(app, Map.of("name", "Other app", "url", HEALTHY.url(), "app_id", otherApp));
        String sandboxCustomer = uniqueId("cus_");
        String liveCustomer = uniqueId("cus_");
        String otherCustomer = uniqueId("cus_");

        stripe(app, subscription("customer.subscription.created", StripeObjects.subscription(uniqueId("sub_"))
                .customer(sandboxCustomer).price("price_Basic", "prod_Basic").period(now() - 10, now() + 86400), now()));
        stripe(app, subscription("customer.subscription.created", StripeObjects.subscription(uniqueId("sub_"))
                .customer(liveCustomer).livemode(true).price("price_Basic", "prod_Basic")
                .period(now() - 10, now() + 86400), now()));
        String otherPath = "/v1/incoming-webhooks/stripe/" + otherApp;
        String otherEvent = subscription("customer.subscription.created", StripeObjects.subscription(uniqueId("sub_"))
                .customer(otherCustomer).price("price_Basic", "prod_Basic").period(now() - 10, now() + 86400), now());
        assertThat(server().anonymous().postStripe(otherPath, otherEvent, sign(otherEvent, SECRET)).status()).isEqualTo(200);

        assertThat(deliveredTo(app, all)).containsExactlyInAnyOrder("SANDBOX", "PRODUCTION", "SANDBOX");
        assertThat(deliveredTo(app, sandboxOnly)).containsExactlyInAnyOrder("SANDBOX", "SANDBOX");
        assertThat(deliveredTo(app, productionOnly)).containsExactly("PRODUCTION");
        assertThat(deliveredTo(app, renewalsOnly)).isEmpty();
        assertThat(deliveredTo(app, otherAppOnly)).containsExactly("SANDBOX");
        JsonNode otherDelivery = deliveries(app, otherAppOnly, "").get("items").get(0);
        assertThat(otherDelivery.get("event").get("app_user_id").asText()).isEqualTo(otherCustomer);
        HEALTHY.await("INITIAL_PURCHASE", liveCustomer);
        assertThat(HEALTHY.received(e -> e.path("app_user_id").asText().equals(liveCustomer)))
                .allMatch(r -> r.event().get("environment").asText().equals("PRODUCTION"));
    }

    List<String> deliveredTo(StripeApp app, JsonNode integration) {
        List<String> environments = new java.util.ArrayList<>();
        deliveries(app, integration, "").get("items").forEach(item -> environments.add(item.get("environment").asText()));
        return environments;
    }

    @Test
    void aTestEventIsDeliveredAndSubscriberAttributesAreReadWhenSending() throws Exception {
        StripeApp app = app();
        WebhookReceiver receiver = WebhookReceiver.start((n, request) -> n <= 2 ? Reply.status(500, "later") : Reply.ok());
        try (receiver) {
            JsonNode integration = integration(app, Map.of("name", "Test", "url", receiver.url()));
            HttpResponse test = admin().post(integrationsPath(app) + "/" + integration.get("id").asText()
                    + "/actions/test", Map.of());
            assertThat(test.status()).as(test.toString()).isEqualTo(201);
            assertThat(test.json().get("event_type").asText()).isEqualTo("TEST");
            String customer = uniqueId("cus_");
            stripe(app, subscription("customer.subscription.created", StripeObjects.subscription(uniqueId("sub_"))
                    .customer(customer).price("price_Basic", "prod_Basic").period(now() - 10, now() + 86400), now()));
            Received firstTry = receiver.await("INITIAL_PURCHASE", customer);
            assertThat(firstTry.event().get("subscriber_attributes").size()).isZero();

            setAttribute(customer, "$email", "buyer@example.com", 1_700_000_000_000L);

            await().atMost(Duration.ofSeconds(30)).until(() ->
                    receiver.received(e -> e.path("app_user_id").asText().equals(customer)).size() >= 2);
            JsonNode retried = receiver.received(e -> e.path("app_user_id").asText().equals(customer)).get(1).event();
            assertThat(retried.get("subscriber_attributes").get("$email").get("value").asText())
                    .isEqualTo("buyer@example.com");
            assertThat(retried.get("subscriber_attributes").get("$email").get("updated_at_ms").asLong())
                    .isEqualTo(1_700_000_000_000L);
            Received testEvent = receiver.await(e -> e.path("type").asText().equals("TEST"));
            assertThat(StandardWebhooksVerifier.verifies(integration.get("signing_secret").asText(), testEvent)).isTrue();
            assertThat(testEvent.event().get("store").asText()).isEqualTo("STRIPE");
        }
    }

    /** Attributes have no HTTP API on this branch yet; the test writes the row a future endpoint would write. */
    void setAttribute(String appUserId, String name, String value, long updatedAtMs) throws Exception {
        String url = server().databaseUrl();
        try (Connection c = DriverManager.getConnection(url)) {
            if (db == TestDb.SQLITE) {
                try (Statement s = c.createStatement()) {
                    s.execute("PRAGMA busy_timeout = 10000");
                }
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO customer_attributes (customer_id, name, "
                    + "value, updated_at_ms) SELECT customer_id, ?, ?, ? FROM customer_aliases WHERE app_user_id = ?")) {
                insert.setString(1, name);
                insert.setString(2, value);
                insert.setLong(3, updatedAtMs);
                insert.setString(4, appUserId);
                assertThat(insert.executeUpdate()).isEqualTo(1);
            }
        }
    }
}
