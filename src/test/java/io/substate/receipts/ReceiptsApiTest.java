package io.substate.receipts;

import static io.substate.testing.StripeEventBuilder.sign;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static io.substate.testing.StripeObjects.event;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
import io.substate.testing.FakeStripe;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code POST /v1/receipts} over HTTP on both databases, with Stripe served by the local fake through stripe-java:
 * reading tokens, the subscriber JSON it answers, parked events, ownership by transfer behavior (identified and
 * anonymous owners), and every bad request answered as RevenueCat-shaped JSON 4xx.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class ReceiptsApiTest {
    static final String SECRET = "whsec_receipts_test_secret";
    static final String PORTAL = "https://billing.stripe.com/p/login/test_portal";
    static final String DATE = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z";
    private static final Map<TestDb, TestServer> SERVERS = new EnumMap<>(TestDb.class);
    private static final FakeStripe STRIPE = FakeStripe.start();

    @Parameter
    TestDb db;

    TestServer server() {
        synchronized (SERVERS) {
            return SERVERS.computeIfAbsent(db, d -> TestServer.start(d, Map.of("SUBSTATE_STRIPE_API_BASE", STRIPE.baseUrl())));
        }
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    StripeApp app(boolean apiKey, boolean track, String transferBehavior) {
        Map<String, Object> settings = new HashMap<>();
        settings.put("webhook_secret", SECRET);
        if (apiKey) {
            settings.put("api_key", FakeStripe.API_KEY);
        }
        settings.put("track_new_purchases", track);
        settings.put("management_url", PORTAL);
        StripeApp app = Fixtures.stripeApp(server().admin(), settings);
        if (transferBehavior != null) {
            HttpResponse patched = server().admin().patch("/v2/projects/" + app.projectId(),
                    Map.of("transfer_behavior", transferBehavior));
            assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        }
        Fixtures.entitlement(server().admin(), app, "pro", "prod_Pro", "subscription");
        Fixtures.entitlement(server().admin(), app, "lifetime", "prod_Life", "one_time");
        return app;
    }

    StripeApp app() {
        return app(true, false, null);
    }

    Api v1(StripeApp app) {
        return server().anonymous().withToken(app.publicKey()).withHeader("X-Platform", "stripe");
    }

    HttpResponse post(StripeApp app, String appUserId, String token) {
        return v1(app).post("/v1/receipts", Map.of("app_user_id", appUserId, "fetch_token", token));
    }

    static String activeSubscription(String productId) {
        String sub = uniqueId("sub_");
        STRIPE.put(StripeObjects.subscription(sub).customer(uniqueId("cus_")).status("active")
                .price("price_" + productId, productId).amount(1299, "eur")
                .latestInvoice(uniqueId("in_")).period(now() - 60, now() + 30 * 86400).json());
        return sub;
    }

    JsonNode subscriber(StripeApp app, String appUserId) {
        HttpResponse response = server().anonymous().withToken(app.secretKey()).get("/v1/subscribers/" + appUserId);
        assertThat(response.status()).as(response.toString()).isIn(200, 201);
        return response.json().get("subscriber");
    }

    JsonNode adminCustomer(StripeApp app, String appUserId) {
        return Fixtures.profile(server().admin(), app.projectId(), appUserId);
    }

    @Test
    void aSubscriptionTokenBecomesAnActiveStripeSubscriptionInRevenueCatShape() {
        StripeApp app = app();
        String sub = uniqueId("sub_");
        String invoice = uniqueId("in_");
        long start = now() - 60;
        long end = now() + 30 * 86400;
        STRIPE.put(StripeObjects.subscription(sub).status("active").price("price_M", "prod_Pro").amount(1299, "eur")
                .latestInvoice(invoice).period(start, end).json());

        HttpResponse response = post(app, "user_" + uniqueId(""), sub);

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode body = response.json();
        assertThat(body.get("request_date").asText()).matches(DATE);
        assertThat(body.get("request_date_ms").asLong()).isPositive();
        JsonNode subscription = body.get("subscriber").get("subscriptions").get("prod_Pro");
        assertThat(subscription.get("store").asText()).isEqualTo("stripe");
        assertThat(subscription.get("is_sandbox").asBoolean()).isTrue();
        assertThat(subscription.get("period_type").asText()).isEqualTo("normal");
        assertThat(subscription.get("ownership_type").asText()).isEqualTo("PURCHASED");
        assertThat(subscription.get("store_transaction_id").asText()).isEqualTo(invoice);
        assertThat(subscription.get("price").get("amount").asDouble()).isEqualTo(12.99);
        assertThat(subscription.get("price").get("currency").asText()).isEqualTo("EUR");
        assertThat(subscription.get("purchase_date").asText()).matches(DATE)
                .isEqualTo(java.time.Instant.ofEpochSecond(start).toString());
        assertThat(subscription.get("expires_date").asText()).isEqualTo(java.time.Instant.ofEpochSecond(end).toString());
        assertThat(subscription.get("original_purchase_date").asText()).matches(DATE);
        for (String field : List.of("grace_period_expires_date", "auto_resume_date", "refunded_at",
                "unsubscribe_detected_at", "billing_issues_detected_at")) {
            assertThat(subscription.get(field).isNull()).as(field).isTrue();
        }
        JsonNode entitlement = body.get("subscriber").get("entitlements").get("pro");
        assertThat(entitlement.get("product_identifier").asText()).isEqualTo("prod_Pro");
        assertThat(entitlement.get("expires_date").asText()).isEqualTo(subscription.get("expires_date").asText());
        assertThat(entitlement.get("grace_period_expires_date").isNull()).isTrue();
        assertThat(body.get("subscriber").get("management_url").asText()).isEqualTo(PORTAL);
        assertThat(body.get("subscriber").has("subscriber_attributes")).as("public key").isFalse();
        assertThat(STRIPE.requestsTo("/v1/subscriptions/" + sub).get(0).apiKey()).isEqualTo(FakeStripe.API_KEY);
    }

    @Test
    void aTrialIsLowercaseTrialWithPriceZeroAndLiveModeIsNotSandbox() {
        StripeApp app = app();
        String sub = uniqueId("sub_");
        STRIPE.put(StripeObjects.subscription(sub).status("trialing").price("price_M", "prod_Pro").livemode(true)
                .trial(now() - 60, now() + 7 * 86400).period(now() - 60, now() + 7 * 86400).json());

        JsonNode subscription = post(app, "trial_" + uniqueId(""), sub).json().get("subscriber").get("subscriptions")
                .get("prod_Pro");

        assertThat(subscription.get("period_type").asText()).isEqualTo("trial");
        assertThat(subscription.get("price").get("amount").asDouble()).isZero();
        assertThat(subscription.get("is_sandbox").asBoolean()).isFalse();
    }

    @Test
    void aSubscriptionModeCheckoutSessionResolvesToItsSubscription() {
        StripeApp app = app();
        String sub = activeSubscription("prod_Pro");
        String session = uniqueId("cs_");
        STRIPE.put(StripeObjects.checkoutSession(session).subscription(sub).json());

        HttpResponse response = post(app, "cs_user_" + uniqueId(""), session);

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.json().get("subscriber").get("subscriptions").has("prod_Pro")).isTrue();
        String user = response.json().get("subscriber").get("original_app_user_id").asText();
        assertThat(adminCustomer(app, user).get("purchases").get(0).get("store_token").asText()).isEqualTo(sub);
        // Posting the subscription id afterwards finds the same purchase.
        assertThat(post(app, user, sub).json().get("subscriber").get("subscriptions").size()).isEqualTo(1);
        assertThat(adminCustomer(app, user).get("purchases")).hasSize(1);
    }

    @Test
    void aPaymentModeCheckoutSessionIsANonSubscriptionWithALifetimeEntitlement() {
        StripeApp app = app();
        String session = uniqueId("cs_");
        String paymentIntent = uniqueId("pi_");
        STRIPE.put(StripeObjects.checkoutSession(session).paymentIntent(paymentIntent).amount(4999, "usd").json());
        STRIPE.putLineItems(session, StripeObjects.checkoutLineItems(session, "price_Life", "prod_Life", 4999, null));

        HttpResponse response = post(app, "buyer_" + uniqueId(""), session);

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode subscriber = response.json().get("subscriber");
        JsonNode item = subscriber.get("non_subscriptions").get("prod_Life").get(0);
        assertThat(item.get("id").asText()).startsWith("pur");
        assertThat(item.get("store").asText()).isEqualTo("stripe");
        assertThat(item.get("is_sandbox").asBoolean()).isTrue();
        assertThat(item.get("store_transaction_id").asText()).isEqualTo(paymentIntent);
        assertThat(item.get("original_purchase_date").asText()).matches(DATE);
        assertThat(item.get("purchase_date").asText()).matches(DATE);
        assertThat(item.get("price").get("amount").asDouble()).isEqualTo(49.99);
        assertThat(subscriber.get("subscriptions")).isEmpty();
        JsonNode lifetime = subscriber.get("entitlements").get("lifetime");
        assertThat(lifetime.get("expires_date").isNull()).isTrue();
        assertThat(lifetime.get("product_identifier").asText()).isEqualTo("prod_Life");
        assertThat(subscriber.get("management_url").isNull()).as("no active subscription").isTrue();
    }

    @Test
    void repostingRefreshesFromStripeAndExpiredEntitlementsStayListed() {
        StripeApp app = app();
        String sub = uniqueId("sub_");
        String user = "refresh_" + uniqueId("");
        STRIPE.put(StripeObjects.subscription(sub).status("active").price("price_M", "prod_Pro")
                .period(now() - 86400, now() + 30 * 86400).json());
        post(app, user, sub);

        long endedAt = now() - 5;
        STRIPE.put(StripeObjects.subscription(sub).status("canceled").price("price_M", "prod_Pro")
                .period(now() - 86400, now() + 30 * 86400).canceled(endedAt, "cancellation_requested").json());
        HttpResponse again = post(app, user, sub);

        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        JsonNode subscriber = again.json().get("subscriber");
        String expires = subscriber.get("subscriptions").get("prod_Pro").get("expires_date").asText();
        assertThat(java.time.Instant.parse(expires)).isBeforeOrEqualTo(java.time.Instant.now());
        assertThat(subscriber.get("entitlements").get("pro").get("expires_date").asText()).isEqualTo(expires);
        assertThat(subscriber.get("management_url").isNull()).isTrue();
        assertThat(adminCustomer(app, user).get("history").findValuesAsText("type")).contains("EXPIRATION");
    }

    @Test
    void attributesInTheBodyAreSaved() {
        StripeApp app = app();
        String sub = activeSubscription("prod_Pro");
        String user = "attrs_" + uniqueId("");

        HttpResponse response = v1(app).post("/v1/receipts", Map.of("app_user_id", user, "fetch_token", sub,
                "attributes", Map.of("$email", Map.of("value", "a@example.com", "updated_at_ms", 1000))));

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(subscriber(app, user).get("subscriber_attributes").get("$email").get("value").asText())
                .isEqualTo("a@example.com");
    }

    @Test
    void parkedEventsAreAppliedWhenTheReceiptArrives() {
        StripeApp app = app();
        String sub = uniqueId("sub_");
        String user = "parked_" + uniqueId("");
        // The subscription was canceled at period end before the receipt came; Stripe's API still says active.
        String parked = event(uniqueId("evt_"), "customer.subscription.updated", now() - 30,
                StripeObjects.subscription(sub).status("active").price("price_M", "prod_Pro").cancelAtPeriodEnd(true)
                        .period(now() - 100, now() + 30 * 86400).json());
        HttpResponse webhook = server().anonymous().postStripe(app.webhookPath(), parked, sign(parked, SECRET));
        assertThat(webhook.status()).isEqualTo(422);
        STRIPE.put(StripeObjects.subscription(sub).status("active").price("price_M", "prod_Pro").cancelAtPeriodEnd(true)
                .period(now() - 100, now() + 30 * 86400).json());

        JsonNode subscription = post(app, user, sub).json().get("subscriber").get("subscriptions").get("prod_Pro");

        assertThat(subscription.get("unsubscribe_detected_at").asText()).matches(DATE);
        JsonNode events = server().admin().get("/v2/projects/" + app.projectId() + "/apps/" + app.appId()
                + "/stripe_events").json().get("items");
        // Applied after the fresher API read: recorded as stale (Stripe's API already reflected it), no longer parked.
        assertThat(events.get(0).get("status").asText()).isIn("processed", "stale");
        assertThat(events.get(0).get("purchase_id").asText()).startsWith("pur");
        HttpResponse retry = server().anonymous().postStripe(app.webhookPath(), parked, sign(parked, SECRET));
        assertThat(retry.status()).as("Stripe's retry is now a duplicate").isEqualTo(200);
    }

    @Test
    void anAppWithoutAnApiKeyBuildsThePurchaseFromParkedEventsOrSaysWhy() {
        StripeApp app = app(false, false, null);
        String sub = uniqueId("sub_");

        HttpResponse nothing = post(app, "nokey_" + uniqueId(""), sub);
        assertThat(nothing.status()).as(nothing.toString()).isEqualTo(422);
        assertThat(nothing.json().get("code").asInt()).isEqualTo(7103);
        assertThat(nothing.json().get("message").asText()).contains("API key");

        String created = event(uniqueId("evt_"), "customer.subscription.created", now() - 10,
                StripeObjects.subscription(sub).status("active").price("price_M", "prod_Pro")
                        .period(now() - 100, now() + 30 * 86400).json());
        server().anonymous().postStripe(app.webhookPath(), created, sign(created, SECRET));
        HttpResponse built = post(app, "nokey_" + uniqueId(""), sub);

        assertThat(built.status()).as(built.toString()).isEqualTo(200);
        assertThat(built.json().get("subscriber").get("entitlements").has("pro")).isTrue();
        assertThat(STRIPE.requestsTo("/v1/subscriptions/" + sub)).isEmpty();
    }

    // --- Ownership -------------------------------------------------------------------------------------------

    @Test
    void transferMovesThePurchaseAndSendsATransferEvent() {
        StripeApp app = app(true, false, "transfer");
        String sub = activeSubscription("prod_Pro");
        String alice = "alice_" + uniqueId("");
        String bob = "bob_" + uniqueId("");
        post(app, alice, sub);

        HttpResponse response = post(app, bob, sub);

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.json().get("subscriber").get("entitlements").has("pro")).isTrue();
        assertThat(subscriber(app, alice).get("subscriptions")).isEmpty();
        assertThat(subscriber(app, alice).get("entitlements")).isEmpty();
        assertThat(adminCustomer(app, bob).get("history").findValuesAsText("type")).contains("TRANSFER");
        assertThat(Fixtures.aliases(server().admin(), app.projectId(), bob)).hasSize(1);
    }

    @Test
    void keepWithOriginalRefusesWith7102AndChangesNothing() {
        StripeApp app = app(true, false, "keep_with_original");
        String sub = activeSubscription("prod_Pro");
        String alice = "alice_" + uniqueId("");
        String bob = "bob_" + uniqueId("");
        post(app, alice, sub);

        HttpResponse response = post(app, bob, sub);

        assertThat(response.status()).as(response.toString()).isEqualTo(409);
        assertThat(response.json().get("code").asInt()).isEqualTo(7102);
        assertThat(subscriber(app, alice).get("subscriptions").has("prod_Pro")).isTrue();
        assertThat(server().admin().get("/v2/projects/" + app.projectId() + "/customers/" + bob).status())
                .as("nothing half-written: bob was not created").isEqualTo(404);
    }

    @Test
    void transferIfNoActiveSubsRefusesWhileTheOwnerIsActiveAndTransfersOtherwise() {
        StripeApp app = app(true, false, "transfer_if_no_active_subs");
        String active = activeSubscription("prod_Pro");
        String alice = "alice_" + uniqueId("");
        post(app, alice, active);
        HttpResponse refused = post(app, "bob_" + uniqueId(""), active);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.json().get("code").asInt()).isEqualTo(7102);

        String ended = activeSubscription("prod_Pro");
        String carol = "carol_" + uniqueId("");
        String dave = "dave_" + uniqueId("");
        post(app, carol, ended);
        STRIPE.put(StripeObjects.subscription(ended).status("canceled").price("price_M", "prod_Pro")
                .period(now() - 86400, now() + 30 * 86400).canceled(now() - 5, null).json());
        post(app, carol, ended); // refreshed: no longer active
        HttpResponse moved = post(app, dave, ended);

        assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
        assertThat(moved.json().get("subscriber").get("subscriptions").has("prod_Pro")).isTrue();
        assertThat(subscriber(app, carol).get("subscriptions")).isEmpty();
    }

    @Test
    void anAnonymousOwnerIsMergedWhateverTheTransferBehavior() {
        for (String behavior : List.of("transfer", "transfer_if_no_active_subs", "keep_with_original")) {
            StripeApp app = app(true, false, behavior);
            String sub = activeSubscription("prod_Pro");
            String anonymous = anonymousId();
            post(app, anonymous, sub);
            String user = "identified_" + uniqueId("");

            HttpResponse response = post(app, user, sub);

            assertThat(response.status()).as(behavior + " " + response).isEqualTo(200);
            JsonNode subscriber = response.json().get("subscriber");
            assertThat(subscriber.get("original_app_user_id").asText()).isEqualTo(anonymous);
            assertThat(subscriber.get("entitlements").has("pro")).isTrue();
            assertThat(subscriber(app, anonymous).get("original_app_user_id").asText()).isEqualTo(anonymous);
            assertThat(Fixtures.aliases(server().admin(), app.projectId(), user)).contains(anonymous, user);
            assertThat(adminCustomer(app, user).get("history").findValuesAsText("type")).doesNotContain("TRANSFER");
        }
    }

    @Test
    void anIdentifiedOwnerLosesThePurchaseToAnAnonymousPosterOnTransfer() {
        StripeApp app = app(true, false, "transfer");
        String sub = activeSubscription("prod_Pro");
        String alice = "alice_" + uniqueId("");
        post(app, alice, sub);
        String anonymous = anonymousId();

        HttpResponse response = post(app, anonymous, sub);

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.json().get("subscriber").get("original_app_user_id").asText()).isEqualTo(anonymous);
        assertThat(subscriber(app, alice).get("subscriptions")).isEmpty();
    }

    /** The seed's "Considerations": Stripe's notification came first and tracked the purchase anonymously. */
    @Test
    void aPurchaseTrackedAnonymouslyFromANotificationIsMergedWhenTheBackendPostsTheToken() {
        StripeApp app = app(true, true, "keep_with_original");
        String sub = activeSubscription("prod_Pro");
        String created = event(uniqueId("evt_"), "customer.subscription.created", now() - 10,
                StripeObjects.subscription(sub).status("active").price("price_M", "prod_Pro")
                        .period(now() - 60, now() + 30 * 86400).json());
        HttpResponse tracked = server().anonymous().postStripe(app.webhookPath(), created, sign(created, SECRET));
        assertThat(tracked.status()).as(tracked.toString()).isEqualTo(200);
        String user = "backend_user_" + uniqueId("");

        HttpResponse response = post(app, user, sub);

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode subscriber = response.json().get("subscriber");
        assertThat(subscriber.get("original_app_user_id").asText()).startsWith("$RCAnonymousID:");
        assertThat(subscriber.get("entitlements").has("pro")).isTrue();
        JsonNode customer = adminCustomer(app, user);
        assertThat(customer.get("purchases")).hasSize(1);
        assertThat(Fixtures.aliases(server().admin(), app.projectId(), user)).hasSize(2);
    }

    /** The same case when detection gave the Stripe customer id: an identified owner, so the transfer behavior rules. */
    @Test
    void aPurchaseTrackedUnderTheStripeCustomerIdFollowsTheTransferBehavior() {
        Map<String, Object> settings = new HashMap<>();
        settings.put("webhook_secret", SECRET);
        settings.put("api_key", FakeStripe.API_KEY);
        settings.put("track_new_purchases", true);
        settings.put("app_user_id_detection", "stripe_customer_id");
        StripeApp app = Fixtures.stripeApp(server().admin(), settings);
        server().admin().patch("/v2/projects/" + app.projectId(), Map.of("transfer_behavior", "keep_with_original"));
        String sub = uniqueId("sub_");
        String customer = uniqueId("cus_");
        JsonNode subscription = StripeObjects.subscription(sub).customer(customer).status("active")
                .price("price_M", "prod_Pro").period(now() - 60, now() + 30 * 86400).json();
        STRIPE.put(subscription);
        String created = event(uniqueId("evt_"), "customer.subscription.created", now() - 10, subscription);
        server().anonymous().postStripe(app.webhookPath(), created, sign(created, SECRET));

        HttpResponse response = post(app, "someone_else_" + uniqueId(""), sub);

        assertThat(response.status()).as(response.toString()).isEqualTo(409);
        assertThat(response.json().get("code").asInt()).isEqualTo(7102);
        assertThat(post(app, customer, sub).status()).as("the owner itself may re-post").isEqualTo(200);
    }

    // --- Bad requests ----------------------------------------------------------------------------------------

    @Test
    void badRequestsAreRevenueCatJson4xx() {
        StripeApp app = app();
        String sub = activeSubscription("prod_Pro");
        Api noPlatform = server().anonymous().withToken(app.publicKey());
        Map<String, String> body = Map.of("app_user_id", "u_" + uniqueId(""), "fetch_token", sub);

        assertError(noPlatform.post("/v1/receipts", body), 400, 7000);
        assertError(noPlatform.withHeader("X-Platform", "ios").post("/v1/receipts", body), 400, 7000);
        assertError(server().anonymous().withHeader("X-Platform", "stripe").post("/v1/receipts", body), 401, 7225);
        assertError(v1(app).withToken("strp_unknownKey123").post("/v1/receipts", body), 401, 7225);
        assertError(v1(app).withToken(app.secretKey()).post("/v1/receipts", body), 403, 7243);
        assertError(v1(app).post("/v1/receipts", "{not json"), 400, 7226);
        assertError(v1(app).post("/v1/receipts", "[1,2]"), 400, 7226);
        assertError(v1(app).post("/v1/receipts", Map.of("app_user_id", "u1", "fetch_token", "pi_123")), 400, 7103);
        assertError(v1(app).post("/v1/receipts", Map.of("app_user_id", "u1")), 400, 7103);
        assertError(v1(app).post("/v1/receipts", Map.of("fetch_token", sub)), 400, 7220);
        assertError(v1(app).post("/v1/receipts", Map.of("app_user_id", "null", "fetch_token", sub)), 400, 7220);
        assertError(v1(app).post("/v1/receipts", Map.of("app_user_id", "a/b", "fetch_token", sub)), 400, 7220);
        assertError(v1(app).post("/v1/receipts", Map.of("app_user_id", 5, "fetch_token", sub)), 400, 7226);
        assertError(v1(app).post("/v1/receipts", Map.of("app_user_id", "u1", "fetch_token", sub, "attributes", "x")),
                400, 7264);
    }

    @Test
    void stripeFailuresAreJson4xxNever5xx() {
        StripeApp app = app();
        assertError(post(app, "u_" + uniqueId(""), uniqueId("sub_")), 422, 7103); // Stripe 404
        assertError(post(app, "u_" + uniqueId(""), uniqueId("cs_")), 422, 7103);

        String sub = activeSubscription("prod_Pro");
        STRIPE.failNext(500);
        assertError(post(app, "u_" + uniqueId(""), sub), 424, 7101);

        STRIPE.delayNext(ReceiptService.STRIPE_TIMEOUT.plus(Duration.ofSeconds(1)));
        HttpResponse timedOut = post(app, "u_" + uniqueId(""), sub);
        assertError(timedOut, 424, 7101);

        STRIPE.rejectKey(FakeStripe.API_KEY);
        try {
            assertError(post(app, "u_" + uniqueId(""), sub), 422, 7103);
        } finally {
            STRIPE.acceptKey(FakeStripe.API_KEY);
        }
        assertThat(post(app, "u_" + uniqueId(""), sub).status()).as("works again").isEqualTo(200);
    }

    /** An anonymous App User ID as RevenueCat's SDKs make them. */
    static String anonymousId() {
        return "$RCAnonymousID:" + java.util.UUID.randomUUID().toString().replace("-", "");
    }

    static void assertError(HttpResponse response, int status, int code) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.header("Content-Type")).contains("application/json");
        assertThat(response.json().get("code").asInt()).as(response.toString()).isEqualTo(code);
        assertThat(response.json().get("message").asText()).isNotBlank();
    }
}
