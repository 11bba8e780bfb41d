package io.substate.grants;

import static io.substate.testing.StripeEventBuilder.sign;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestClock;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Granted (promotional) entitlements over HTTP on both databases: RevenueCat v1's promotional routes with every
 * duration, end times, revocation, the keys allowed, bad bodies; the v2 actions; how a grant shows in the subscriber
 * JSON beside a Stripe purchase of the same entitlement; merges and deletions. The server's clock is the test's.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class GrantsApiTest {
    /** Each test starts here; the clock moves only when a test moves it. */
    static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");
    static final String SECRET = "whsec_grants_api_test";
    private static final TestClock CLOCK = new TestClock(T0);
    private static final Map<TestDb, TestServer> SERVERS = new EnumMap<>(TestDb.class);

    @Parameter
    TestDb db;

    StripeApp app;
    String entitlementId;

    TestServer server() {
        synchronized (SERVERS) {
            return SERVERS.computeIfAbsent(db, d -> TestServer.start(d, Map.of(), CLOCK));
        }
    }

    @AfterAll
    static void stop() {
        synchronized (SERVERS) {
            SERVERS.values().forEach(TestServer::close);
            SERVERS.clear();
        }
    }

    @BeforeEach
    void newProject() {
        CLOCK.set(T0);
        Map<String, Object> stripe = new HashMap<>();
        stripe.put("webhook_secret", SECRET);
        stripe.put("track_new_purchases", true);
        stripe.put("app_user_id_detection", "stripe_customer_id");
        app = Fixtures.stripeApp(admin(), stripe);
        Fixtures.entitlement(admin(), app, "pro", "prod_Pro", "subscription");
        entitlementId = admin().get("/v2/projects/" + app.projectId() + "/entitlements").json().get("items").get(0)
                .get("id").asText();
    }

    Api admin() {
        return server().admin();
    }

    Api secretKey() {
        return server().anonymous().withToken(app.secretKey());
    }

    Api publicKey() {
        return server().anonymous().withToken(app.publicKey());
    }

    static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String v1(String appUserId, String entitlement, String action) {
        return "/v1/subscribers/" + encode(appUserId) + "/entitlements/" + encode(entitlement) + "/" + action;
    }

    String v2(String appUserId, String action) {
        return "/v2/projects/" + app.projectId() + "/customers/" + encode(appUserId) + "/actions/" + action;
    }

    HttpResponse grantV1(String appUserId, Map<String, Object> body) {
        return secretKey().post(v1(appUserId, "pro", "promotional"), body);
    }

    JsonNode subscriber(String appUserId) {
        HttpResponse response = secretKey().get("/v1/subscribers/" + encode(appUserId));
        assertThat(response.status()).as(response.toString()).isIn(200, 201);
        return response.json().get("subscriber");
    }

    /** The operator's profile (granted entitlements, purchases, history): a Substate extension. */
    JsonNode profile(String appUserId) {
        return Fixtures.profile(admin(), app.projectId(), appUserId);
    }

    /** RevenueCat v2's customer object. */
    JsonNode customer(String appUserId) {
        HttpResponse response = admin().get(Fixtures.customerPath(app.projectId(), appUserId));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    List<String> activeKeys(String appUserId) {
        return Fixtures.activeEntitlementKeys(admin(), app.projectId(), appUserId);
    }

    static String date(Instant instant) {
        return instant.toString().replaceAll("\\.\\d+Z$", "Z");
    }

    /** The profile's grant of this product (grants made at one instant come in no particular order). */
    static JsonNode grantOf(JsonNode profile, String productIdentifier) {
        for (JsonNode grant : profile.get("granted_entitlements")) {
            if (grant.get("product_identifier").asText().equals(productIdentifier)) {
                return grant;
            }
        }
        throw new AssertionError("no grant of " + productIdentifier + " in " + profile);
    }

    static void assertError(HttpResponse response, int status, int v1Code) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.json().get("code").asInt()).as(response.toString()).isEqualTo(v1Code);
        assertThat(response.json().get("message").asText()).isNotBlank();
    }

    static void assertV2Error(HttpResponse response, int status, String code) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.json().get("object").asText()).isEqualTo("error");
        assertThat(response.json().get("code").asText()).as(response.toString()).isEqualTo(code);
    }

    // --- v1 -------------------------------------------------------------------------------------------------------

    @Test
    void eachDurationEndsAfterRevenueCatsFixedLength() {
        Map<String, Instant> ends = new LinkedHashMap<>();
        ends.put("daily", T0.plus(Duration.ofHours(24)));
        ends.put("three_day", T0.plus(Duration.ofHours(72)));
        ends.put("weekly", T0.plus(Duration.ofDays(7)));
        ends.put("two_week", T0.plus(Duration.ofDays(14)));
        ends.put("monthly", T0.plus(Duration.ofDays(31)));
        ends.put("two_month", T0.plus(Duration.ofDays(61)));
        ends.put("three_month", T0.plus(Duration.ofDays(92)));
        ends.put("six_month", T0.plus(Duration.ofDays(183)));
        ends.put("yearly", T0.plus(Duration.ofDays(365)));
        ends.put("lifetime", T0.atZone(ZoneOffset.UTC).plusYears(200).toInstant());

        ends.forEach((duration, end) -> {
            String user = "user_" + duration + "_" + uniqueId("");
            HttpResponse granted = grantV1(user, Map.of("duration", duration));

            assertThat(granted.status()).as(granted.toString()).isEqualTo(201);
            JsonNode subscriber = granted.json().get("subscriber");
            String product = "rc_promo_pro_" + duration;
            JsonNode entitlement = subscriber.get("entitlements").get("pro");
            assertThat(entitlement.get("product_identifier").asText()).isEqualTo(product);
            assertThat(entitlement.get("expires_date").asText()).as(duration).isEqualTo(date(end));
            assertThat(entitlement.get("purchase_date").asText()).isEqualTo(date(T0));
            JsonNode subscription = subscriber.get("subscriptions").get(product);
            assertThat(subscription.get("expires_date").asText()).isEqualTo(date(end));
            assertThat(subscription.get("store").asText()).isEqualTo("promotional");
            assertThat(subscriber.get("non_subscriptions")).isEmpty();
            assertThat(subscriber.get("management_url").isNull()).isTrue();
            assertThat(subscriber(user)).isEqualTo(subscriber);
        });
        assertThat(date(ends.get("lifetime"))).isEqualTo("2226-06-01T10:00:00Z");
    }

    @Test
    void aGrantIsAPromotionalSubscriptionAsRevenueCatShowsIt() {
        String user = "shape_" + uniqueId("");
        JsonNode subscription = grantV1(user, Map.of("duration", "monthly")).json().get("subscriber")
                .get("subscriptions").get("rc_promo_pro_monthly");

        assertThat(subscription.get("store").asText()).isEqualTo("promotional");
        assertThat(subscription.get("period_type").asText()).isEqualTo("normal");
        assertThat(subscription.get("is_sandbox").asBoolean()).isFalse();
        assertThat(subscription.get("ownership_type").asText()).isEqualTo("PURCHASED");
        assertThat(subscription.get("price").get("amount").asDouble()).isZero();
        assertThat(subscription.get("price").get("currency").asText()).isEqualTo("USD");
        assertThat(subscription.get("store_transaction_id").asText()).matches("[0-9a-f]{32}");
        assertThat(subscription.get("purchase_date").asText()).isEqualTo(date(T0));
        assertThat(subscription.get("original_purchase_date").asText()).isEqualTo(date(T0));
        for (String none : List.of("unsubscribe_detected_at", "billing_issues_detected_at", "refunded_at",
                "auto_resume_date", "grace_period_expires_date")) {
            assertThat(subscription.get(none).isNull()).as(none).isTrue();
        }
    }

    @Test
    void endTimeMsGrantsUntilThenAsACustomProduct() {
        String user = "until_" + uniqueId("");
        Instant end = T0.plus(Duration.ofDays(10)).plusSeconds(7);

        // As in RevenueCat, the end time wins over a duration, and the deprecated start_time_ms changes nothing then.
        HttpResponse granted = grantV1(user, Map.of("end_time_ms", end.toEpochMilli(), "duration", "yearly",
                "start_time_ms", T0.minus(Duration.ofDays(3)).toEpochMilli()));

        assertThat(granted.status()).as(granted.toString()).isEqualTo(201);
        JsonNode entitlement = granted.json().get("subscriber").get("entitlements").get("pro");
        assertThat(entitlement.get("product_identifier").asText()).isEqualTo("rc_promo_pro_custom");
        assertThat(entitlement.get("expires_date").asText()).isEqualTo(date(end));
        assertThat(entitlement.get("purchase_date").asText()).isEqualTo(date(T0));
    }

    @Test
    void aDurationCountsFromStartTimeMsWhenGiven() {
        String user = "from_" + uniqueId("");
        Instant start = T0.minus(Duration.ofDays(3));

        JsonNode entitlement = grantV1(user, Map.of("duration", "weekly", "start_time_ms", start.toEpochMilli()))
                .json().get("subscriber").get("entitlements").get("pro");

        assertThat(entitlement.get("expires_date").asText()).isEqualTo(date(start.plus(Duration.ofDays(7))));
        assertThat(entitlement.get("purchase_date").asText()).as("granted at once").isEqualTo(date(T0));
        assertError(grantV1(user, Map.of("duration", "daily", "start_time_ms", start.toEpochMilli())), 400, 7226);
    }

    @Test
    void aGrantExpiresOnTimeInEveryView() {
        String user = "expiring_" + uniqueId("");
        grantV1(user, Map.of("duration", "daily"));

        CLOCK.set(T0.plus(Duration.ofHours(23)));
        assertThat(activeKeys(user)).containsExactly("pro");
        assertThat(profile(user).get("granted_entitlements").get(0).get("active").asBoolean()).isTrue();

        CLOCK.set(T0.plus(Duration.ofHours(24)));
        JsonNode after = subscriber(user);
        assertThat(activeKeys(user)).isEmpty();
        assertThat(profile(user).get("granted_entitlements").get(0).get("active").asBoolean()).isFalse();
        // Past grants stay listed, as RevenueCat's expired entitlements do; the SDK compares expires_date with now.
        assertThat(after.get("entitlements").get("pro").get("expires_date").asText())
                .isEqualTo(date(T0.plus(Duration.ofHours(24))));
        assertThat(after.get("subscriptions").get("rc_promo_pro_daily")).isNotNull();
    }

    @Test
    void revokingEndsEveryActiveGrantOfTheEntitlementNow() {
        String user = "revoked_" + uniqueId("");
        grantV1(user, Map.of("duration", "monthly"));
        grantV1(user, Map.of("duration", "yearly"));
        CLOCK.set(T0.plus(Duration.ofHours(5)));

        HttpResponse revoked = secretKey().post(v1(user, "pro", "revoke_promotionals"), null);

        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
        JsonNode subscriber = revoked.json().get("subscriber");
        String now = date(T0.plus(Duration.ofHours(5)));
        assertThat(subscriber.get("entitlements").get("pro").get("expires_date").asText()).isEqualTo(now);
        assertThat(subscriber.get("subscriptions").get("rc_promo_pro_monthly").get("expires_date").asText())
                .isEqualTo(now);
        assertThat(subscriber.get("subscriptions").get("rc_promo_pro_yearly").get("expires_date").asText())
                .isEqualTo(now);
        assertThat(subscriber(user)).isEqualTo(subscriber);
        assertThat(activeKeys(user)).isEmpty();
        JsonNode grant = grantOf(profile(user), "rc_promo_pro_monthly");
        assertThat(grant.get("revoked_at").asLong()).isEqualTo(T0.plus(Duration.ofHours(5)).toEpochMilli());
        assertThat(grant.get("expires_at").asLong()).as("as granted")
                .isEqualTo(T0.plus(Duration.ofDays(31)).toEpochMilli());

        // Nothing left to revoke is no error; a new grant after a revocation counts again.
        assertThat(secretKey().post(v1(user, "pro", "revoke_promotionals"), null).status()).isEqualTo(200);
        JsonNode regranted = grantV1(user, Map.of("duration", "daily")).json().get("subscriber");
        assertThat(regranted.get("entitlements").get("pro").get("product_identifier").asText())
                .isEqualTo("rc_promo_pro_daily");
        assertThat(regranted.get("entitlements").get("pro").get("expires_date").asText())
                .isEqualTo(date(T0.plus(Duration.ofHours(29))));
    }

    @Test
    void theGrantOrPurchaseEndingLastGivesTheEntitlement() {
        String stripeCustomer = uniqueId("cus_");
        long t0 = T0.getEpochSecond();
        String payload = StripeObjects.event(uniqueId("evt_"), "customer.subscription.created", t0,
                StripeObjects.subscription(uniqueId("sub_")).customer(stripeCustomer).status("active")
                        .price("price_Pro", "prod_Pro").amount(999, "usd").period(t0 - 10 * 86400, t0 + 20 * 86400)
                        .json());
        assertThat(server().anonymous().postStripe(app.webhookPath(), payload, sign(payload, SECRET)).status())
                .isEqualTo(200);

        JsonNode shorter = grantV1(stripeCustomer, Map.of("duration", "weekly")).json().get("subscriber");
        assertThat(shorter.get("entitlements").get("pro").get("product_identifier").asText()).isEqualTo("prod_Pro");
        assertThat(shorter.get("subscriptions").get("rc_promo_pro_weekly").get("store").asText())
                .isEqualTo("promotional");
        assertThat(shorter.get("subscriptions").get("prod_Pro").get("store").asText()).isEqualTo("stripe");

        JsonNode longer = grantV1(stripeCustomer, Map.of("duration", "two_month")).json().get("subscriber");
        JsonNode entitlement = longer.get("entitlements").get("pro");
        assertThat(entitlement.get("product_identifier").asText()).isEqualTo("rc_promo_pro_two_month");
        assertThat(entitlement.get("expires_date").asText()).isEqualTo(date(T0.plus(Duration.ofDays(61))));
        // Every entitlement's product is listed (RevenueCat's SDKs throw otherwise).
        longer.get("entitlements").forEach(e -> assertThat(longer.get("subscriptions")
                .has(e.get("product_identifier").asText())).isTrue());
        assertThat(longer.get("management_url").isNull()).as("the app has no management URL").isTrue();
    }

    @Test
    void onlyTheSecretKeyMayGrantOrRevoke() {
        String user = "keys_" + uniqueId("");

        assertError(publicKey().post(v1(user, "pro", "promotional"), Map.of("duration", "daily")), 403, 7225);
        assertError(publicKey().post(v1(user, "pro", "revoke_promotionals"), null), 403, 7225);
        assertError(server().anonymous().post(v1(user, "pro", "promotional"), Map.of("duration", "daily")), 401, 7225);
        StripeApp other = Fixtures.stripeApp(admin(), new HashMap<>());
        assertError(server().anonymous().withToken(other.secretKey()).post(v1(user, "pro", "promotional"),
                Map.of("duration", "daily")), 404, 7259);
        assertThat(subscriber(user).get("entitlements")).isEmpty();
    }

    @Test
    void badBodiesAndUnknownEntitlementsAreRefusedInV1Shape() {
        String user = "bad_" + uniqueId("");

        assertError(grantV1(user, Map.of()), 400, 7226);
        assertError(grantV1(user, Map.of("duration", "fortnightly")), 400, 7226);
        assertError(grantV1(user, Map.of("duration", 7)), 400, 7226);
        assertError(grantV1(user, Map.of("end_time_ms", T0.toEpochMilli())), 400, 7226);
        assertError(grantV1(user, Map.of("end_time_ms", T0.minusSeconds(60).toEpochMilli())), 400, 7226);
        assertError(grantV1(user, Map.of("end_time_ms", "tomorrow")), 400, 7226);
        assertError(grantV1(user, Map.of("end_time_ms", Long.MAX_VALUE)), 400, 7226);
        assertError(grantV1(user, Map.of("duration", "daily", "entitlement", "pro")), 400, 7226);
        assertError(secretKey().post(v1(user, "pro", "promotional"), "{not json"), 400, 7226);
        assertError(secretKey().post(v1(user, "gold", "promotional"), Map.of("duration", "daily")), 404, 7259);
        assertError(secretKey().post(v1(user, "gold", "revoke_promotionals"), null), 404, 7259);
        assertError(secretKey().post(v1("null", "pro", "promotional"), Map.of("duration", "daily")), 400, 7220);
        assertThat(subscriber(user).get("entitlements")).isEmpty();
        assertThat(subscriber(user).get("subscriptions")).isEmpty();
    }

    @Test
    void lookupKeysWithReservedCharactersAreUrlEncoded() {
        String created = admin().post("/v2/projects/" + app.projectId() + "/entitlements",
                Map.of("lookup_key", "$team:pro&more", "display_name", "Team")).json().get("id").asText();
        String user = "team_" + uniqueId("");

        HttpResponse granted = secretKey().post(v1(user, "$team:pro&more", "promotional"),
                Map.of("end_time_ms", T0.plus(Duration.ofHours(1)).toEpochMilli()));

        assertThat(granted.status()).as(granted.toString()).isEqualTo(201);
        assertThat(granted.json().get("subscriber").get("entitlements").get("$team:pro&more")
                .get("product_identifier").asText()).isEqualTo("rc_promo_$team:pro&more_custom");
        assertThat(profile(user).get("granted_entitlements").get(0).get("entitlement_id").asText()).isEqualTo(created);
    }

    // --- v2 -------------------------------------------------------------------------------------------------------

    @Test
    void v2GrantsUntilExpiresAtThenRefusesASecondActiveGrantUntilRevoked() {
        String user = "v2_" + uniqueId("");
        secretKey().get("/v1/subscribers/" + user);
        long end = T0.plus(Duration.ofDays(2)).toEpochMilli();

        HttpResponse granted = admin().post(v2(user, "grant_entitlement"),
                Map.of("entitlement_id", entitlementId, "expires_at", end));

        assertThat(granted.status()).as(granted.toString()).isEqualTo(201);
        JsonNode customer = granted.json();
        assertThat(customer.get("object").asText()).isEqualTo("customer");
        assertThat(customer.get("id").asText()).isEqualTo(user);
        JsonNode active = customer.get("active_entitlements").get("items");
        assertThat(active).hasSize(1);
        assertThat(active.get(0).get("object").asText()).isEqualTo("customer.active_entitlement");
        assertThat(active.get(0).get("entitlement_id").asText()).isEqualTo(entitlementId);
        assertThat(active.get(0).get("expires_at").asLong()).isEqualTo(end);
        assertThat(customer(user)).isEqualTo(customer);
        JsonNode grant = profile(user).get("granted_entitlements").get(0);
        assertThat(grant.get("object").asText()).isEqualTo("granted_entitlement");
        assertThat(grant.get("entitlement_id").asText()).isEqualTo(entitlementId);
        assertThat(grant.get("lookup_key").asText()).isEqualTo("pro");
        assertThat(grant.get("product_identifier").asText()).isEqualTo("rc_promo_pro_custom");
        assertThat(grant.get("store").asText()).isEqualTo("promotional");
        assertThat(grant.get("store_transaction_id").asText()).matches("[0-9a-f]{32}");
        assertThat(grant.get("starts_at").asLong()).isEqualTo(T0.toEpochMilli());
        assertThat(grant.get("expires_at").asLong()).isEqualTo(end);
        assertThat(grant.get("revoked_at").isNull()).isTrue();
        assertThat(grant.get("active").asBoolean()).isTrue();
        assertThat(subscriber(user).get("entitlements").get("pro").get("expires_date").asText())
                .isEqualTo(date(Instant.ofEpochMilli(end)));

        assertV2Error(admin().post(v2(user, "grant_entitlement"), Map.of("entitlement_id", entitlementId,
                "duration", "yearly")), 409, "entitlement_already_granted");

        CLOCK.set(T0.plus(Duration.ofHours(1)));
        HttpResponse revoked = admin().post(v2(user, "revoke_granted_entitlement"),
                Map.of("entitlement_id", entitlementId));
        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
        assertThat(revoked.json().get("id").asText()).isEqualTo(user);
        assertThat(revoked.json().get("active_entitlements").get("items")).isEmpty();
        JsonNode ended = profile(user).get("granted_entitlements").get(0);
        assertThat(ended.get("revoked_at").asLong()).isEqualTo(T0.plus(Duration.ofHours(1)).toEpochMilli());
        assertThat(ended.get("active").asBoolean()).isFalse();
        assertV2Error(admin().post(v2(user, "revoke_granted_entitlement"), Map.of("entitlement_id", entitlementId)),
                404, "resource_missing");

        // Revoked, it may be granted again, here with one of RevenueCat's v1 durations (a Substate extension in v2).
        HttpResponse again = admin().post(v2(user, "grant_entitlement"),
                Map.of("entitlement_id", entitlementId, "duration", "lifetime"));
        assertThat(again.status()).as(again.toString()).isEqualTo(201);
        assertThat(again.json().get("active_entitlements").get("items").get(0).get("expires_at").asLong())
                .as("lifetime: 200 years").isGreaterThan(T0.plus(Duration.ofDays(365 * 199)).toEpochMilli());
        assertThat(profile(user).get("granted_entitlements")).hasSize(2);
        assertThat(profile(user).get("granted_entitlements").get(1).get("product_identifier").asText())
                .isEqualTo("rc_promo_pro_lifetime");
    }

    @Test
    void v2AGrantThatEndedOnItsOwnAllowsANewOne() {
        String user = "v2ended_" + uniqueId("");
        secretKey().get("/v1/subscribers/" + user);
        assertThat(admin().post(v2(user, "grant_entitlement"), Map.of("entitlement_id", entitlementId,
                "duration", "daily")).status()).isEqualTo(201);

        CLOCK.set(T0.plus(Duration.ofDays(1)));

        assertThat(admin().post(v2(user, "grant_entitlement"), Map.of("entitlement_id", entitlementId,
                "duration", "daily")).status()).isEqualTo(201);
        assertThat(activeKeys(user)).containsExactly("pro");
    }

    @Test
    void v2RefusesBadBodiesUnknownThingsAndMissingTokens() {
        String user = "v2bad_" + uniqueId("");
        secretKey().get("/v1/subscribers/" + user);
        long future = T0.plus(Duration.ofDays(1)).toEpochMilli();

        assertV2Error(admin().post(v2(user, "grant_entitlement"), Map.of("expires_at", future)), 400,
                "invalid_parameter");
        assertV2Error(admin().post(v2(user, "grant_entitlement"), Map.of("entitlement_id", entitlementId)), 400,
                "invalid_parameter");
        assertV2Error(admin().post(v2(user, "grant_entitlement"), Map.of("entitlement_id", entitlementId,
                "expires_at", future, "duration", "daily")), 400, "invalid_parameter");
        assertV2Error(admin().post(v2(user, "grant_entitlement"), Map.of("entitlement_id", entitlementId,
                "expires_at", T0.toEpochMilli())), 400, "invalid_parameter");
        assertV2Error(admin().post(v2(user, "grant_entitlement"), Map.of("entitlement_id", entitlementId,
                "expires_at", future, "lookup_key", "pro")), 400, "invalid_parameter");
        assertV2Error(admin().post(v2(user, "grant_entitlement"), Map.of("entitlement_id", "entlMissing",
                "expires_at", future)), 404, "resource_missing");
        assertV2Error(admin().post(v2("nobody_" + uniqueId(""), "grant_entitlement"),
                Map.of("entitlement_id", entitlementId, "expires_at", future)), 404, "resource_missing");
        assertV2Error(admin().post("/v2/projects/projMissing/customers/" + user + "/actions/grant_entitlement",
                Map.of("entitlement_id", entitlementId, "expires_at", future)), 404, "resource_missing");
        assertV2Error(admin().post(v2(user, "revoke_granted_entitlement"), Map.of()), 400, "invalid_parameter");
        assertV2Error(server().anonymous().post(v2(user, "grant_entitlement"),
                Map.of("entitlement_id", entitlementId, "expires_at", future)), 401, "unauthorized");
        // The project's secret key is a read-write key of its project on /v2 (admin/V2RouteAuthTest); an unknown one is not.
        assertV2Error(server().anonymous().withToken("sk_" + "z".repeat(32)).post(v2(user, "grant_entitlement"),
                Map.of("entitlement_id", entitlementId, "expires_at", future)), 401, "unauthorized");
        // Another project's key reaches only its own project; another project's entitlement is unknown here.
        StripeApp other = Fixtures.stripeApp(admin(), new HashMap<>());
        assertV2Error(server().anonymous().withToken(other.secretKey()).post(v2(user, "grant_entitlement"),
                Map.of("entitlement_id", entitlementId, "expires_at", future)), 403, "forbidden");
        String foreign = admin().post("/v2/projects/" + other.projectId() + "/entitlements",
                Map.of("lookup_key", "pro", "display_name", "Pro")).json().get("id").asText();
        assertV2Error(admin().post(v2(user, "grant_entitlement"), Map.of("entitlement_id", foreign,
                "expires_at", future)), 404, "resource_missing");
        assertThat(profile(user).get("granted_entitlements")).isEmpty();
    }

    // --- charts ---------------------------------------------------------------------------------------------------

    /** Every chart and the overview, without the time they were computed at. */
    Map<String, JsonNode> charts() {
        Map<String, JsonNode> charts = new LinkedHashMap<>();
        for (String chart : List.of("charts/actives", "charts/mrr", "charts/revenue", "charts/trials", "charts/churn",
                "charts/refund_rate", "charts/customers_new", "charts/trial_conversion_rate", "metrics/overview")) {
            HttpResponse response = admin().get("/v2/projects/" + app.projectId() + "/" + chart);
            assertThat(response.status()).as(chart + " " + response).isEqualTo(200);
            com.fasterxml.jackson.databind.node.ObjectNode body =
                    (com.fasterxml.jackson.databind.node.ObjectNode) response.json();
            body.remove("last_computed_at");
            body.remove("computed_at");
            charts.put(chart, body);
        }
        return charts;
    }

    @Test
    void grantsCountInNoChartAndNoRevenue() {
        String stripeCustomer = uniqueId("cus_");
        long t0 = T0.getEpochSecond();
        String payload = StripeObjects.event(uniqueId("evt_"), "customer.subscription.created", t0 - 86400,
                StripeObjects.subscription(uniqueId("sub_")).customer(stripeCustomer).status("active")
                        .price("price_Pro", "prod_Pro").amount(999, "usd").period(t0 - 86400, t0 + 29 * 86400)
                        .livemode(true).json());
        assertThat(server().anonymous().postStripe(app.webhookPath(), payload, sign(payload, SECRET)).status())
                .isEqualTo(200);
        String granted = "granted_" + uniqueId("");
        secretKey().get("/v1/subscribers/" + granted);
        Map<String, JsonNode> before = charts();
        JsonNode overview = before.get("metrics/overview").get("metrics");
        assertThat(overview.get(0).get("value").asLong()).as("the purchase is an active subscription").isEqualTo(1);
        assertThat(overview.get(1).get("value").asDouble()).as("MRR").isEqualTo(9.99);
        assertThat(overview.get(3).get("value").asDouble()).as("its first invoice is no revenue here").isZero();

        grantV1(stripeCustomer, Map.of("duration", "lifetime"));
        grantV1(granted, Map.of("duration", "monthly"));
        assertThat(admin().post(v2(granted, "revoke_granted_entitlement"), Map.of("entitlement_id", entitlementId))
                .status()).isEqualTo(200);
        assertThat(admin().post(v2(granted, "grant_entitlement"), Map.of("entitlement_id", entitlementId,
                "duration", "yearly")).status()).isEqualTo(201);

        assertThat(charts()).isEqualTo(before);
    }

    // --- customers and entitlements going away ---------------------------------------------------------------------

    @Test
    void aMergeMovesGrantsToTheSurvivingCustomer() {
        String anonymous = "$RCAnonymousID:" + java.util.UUID.randomUUID().toString().replace("-", "");
        String known = "known_" + uniqueId("");
        grantV1(anonymous, Map.of("duration", "weekly"));
        secretKey().get("/v1/subscribers/" + known);

        HttpResponse identified = secretKey().post("/v1/subscribers/identify",
                Map.of("app_user_id", anonymous, "new_app_user_id", known));

        assertThat(identified.status()).as(identified.toString()).isEqualTo(200);
        assertThat(identified.json().get("subscriber").get("entitlements").get("pro").get("product_identifier")
                .asText()).isEqualTo("rc_promo_pro_weekly");
        assertThat(profile(known).get("granted_entitlements")).hasSize(1);
        assertThat(Fixtures.aliases(admin(), app.projectId(), known)).contains(anonymous, known);
    }

    @Test
    void deletingTheCustomerOrTheEntitlementDropsItsGrants() {
        String user = "deleted_" + uniqueId("");
        grantV1(user, Map.of("duration", "weekly"));

        assertThat(secretKey().delete("/v1/subscribers/" + user).status()).isEqualTo(200);
        assertThat(subscriber(user).get("entitlements")).isEmpty();
        assertThat(subscriber(user).get("subscriptions")).isEmpty();

        grantV1(user, Map.of("duration", "weekly"));
        assertThat(admin().delete("/v2/projects/" + app.projectId() + "/entitlements/" + entitlementId).status())
                .isEqualTo(200);
        assertThat(subscriber(user).get("entitlements")).isEmpty();
        assertThat(profile(user).get("granted_entitlements")).isEmpty();
    }
}
