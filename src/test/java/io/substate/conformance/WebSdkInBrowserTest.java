package io.substate.conformance;

import static io.substate.testing.StripeEventBuilder.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.substate.common.Json;
import io.substate.testing.Api;
import io.substate.testing.Browser;
import io.substate.testing.FakeStripe;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A RevenueCat web app in a real browser, on an origin of its own, using RevenueCat's own browser build of
 * {@code @revenuecat/purchases-js} with only {@code proxyURL} pointed at Substate: CORS, customer info, offerings with
 * their Stripe prices, placements, attributes, identify, and an entitlement granted by the app's backend. The same
 * page must not be able to read what a secret key or the admin token answers.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class WebSdkInBrowserTest {
    static final String PORTAL = "https://billing.stripe.com/p/login/test_web_sdk";

    @Parameter
    TestDb db;

    static Browser browser;
    static HttpServer page;

    @BeforeAll
    static void startBrowserAndPage() throws Exception {
        Path sdk = PurchasesJsConformanceTest.installSdk().getParent()
                .resolve("node_modules/@revenuecat/purchases-js/dist/Purchases.umd.js");
        byte[] html;
        try (InputStream in = WebSdkInBrowserTest.class.getResourceAsStream("/sdk-browser/index.html")) {
            html = in.readAllBytes();
        }
        byte[] script = Files.readAllBytes(sdk);
        // The app's own origin: another port (and host name) than Substate's, so every SDK call is cross-origin.
        page = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        page.createContext("/", exchange -> serve(exchange, exchange.getRequestURI().getPath().equals("/Purchases.umd.js")
                ? script : html, exchange.getRequestURI().getPath().endsWith(".js") ? "text/javascript" : "text/html"));
        page.start();
        browser = Browser.start();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (page != null) {
            page.stop(0);
        }
    }

    private static void serve(HttpExchange exchange, byte[] body, String type) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Test
    void aWebAppUsesSubstateThroughItsProxyUrlOnly() {
        try (FakeStripe stripe = FakeStripe.start();
                TestServer server = TestServer.start(db, Map.of("SUBSTATE_STRIPE_API_BASE", stripe.baseUrl()))) {
            Api admin = server.admin();
            StripeApp app = Fixtures.stripeApp(admin, Map.of("api_key", FakeStripe.API_KEY, "management_url", PORTAL));
            Catalog catalog = Catalog.create(admin, stripe, app);
            String anonymous = "$RCAnonymousID:" + java.util.UUID.randomUUID().toString().replace("-", "");
            String subscription = uniqueId("sub_");
            long now = System.currentTimeMillis() / 1000;
            stripe.put(StripeObjects.subscription(subscription).status("active").price("price_monthly", "prod_Monthly")
                    .amount(999, "usd").period(now - 60, now + 30 * 86400).json());
            HttpResponse receipt = server.anonymous().withToken(app.publicKey()).withHeader("X-Platform", "stripe")
                    .post("/v1/receipts", Map.of("app_user_id", anonymous, "fetch_token", subscription));
            assertThat(receipt.status()).as(receipt.toString()).isEqualTo(200);

            // The app's page, on its own origin, configures the SDK with Substate as its proxy.
            browser.open("http://localhost:" + page.getAddress().getPort() + "/");
            String configured = (String) browser.script("return window.app.configure(arguments[0], arguments[1], "
                    + "arguments[2])", app.publicKey(), anonymous, server.baseUrl());
            assertThat(configured).isEqualTo(anonymous);

            JsonNode info = call("customerInfo");
            assertThat(info.path("error").isMissingNode()).as(info.toString()).isTrue();
            assertThat(info.get("originalAppUserId").asText()).isEqualTo(anonymous);
            assertThat(info.get("active").get("pro").get("store").asText()).isEqualTo("stripe");
            assertThat(info.get("active").get("pro").get("productIdentifier").asText()).isEqualTo("prod_Monthly");

            JsonNode offerings = call("offerings");
            assertThat(offerings.path("error").isMissingNode()).as(offerings.toString()).isTrue();
            assertThat(offerings.get("all").toString()).isEqualTo("[\"default\",\"onboarding\"]");
            JsonNode current = offerings.get("current");
            assertThat(current.get("identifier").asText()).isEqualTo("default");
            assertThat(current.get("serverDescription").asText()).isEqualTo("The standard paywall");
            assertThat(current.get("metadata").get("cta").asText()).isEqualTo("Start your trial");
            JsonNode monthly = current.get("packages").get(0);
            assertThat(monthly.get("identifier").asText()).isEqualTo("$rc_monthly");
            JsonNode product = monthly.get("product");
            assertThat(product.get("identifier").asText()).isEqualTo("prod_Monthly");
            assertThat(product.get("title").asText()).isEqualTo("Monthly");
            assertThat(product.get("currentPrice").get("amountMicros").asLong()).isEqualTo(9_990_000L);
            assertThat(product.get("currentPrice").get("currency").asText()).isEqualTo("USD");
            assertThat(product.get("normalPeriodDuration").asText()).isEqualTo("P1M");
            assertThat(product.get("freeTrial").asText()).isEqualTo("P7D");

            JsonNode onboarding = call("placement", "onboarding").get("offering");
            assertThat(onboarding.get("identifier").asText()).isEqualTo("onboarding");
            JsonNode annual = onboarding.get("packages").get(0).get("product");
            assertThat(annual.get("currentPrice").get("amountMicros").asLong()).isEqualTo(79_000_000L);
            assertThat(annual.get("currentPrice").get("currency").asText()).isEqualTo("EUR");
            assertThat(annual.get("normalPeriodDuration").asText()).isEqualTo("P1Y");
            assertThat(call("placement", "settings_screen").get("offering").get("identifier").asText())
                    .as("an unlisted placement gets the fallback offering").isEqualTo("default");

            JsonNode attributes = call("setAttributes", Map.of("$email", "web@example.com", "nickname", "web-user"));
            assertThat(attributes.toString()).isEqualTo("{\"set\":true}");
            String newUser = "web_user_" + uniqueId("");
            JsonNode identified = call("identify", newUser);
            assertThat(identified.get("wasCreated").asBoolean()).as(identified.toString()).isTrue();
            assertThat(identified.get("appUserId").asText()).isEqualTo(newUser);
            JsonNode stored = server.anonymous().withToken(app.secretKey()).get("/v1/subscribers/" + newUser).json()
                    .get("subscriber");
            assertThat(stored.get("subscriber_attributes").get("$email").get("value").asText())
                    .isEqualTo("web@example.com");

            // The app's backend grants an entitlement with the secret key; the page sees it at its next check.
            assertThat(call("isEntitledTo", "beta").get("entitled").asBoolean()).isFalse();
            HttpResponse granted = server.anonymous().withToken(app.secretKey())
                    .post("/v1/subscribers/" + newUser + "/entitlements/beta/promotional", Map.of("duration", "weekly"));
            assertThat(granted.status()).as(granted.toString()).isEqualTo(201);
            assertThat(call("isEntitledTo", "beta").get("entitled").asBoolean()).isTrue();
            assertThat(call("customerInfo").get("active").get("beta").get("store").asText()).isEqualTo("promotional");

            // What the page must not read: the secret key's and the admin token's answers.
            String subscriber = server.baseUrl() + "/v1/subscribers/" + newUser;
            assertThat(call("fetchWith", subscriber, "GET", app.secretKey()).get("read").asBoolean()).isFalse();
            assertThat(call("fetchWith", subscriber, "DELETE", app.secretKey()).get("read").asBoolean()).isFalse();
            assertThat(call("fetchWith", server.baseUrl() + "/v2/projects", "GET", TestServer.ADMIN_TOKEN)
                    .get("read").asBoolean()).isFalse();
            assertThat(call("fetchWith", subscriber, "GET", app.publicKey()).get("read").asBoolean())
                    .as("the public key's answer is readable").isTrue();
            assertThat(server.anonymous().withToken(app.secretKey()).get("/v1/subscribers/" + newUser).status())
                    .as("the refused DELETE never reached the server").isEqualTo(200);
        }
    }

    /** Calls {@code window.app[name](...args)} in the page and returns its JSON. */
    private static JsonNode call(String name, Object... args) {
        Object result = browser.asyncScript("window.call(arguments[0], arguments[1], arguments[arguments.length - 1])",
                name, List.of(args));
        return Json.read((String) result);
    }

    /**
     * The app's catalog, made through the admin API as its team would: two Stripe products with their prices in
     * Stripe, entitlements, an offering "default" (current) with a monthly package and an offering "onboarding" with
     * an annual one, and the placement "onboarding" → "onboarding" with "default" as the fallback.
     */
    private record Catalog(String defaultOffering, String onboardingOffering) {
        static Catalog create(Api admin, FakeStripe stripe, StripeApp app) {
            String project = "/v2/projects/" + app.projectId();
            ObjectNode monthly = StripeObjects.price("price_monthly", "prod_Monthly", 999, "usd", "month", 1);
            ((ObjectNode) monthly.get("recurring")).put("trial_period_days", 7);
            stripe.put(StripeObjects.product("prod_Monthly", "Monthly", "price_monthly")).put(monthly);
            stripe.put(StripeObjects.product("prod_Annual", "Annual", "price_annual"))
                    .put(StripeObjects.price("price_annual", "prod_Annual", 7900, "eur", "year", 1));
            Fixtures.entitlement(admin, app, "pro", "prod_Monthly", "subscription");
            Fixtures.entitlement(admin, app, "annual_pro", "prod_Annual", "subscription");
            HttpResponse beta = admin.post(project + "/entitlements", Map.of("lookup_key", "beta", "display_name", "Beta"));
            assertThat(beta.status()).as(beta.toString()).isEqualTo(201);
            Map<String, String> products = productIds(admin, project);
            String defaultOffering = offering(admin, project, "default", "The standard paywall",
                    Map.of("cta", "Start your trial"), "$rc_monthly", products.get("prod_Monthly"));
            String onboarding = offering(admin, project, "onboarding", "First-run offer", Map.of(), "$rc_annual",
                    products.get("prod_Annual"));
            HttpResponse current = admin.post(project + "/offerings/" + defaultOffering, Map.of("is_current", true));
            assertThat(current.status()).as(current.toString()).isEqualTo(200);
            HttpResponse placements = admin.post(project + "/placements", Map.of("fallback_offering_id",
                    defaultOffering, "offering_ids_by_placement", Map.of("onboarding", onboarding)));
            assertThat(placements.status()).as(placements.toString()).isEqualTo(200);
            return new Catalog(defaultOffering, onboarding);
        }

        private static Map<String, String> productIds(Api admin, String project) {
            Map<String, String> ids = new java.util.HashMap<>();
            admin.get(project + "/products").json().get("items").forEach(p ->
                    ids.put(p.get("store_identifier").asText(), p.get("id").asText()));
            return ids;
        }

        private static String offering(Api admin, String project, String lookupKey, String displayName,
                Map<String, Object> metadata, String packageKey, String productId) {
            HttpResponse offering = admin.post(project + "/offerings", Map.of("lookup_key", lookupKey,
                    "display_name", displayName, "metadata", metadata));
            assertThat(offering.status()).as(offering.toString()).isEqualTo(201);
            String offeringId = offering.json().get("id").asText();
            HttpResponse pkg = admin.post(project + "/offerings/" + offeringId + "/packages",
                    Map.of("lookup_key", packageKey, "display_name", packageKey, "position", 1));
            assertThat(pkg.status()).as(pkg.toString()).isEqualTo(201);
            HttpResponse attached = admin.post(project + "/packages/" + pkg.json().get("id").asText()
                    + "/actions/attach_products", Map.of("products", List.of(Map.of("product_id", productId,
                    "eligibility_criteria", "all"))));
            assertThat(attached.status()).as(attached.toString()).isEqualTo(200);
            return offeringId;
        }


    }
}
