package io.substate.offerings;

import static io.substate.testing.StripeEventBuilder.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import io.substate.testing.Api;
import io.substate.testing.FakeStripe;
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
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * What RevenueCat's SDKs read about offerings, over HTTP on both databases, with prices from the local fake Stripe:
 * {@code GET /v1/subscribers/{id}/offerings}, the Web Billing product details, the per-customer override, and the
 * Stripe price cache (its TTL, Stripe failing, products without a price).
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class SubscriberOfferingsTest {
    private static final Map<TestDb, TestServer> SERVERS = new EnumMap<>(TestDb.class);
    private static final Map<TestDb, TestClock> CLOCKS = new EnumMap<>(TestDb.class);
    private static final FakeStripe STRIPE = FakeStripe.start();

    @Parameter
    TestDb db;

    TestServer server() {
        synchronized (SERVERS) {
            return SERVERS.computeIfAbsent(db, d -> TestServer.start(d,
                    Map.of("SUBSTATE_STRIPE_API_BASE", STRIPE.baseUrl()), clock()));
        }
    }

    TestClock clock() {
        synchronized (CLOCKS) {
            return CLOCKS.computeIfAbsent(db, d -> new TestClock(Instant.now()));
        }
    }

    void advance(Duration duration) {
        clock().set(clock().instant().plus(duration));
    }

    Api admin() {
        return server().admin();
    }

    /** A project with one Stripe app (with the fake's API key unless told otherwise). */
    StripeApp app(boolean apiKey) {
        Map<String, Object> settings = new HashMap<>();
        if (apiKey) {
            settings.put("api_key", FakeStripe.API_KEY);
        }
        return Fixtures.stripeApp(admin(), settings);
    }

    String otherApp(StripeApp app) {
        Map<String, Object> body = Map.of("name", "Other", "type", "stripe",
                "stripe", Map.of("api_key", FakeStripe.API_KEY));
        return admin().post("/v2/projects/" + app.projectId() + "/apps", body).json().get("id").asText();
    }

    /** A Stripe product of the fake and its default price. */
    record Sold(String product, String price) {}

    static Sold stripeProduct(String name, long amount, String currency, String interval, int count,
            Integer trialDays) {
        String product = uniqueId("prod_");
        String price = uniqueId("price_");
        ObjectNode priceJson = StripeObjects.price(price, product, amount, currency, interval, count);
        if (trialDays != null) {
            ((ObjectNode) priceJson.get("recurring")).put("trial_period_days", trialDays);
        }
        STRIPE.put(priceJson);
        STRIPE.put(StripeObjects.product(product, name, price));
        return new Sold(product, price);
    }

    String product(StripeApp app, String appId, String stripeProduct, String type, String displayName) {
        Map<String, Object> body = new HashMap<>(Map.of("store_identifier", stripeProduct, "app_id", appId,
                "type", type));
        if (displayName != null) {
            body.put("display_name", displayName);
        }
        HttpResponse created = admin().post("/v2/projects/" + app.projectId() + "/products", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    /** The server's clock stands still: a tick between offerings keeps their creation order. */
    String offering(StripeApp app, String lookupKey, Map<String, Object> metadata) {
        advance(Duration.ofMillis(1));
        Map<String, Object> body = new HashMap<>(Map.of("lookup_key", lookupKey, "display_name", "The " + lookupKey));
        if (metadata != null) {
            body.put("metadata", metadata);
        }
        HttpResponse created = admin().post("/v2/projects/" + app.projectId() + "/offerings", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    String pkg(StripeApp app, String offeringId, String lookupKey, Integer position, String... productIds) {
        Map<String, Object> body = new HashMap<>(Map.of("lookup_key", lookupKey, "display_name", lookupKey));
        if (position != null) {
            body.put("position", position);
        }
        HttpResponse created = admin().post("/v2/projects/" + app.projectId() + "/offerings/" + offeringId
                + "/packages", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().get("id").asText();
        if (productIds.length > 0) {
            HttpResponse attached = admin().post("/v2/projects/" + app.projectId() + "/packages/" + id
                    + "/actions/attach_products", Map.of("products", java.util.Arrays.stream(productIds)
                    .map(p -> Map.of("product_id", p, "eligibility_criteria", "all")).toList()));
            assertThat(attached.status()).as(attached.toString()).isEqualTo(200);
        }
        return id;
    }

    Api sdk(StripeApp app) {
        return server().anonymous().withToken(app.publicKey()).withHeader("X-Platform", "web");
    }

    static String encode(String appUserId) {
        return URLEncoder.encode(appUserId, StandardCharsets.UTF_8).replace("+", "%20");
    }

    JsonNode offerings(StripeApp app, String appUserId) {
        HttpResponse response = sdk(app).get("/v1/subscribers/" + encode(appUserId) + "/offerings");
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        return response.json();
    }

    JsonNode products(StripeApp app, String appUserId, String query) {
        HttpResponse response = sdk(app).get("/rcbilling/v1/subscribers/" + encode(appUserId) + "/products?" + query);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    int stripeReadsOf(String stripeProduct) {
        return STRIPE.requestsTo("/v1/products/" + stripeProduct).size();
    }

    @Test
    void offeringsAnswer304ForTheirETagUntilTheyChange() {
        StripeApp app = app(true);
        Sold monthly = stripeProduct("Monthly", 999, "usd", "month", 1, null);
        String offering = offering(app, "default", null);
        pkg(app, offering, "$rc_monthly", 1, product(app, app.appId(), monthly.product(), "subscription", null));
        String path = "/v1/subscribers/user-1/offerings";

        HttpResponse first = sdk(app).get(path);
        String etag = first.header("X-RevenueCat-ETag");
        HttpResponse unchanged = sdk(app).withHeader("X-RevenueCat-ETag", etag).get(path);
        pkg(app, offering, "$rc_annual", 2, product(app, app.appId(),
                stripeProduct("Annual", 9999, "usd", "year", 1, null).product(), "subscription", null));
        HttpResponse changed = sdk(app).withHeader("X-RevenueCat-ETag", etag).get(path);

        assertThat(first.status()).isEqualTo(200);
        assertThat(etag).matches("[0-9a-f]{32}");
        assertThat(unchanged.status()).isEqualTo(304);
        assertThat(unchanged.body()).isEmpty();
        assertThat(unchanged.header("X-RevenueCat-ETag")).isEqualTo(etag);
        assertThat(Long.parseLong(unchanged.header("X-RevenueCat-Request-Time"))).isPositive();
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.header("X-RevenueCat-ETag")).isNotEqualTo(etag);
        assertThat(changed.json().get("offerings").get(0).get("packages")).hasSize(2);
        assertThat(sdk(app).withHeader("X-RevenueCat-ETag", changed.header("X-RevenueCat-ETag")).get(path).status())
                .isEqualTo(304);
    }

    @Test
    void offeringsInTheShapeTheSdkReadsWithTheCallingAppsProductsInPositionOrder() {
        StripeApp app = app(true);
        String other = otherApp(app);
        Sold monthlySold = stripeProduct("Monthly", 999, "usd", "month", 1, 7);
        Sold annualSold = stripeProduct("Annual", 9999, "usd", "year", 1, null);
        Sold lifetimeSold = stripeProduct("Lifetime", 49900, "eur", null, 0, null);
        String monthlyStripe = monthlySold.product();
        String annualStripe = annualSold.product();
        String lifetimeStripe = lifetimeSold.product();
        String otherStripe = stripeProduct("Other app's monthly", 500, "usd", "month", 1, null).product();
        String monthly = product(app, app.appId(), monthlyStripe, "subscription", "Pro Monthly");
        String annual = product(app, app.appId(), annualStripe, "subscription", null);
        String lifetime = product(app, app.appId(), lifetimeStripe, "one_time", null);
        String otherMonthly = product(app, other, otherStripe, "subscription", null);
        String current = offering(app, "default", null);
        String sale = offering(app, "sale", Map.of("cta", "Save 50%"));
        pkg(app, current, "$rc_monthly", 2, monthly, otherMonthly);
        pkg(app, current, "$rc_annual", 1, annual);
        pkg(app, current, "$rc_lifetime", 3, lifetime);
        pkg(app, current, "$rc_custom_other_app_only", 4, otherMonthly);
        pkg(app, sale, "$rc_annual", null, annual);
        String appUserId = "$RCAnonymousID:" + uniqueId("").toLowerCase();

        JsonNode body = offerings(app, appUserId);

        assertThat(body).isEqualTo(Json.read("""
                {"current_offering_id":"default","offerings":[
                  {"identifier":"default","description":"The default","metadata":{},"packages":[
                    {"identifier":"$rc_annual","platform_product_identifier":"%s"},
                    {"identifier":"$rc_monthly","platform_product_identifier":"%s"},
                    {"identifier":"$rc_lifetime","platform_product_identifier":"%s"}]},
                  {"identifier":"sale","description":"The sale","metadata":{"cta":"Save 50%%"},"packages":[
                    {"identifier":"$rc_annual","platform_product_identifier":"%s"}]}],
                 "placements":{"fallback_offering_id":"default","offering_ids_by_placement":{}}}
                """.formatted(annualStripe, monthlyStripe, lifetimeStripe, annualStripe)));
        // Reading offerings creates no customer.
        assertThat(admin().get("/v2/projects/" + app.projectId() + "/customers/" + encode(appUserId)).status())
                .isEqualTo(404);
        // Each product was read from Stripe once, and only this app's.
        assertThat(stripeReadsOf(annualStripe)).isEqualTo(1);
        assertThat(stripeReadsOf(otherStripe)).isZero();
        assertThat(STRIPE.requestsTo("/v1/products/" + monthlyStripe).get(0).params().get("expand[]"))
                .containsExactly("default_price");

        JsonNode details = products(app, appUserId, "id=" + monthlyStripe + "&id=" + lifetimeStripe + "&id=prod_Unknown"
                + "&id=" + otherStripe + "&id=" + annualStripe + "&currency=EUR");

        String monthlyPrice = monthlySold.price();
        String annualPrice = annualSold.price();
        String lifetimePrice = lifetimeSold.price();
        assertThat(details).isEqualTo(Json.read("""
                {"product_details":[
                  {"identifier":"%1$s","product_type":"subscription","title":"Pro Monthly","description":null,
                   "default_purchase_option_id":"%2$s","purchase_options":{"%2$s":{"id":"%2$s","price_id":"%2$s",
                     "base":{"period_duration":"P1M","cycle_count":1,"price":{"amount_micros":9990000,"currency":"USD"}},
                     "trial":{"period_duration":"P7D","cycle_count":1,"price":null},"intro_price":null,"discount":null}}},
                  {"identifier":"%3$s","product_type":"non_consumable","title":"Lifetime","description":null,
                   "default_purchase_option_id":"%4$s","purchase_options":{"%4$s":{"id":"%4$s","price_id":"%4$s",
                     "base_price":{"amount_micros":499000000,"currency":"EUR"}}}},
                  {"identifier":"%5$s","product_type":"subscription","title":"Annual","description":null,
                   "default_purchase_option_id":"%6$s","purchase_options":{"%6$s":{"id":"%6$s","price_id":"%6$s",
                     "base":{"period_duration":"P1Y","cycle_count":1,"price":{"amount_micros":99990000,"currency":"USD"}},
                     "trial":null,"intro_price":null,"discount":null}}}]}
                """.formatted(monthlyStripe, monthlyPrice, lifetimeStripe, lifetimePrice, annualStripe, annualPrice)));
        assertThat(stripeReadsOf(monthlyStripe)).as("served from the cache").isEqualTo(1);
    }


    @Test
    void theSdkRoutesTakeAnAppsPublicKeyAndAnswerErrorsInV1Shape() {
        StripeApp app = app(true);
        Api secret = server().anonymous().withToken(app.secretKey());
        Api noKey = server().anonymous();

        for (String path : List.of("/v1/subscribers/user-1/offerings", "/rcbilling/v1/subscribers/user-1/products?id=x")) {
            HttpResponse withSecret = secret.get(path);
            assertThat(withSecret.status()).as(path).isEqualTo(403);
            assertThat(withSecret.json().get("code").asInt()).isEqualTo(7243);
            HttpResponse without = noKey.get(path);
            assertThat(without.status()).isEqualTo(401);
            assertThat(without.json().get("code").asInt()).isEqualTo(7225);
            assertThat(without.json().has("object")).as("v1 shape").isFalse();
        }
        HttpResponse blocked = sdk(app).get("/v1/subscribers/null/offerings");
        HttpResponse blockedProducts = sdk(app).get("/rcbilling/v1/subscribers/undefined/products?id=prod_A");
        StringBuilder many = new StringBuilder("id=prod_0");
        for (int i = 1; i <= 100; i++) {
            many.append("&id=prod_").append(i);
        }
        HttpResponse tooMany = sdk(app).get("/rcbilling/v1/subscribers/user-1/products?" + many);

        assertThat(blocked.status()).isEqualTo(400);
        assertThat(blocked.json().get("code").asInt()).isEqualTo(7220);
        assertThat(blockedProducts.status()).isEqualTo(400);
        assertThat(blockedProducts.json().get("code").asInt()).isEqualTo(7220);
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.json().get("code").asInt()).isEqualTo(7226);
        assertThat(products(app, "user-1", "id=prod_Unknown").get("product_details")).isEmpty();
        assertThat(offerings(app, "user-1")).isEqualTo(Json.read("""
                {"current_offering_id":null,"offerings":[],
                 "placements":{"fallback_offering_id":null,"offering_ids_by_placement":{}}}"""));
    }

    @Test
    void anOverrideGivesOneCustomerAnotherCurrentOffering() {
        StripeApp app = app(true);
        String product = product(app, app.appId(), stripeProduct("Monthly", 999, "usd", "month", 1, null).product(),
                "subscription", null);
        String current = offering(app, "default", null);
        String sale = offering(app, "sale", null);
        pkg(app, current, "$rc_monthly", null, product);
        pkg(app, sale, "$rc_monthly", null, product);
        Api secret = server().anonymous().withToken(app.secretKey());
        assertThat(sdk(app).get("/v1/subscribers/user-1").status()).isEqualTo(201);
        assertThat(sdk(app).get("/v1/subscribers/user-2").status()).isEqualTo(201);

        HttpResponse unknownSubscriber = secret.post("/v1/subscribers/nobody/offerings/" + sale + "/override", "");
        HttpResponse unknownOffering = secret.post("/v1/subscribers/user-1/offerings/ofrngNope/override", "");
        HttpResponse publicKey = sdk(app).post("/v1/subscribers/user-1/offerings/" + sale + "/override", "");
        HttpResponse set = secret.post("/v1/subscribers/user-1/offerings/" + sale + "/override", "");

        assertThat(unknownSubscriber.status()).isEqualTo(404);
        assertThat(unknownSubscriber.json().get("code").asInt()).isEqualTo(7259);
        assertThat(unknownSubscriber.json().get("message").asText()).contains("Subscriber 'nobody'");
        assertThat(unknownOffering.status()).isEqualTo(404);
        assertThat(unknownOffering.json().get("message").asText()).contains("Offering 'ofrngNope'");
        assertThat(publicKey.status()).isEqualTo(403);
        assertThat(publicKey.json().get("code").asInt()).isEqualTo(7225);
        assertThat(set.status()).isEqualTo(201);
        assertThat(set.json().get("subscriber").get("original_app_user_id").asText()).isEqualTo("user-1");
        assertThat(set.json().get("request_date").asText()).isNotBlank();
        assertThat(offerings(app, "user-1").get("current_offering_id").asText()).isEqualTo("sale");
        assertThat(offerings(app, "user-1").get("placements").get("fallback_offering_id").asText()).isEqualTo("sale");
        assertThat(offerings(app, "user-2").get("current_offering_id").asText()).isEqualTo("default");

        // By lookup key too; the reset answers 201 with the subscriber, as RevenueCat's does.
        assertThat(secret.post("/v1/subscribers/user-2/offerings/sale/override", "").status()).isEqualTo(201);
        assertThat(offerings(app, "user-2").get("current_offering_id").asText()).isEqualTo("sale");
        HttpResponse reset = secret.delete("/v1/subscribers/user-2/offerings/override");
        assertThat(reset.status()).isEqualTo(201);
        assertThat(reset.json().get("subscriber").get("original_app_user_id").asText()).isEqualTo("user-2");
        assertThat(offerings(app, "user-2").get("current_offering_id").asText()).isEqualTo("default");
        assertThat(secret.delete("/v1/subscribers/user-2/offerings/override").status()).as("nothing to reset")
                .isEqualTo(201);

        // A deleted offering takes its overrides with it; so does a deleted customer.
        assertThat(admin().delete("/v2/projects/" + app.projectId() + "/offerings/" + sale).status()).isEqualTo(200);
        assertThat(offerings(app, "user-1").get("current_offering_id").asText()).isEqualTo("default");
        String another = offering(app, "another", null);
        assertThat(secret.post("/v1/subscribers/user-1/offerings/" + another + "/override", "").status())
                .isEqualTo(201);
        assertThat(secret.delete("/v1/subscribers/user-1").status()).isEqualTo(200);
        assertThat(sdk(app).get("/v1/subscribers/user-1").status()).isEqualTo(201);
        assertThat(offerings(app, "user-1").get("current_offering_id").asText()).isEqualTo("default");
    }

    @Test
    void placementsAreAnsweredByLookupKey() {
        StripeApp app = app(true);
        String product = product(app, app.appId(), stripeProduct("Monthly", 999, "usd", "month", 1, null).product(),
                "subscription", null);
        String current = offering(app, "default", null);
        String onboarding = offering(app, "onboarding_offer", null);
        pkg(app, current, "$rc_monthly", null, product);
        pkg(app, onboarding, "$rc_monthly", null, product);
        Map<String, Object> byPlacement = new HashMap<>();
        byPlacement.put("onboarding", onboarding);
        byPlacement.put("settings", null);
        assertThat(admin().post("/v2/projects/" + app.projectId() + "/placements",
                Map.of("fallback_offering_id", onboarding, "offering_ids_by_placement", byPlacement)).status())
                .isEqualTo(200);

        JsonNode body = offerings(app, "user-1");

        assertThat(body.get("current_offering_id").asText()).isEqualTo("default");
        assertThat(body.get("placements")).isEqualTo(Json.read("""
                {"fallback_offering_id":"onboarding_offer",
                 "offering_ids_by_placement":{"onboarding":"onboarding_offer","settings":null}}"""));
    }

    @Test
    void aProductWithoutAPriceToShowIsLeftOutWithItsReason() {
        StripeApp app = app(true);
        Sold shown = stripeProduct("Shown", 999, "usd", "month", 1, null);
        String noDefault = uniqueId("prod_");
        STRIPE.put(StripeObjects.product(noDefault, "No default price", null));
        String missing = uniqueId("prod_");
        String tiered = uniqueId("prod_");
        String tieredPrice = uniqueId("price_");
        ObjectNode tieredJson = StripeObjects.price(tieredPrice, tiered, 0, "usd", "month", 1);
        tieredJson.putNull("unit_amount");
        tieredJson.put("billing_scheme", "tiered");
        STRIPE.put(tieredJson);
        STRIPE.put(StripeObjects.product(tiered, "Tiered", tieredPrice));
        String recurringSoldOnce = stripeProduct("Recurring", 500, "usd", "month", 1, null).product();
        String offering = offering(app, "default", null);
        pkg(app, offering, "$rc_monthly", null, product(app, app.appId(), shown.product(), "subscription", null));
        pkg(app, offering, "$rc_custom_no_default", null, product(app, app.appId(), noDefault, "subscription", null));
        pkg(app, offering, "$rc_custom_missing", null, product(app, app.appId(), missing, "subscription", null));
        pkg(app, offering, "$rc_custom_tiered", null, product(app, app.appId(), tiered, "subscription", null));
        pkg(app, offering, "$rc_lifetime", null, product(app, app.appId(), recurringSoldOnce, "one_time", null));

        JsonNode body = offerings(app, "user-1");
        JsonNode details = products(app, "user-1", "id=" + shown.product() + "&id=" + noDefault + "&id=" + missing
                + "&id=" + tiered + "&id=" + recurringSoldOnce);
        JsonNode preview = admin().get("/v2/projects/" + app.projectId() + "/offerings/" + offering + "/prices").json();

        assertThat(body.get("offerings").get(0).get("packages")).extracting(p -> p.get("identifier").asText())
                .containsExactly("$rc_monthly");
        assertThat(details.get("product_details")).extracting(p -> p.get("identifier").asText())
                .containsExactly(shown.product());
        assertThat(preview.get("object").asText()).isEqualTo("offering_prices");
        assertThat(preview.get("offering_id").asText()).isEqualTo(offering);
        assertThat(preview.get("packages")).extracting(p -> p.get("lookup_key").asText()).containsExactly(
                "$rc_monthly", "$rc_custom_no_default", "$rc_custom_missing", "$rc_custom_tiered", "$rc_lifetime");
        JsonNode first = preview.get("packages").get(0).get("products").get(0);
        assertThat(first.get("shown").asBoolean()).isTrue();
        assertThat(first.get("store_identifier").asText()).isEqualTo(shown.product());
        assertThat(first.get("price")).isEqualTo(Json.read("""
                {"price_id":"%s","title":"Shown","product_type":"subscription","amount_micros":9990000,
                 "currency":"USD","period_duration":"P1M","trial_duration":null}""".formatted(shown.price())));
        assertThat(first.get("left_out_reason").isNull()).isTrue();
        assertThat(first.get("read_at").asLong()).isEqualTo(clock().millis());
        List<String> reasons = new java.util.ArrayList<>();
        for (int i = 1; i < 5; i++) {
            JsonNode item = preview.get("packages").get(i).get("products").get(0);
            assertThat(item.get("shown").asBoolean()).isFalse();
            assertThat(item.get("price").isNull()).isTrue();
            reasons.add(item.get("left_out_reason").asText());
        }
        assertThat(reasons.get(0)).contains(noDefault, "has no default price");
        assertThat(reasons.get(1)).contains("Stripe has no product " + missing, "test or live");
        assertThat(reasons.get(2)).contains(tieredPrice, "no fixed amount");
        assertThat(reasons.get(3)).contains("is recurring, but the product is one-time in Substate");

        // Without a Stripe API key nothing can be read: every product is left out, and Stripe is not asked.
        StripeApp keyless = app(false);
        String keylessStripe = stripeProduct("Keyless", 999, "usd", "month", 1, null).product();
        String keylessOffering = offering(keyless, "default", null);
        pkg(keyless, keylessOffering, "$rc_monthly", null,
                product(keyless, keyless.appId(), keylessStripe, "subscription", null));
        assertThat(offerings(keyless, "user-1").get("offerings").get(0).get("packages")).isEmpty();
        JsonNode keylessPreview = admin().get("/v2/projects/" + keyless.projectId() + "/offerings/" + keylessOffering
                + "/prices").json();
        assertThat(keylessPreview.get("packages").get(0).get("products").get(0).get("left_out_reason").asText())
                .contains("no Stripe API key");
        assertThat(stripeReadsOf(keylessStripe)).isZero();
    }

    @Test
    void pricesAreKeptAnHourSharedByInstancesAndTheLastKnownOneServedWhileStripeFails() {
        StripeApp app = app(true);
        Sold sold = stripeProduct("Monthly", 999, "usd", "month", 1, null);
        String offering = offering(app, "default", null);
        pkg(app, offering, "$rc_monthly", null, product(app, app.appId(), sold.product(), "subscription", null));
        String query = "id=" + sold.product();

        offerings(app, "user-1");
        products(app, "user-1", query);
        offerings(app, "user-2");
        assertThat(stripeReadsOf(sold.product())).as("one read for three requests").isEqualTo(1);
        try (TestServer second = server().startAnotherInstance()) {
            HttpResponse fromSecond = new Api(second.baseUrl(), app.publicKey())
                    .get("/rcbilling/v1/subscribers/user-1/products?" + query);
            assertThat(fromSecond.json().get("product_details")).hasSize(1);
            assertThat(stripeReadsOf(sold.product())).as("the cache is in the database").isEqualTo(1);
        }

        // The merchant changes the default price in Stripe: seen once the hour is over.
        String newPrice = uniqueId("price_");
        STRIPE.put(StripeObjects.price(newPrice, sold.product(), 1299, "usd", "month", 1));
        STRIPE.put(StripeObjects.product(sold.product(), "Monthly", newPrice));
        advance(Duration.ofMinutes(59));
        assertThat(amountMicros(products(app, "user-1", query))).isEqualTo(9_990_000);
        assertThat(stripeReadsOf(sold.product())).isEqualTo(1);
        advance(Duration.ofMinutes(2));
        assertThat(amountMicros(products(app, "user-1", query))).isEqualTo(12_990_000);
        assertThat(stripeReadsOf(sold.product())).isEqualTo(2);

        // An hour later Stripe fails: the last known price is served, and the log says so (without the key).
        advance(Duration.ofMinutes(61));
        List<ILoggingEvent> warnings = capturingWarnings(() -> {
            STRIPE.failNext(500);
            assertThat(amountMicros(products(app, "user-1", query))).isEqualTo(12_990_000);
            assertThat(offerings(app, "user-1").get("offerings").get(0).get("packages")).hasSize(1);
        });
        assertThat(stripeReadsOf(sold.product())).as("not asked again right after failing").isEqualTo(3);
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0).getFormattedMessage()).contains(sold.product(), app.appId(), "HTTP 500",
                "serving what Stripe answered at").doesNotContain(FakeStripe.API_KEY);
        JsonNode stale = admin().get("/v2/projects/" + app.projectId() + "/offerings/" + offering + "/prices").json()
                .get("packages").get(0).get("products").get(0);
        assertThat(stale.get("shown").asBoolean()).isTrue();
        assertThat(stale.get("failure").asText()).contains("HTTP 500");
        assertThat(stale.get("failed_at").asLong()).isEqualTo(clock().millis());

        // A minute later Stripe is asked again, and answers.
        advance(Duration.ofMinutes(2));
        assertThat(amountMicros(products(app, "user-1", query))).isEqualTo(12_990_000);
        assertThat(stripeReadsOf(sold.product())).isEqualTo(4);
        JsonNode recovered = admin().get("/v2/projects/" + app.projectId() + "/offerings/" + offering + "/prices")
                .json().get("packages").get(0).get("products").get(0);
        assertThat(recovered.get("failure").isNull()).isTrue();
        assertThat(recovered.get("read_at").asLong()).isEqualTo(clock().millis());

        // The dashboard can ask for a read now.
        admin().get("/v2/projects/" + app.projectId() + "/offerings/" + offering + "/prices?refresh=true");
        assertThat(stripeReadsOf(sold.product())).isEqualTo(5);
    }

    @Test
    void aProductNeverReadIsLeftOutWhileStripeIsDown() {
        StripeApp app = app(true);
        Sold sold = stripeProduct("Monthly", 999, "usd", "month", 1, null);
        String offering = offering(app, "default", null);
        pkg(app, offering, "$rc_monthly", null, product(app, app.appId(), sold.product(), "subscription", null));

        List<ILoggingEvent> warnings = capturingWarnings(() -> {
            STRIPE.failNext(503);
            assertThat(offerings(app, "user-1").get("offerings").get(0).get("packages")).isEmpty();
        });
        JsonNode preview = admin().get("/v2/projects/" + app.projectId() + "/offerings/" + offering + "/prices").json()
                .get("packages").get(0).get("products").get(0);

        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0).getFormattedMessage()).contains(sold.product(), "left out");
        assertThat(preview.get("shown").asBoolean()).isFalse();
        assertThat(preview.get("left_out_reason").asText()).contains("Stripe has not been read", "HTTP 503");
        assertThat(stripeReadsOf(sold.product())).isEqualTo(1);
        advance(Duration.ofMinutes(2));
        assertThat(offerings(app, "user-1").get("offerings").get(0).get("packages")).hasSize(1);
    }

    @Test
    void concurrentRequestsShareOneReadOfAProduct() throws Exception {
        StripeApp app = app(true);
        Sold sold = stripeProduct("Monthly", 999, "usd", "month", 1, null);
        String offering = offering(app, "default", null);
        pkg(app, offering, "$rc_monthly", null, product(app, app.appId(), sold.product(), "subscription", null));
        STRIPE.delayNext(Duration.ofMillis(800));

        var pool = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Future<JsonNode>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String user = "user-" + i;
                answers.add(pool.submit(() -> offerings(app, user)));
            }
            for (var answer : answers) {
                assertThat(answer.get().get("offerings").get(0).get("packages")).hasSize(1);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(stripeReadsOf(sold.product())).isEqualTo(1);
    }

    static long amountMicros(JsonNode details) {
        JsonNode product = details.get("product_details").get(0);
        return product.get("purchase_options").get(product.get("default_purchase_option_id").asText()).get("base")
                .get("price").get("amount_micros").asLong();
    }

    static List<ILoggingEvent> capturingWarnings(Runnable action) {
        Logger logger = (Logger) LoggerFactory.getLogger(PriceService.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            action.run();
        } finally {
            logger.detachAppender(appender);
        }
        return appender.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
    }
}
