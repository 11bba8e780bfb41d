package io.substate.customers;

import static io.substate.testing.StripeEventBuilder.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.substate.testing.Api;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * CORS over HTTP on both databases (README, "Browsers (CORS)"), with the headers a browser sends: preflights of the
 * routes RevenueCat's web SDK calls with a public key, and the allowance on their answers, decided by the key and the
 * app's allowed_origins. Secret keys, the admin API, the Stripe webhook endpoint and the dashboard never get one.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class CorsTest {
    static final String PAGE = "https://shop.example.com";
    static final String OTHER_PAGE = "https://evil.example";

    /** What purchases-js 1.63.1 may send on an API call (its reserved header names). */
    static final List<String> SDK_HEADERS = List.of("Authorization", "Content-Type", "Accept", "X-Platform", "X-Version",
            "X-Is-Sandbox", "X-Platform-Flavor", "X-Platform-Flavor-Version", "X-RC-Subscriber-Token");

    @Parameter
    TestDb db;

    StripeApp app;

    TestServer server() {
        return TestServer.shared(db);
    }

    @BeforeEach
    void newProject() {
        app = Fixtures.stripeApp(server().admin(), new HashMap<>());
    }

    /** A page of {@code origin} calling with {@code key}, as purchases-js does (it sends X-Platform: web). */
    Api page(String origin, String key) {
        return server().anonymous().withToken(key).withHeader("Origin", origin).withHeader("X-Platform", "web");
    }

    HttpResponse preflight(String path, String origin, String method) {
        return server().anonymous().withHeader("Origin", origin).withHeader("Access-Control-Request-Method", method)
                .withHeader("Access-Control-Request-Headers", "authorization,content-type,x-is-sandbox,x-platform,x-version")
                .send("OPTIONS", path, null);
    }

    void restrictTo(List<String> origins) {
        HttpResponse patched = server().admin().patch("/v2/projects/" + app.projectId() + "/apps/" + app.appId(),
                Map.of("allowed_origins", origins));
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
    }

    static List<String> listed(String header) {
        return header == null ? List.of()
                : Arrays.stream(header.split(",")).map(s -> s.trim().toLowerCase(Locale.ROOT)).toList();
    }

    static void assertAllowed(HttpResponse response, String origin) {
        assertThat(response.header("Access-Control-Allow-Origin")).as(response.toString()).isEqualTo(origin);
        assertThat(listed(response.header("Vary"))).contains("origin");
    }

    static void assertNoAllowance(HttpResponse response) {
        assertThat(response.header("Access-Control-Allow-Origin")).as(response.toString()).isNull();
        assertThat(response.header("Access-Control-Allow-Methods")).isNull();
        assertThat(response.header("Access-Control-Allow-Headers")).isNull();
        assertThat(response.header("Access-Control-Allow-Credentials")).isNull();
    }

    @Test
    void everySdkRouteAnswersItsPreflightWithItsMethodAndEveryHeaderTheSdkSends() {
        String user = "%24RCAnonymousID%3A" + uniqueId("");
        Map<String, String> routes = new java.util.LinkedHashMap<>();
        routes.put("/v1/subscribers/" + user, "GET");
        routes.put("/v1/subscribers/identify", "POST");
        routes.put("/v1/subscribers/" + user + "/attributes", "POST");
        routes.put("/v1/receipts", "POST");
        routes.put("/v1/subscribers/" + user + "/offerings", "GET");
        routes.put("/rcbilling/v1/subscribers/" + user + "/products?id=prod_A&id=prod_B&currency=EUR", "GET");

        routes.forEach((path, method) -> {
            HttpResponse response = preflight(path, PAGE, method);

            assertThat(response.status()).as(path + " " + response).isEqualTo(204);
            assertAllowed(response, PAGE);
            assertThat(listed(response.header("Access-Control-Allow-Methods"))).as(path)
                    .contains(method.toLowerCase(Locale.ROOT)).doesNotContain("delete", "patch", "put");
            assertThat(listed(response.header("Access-Control-Allow-Headers"))).as(path)
                    .containsAll(SDK_HEADERS.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList())
                    .doesNotContain("*");
            assertThat(Long.parseLong(response.header("Access-Control-Max-Age"))).isPositive();
            assertThat(response.header("Access-Control-Allow-Credentials")).isNull();
        });
    }

    @Test
    void aPreflightIsAllowedForAnyOriginEvenWhenTheAppRestrictsThem() {
        restrictTo(List.of(PAGE));

        HttpResponse response = preflight("/v1/subscribers/u1", OTHER_PAGE, "GET");

        assertThat(response.status()).isEqualTo(204);
        assertAllowed(response, OTHER_PAGE);
    }

    @Test
    void aSecretOnlyMethodOrAnUnknownOneGetsNoAllowance() {
        HttpResponse delete = preflight("/v1/subscribers/u1", PAGE, "DELETE");
        HttpResponse put = preflight("/v1/subscribers/u1/attributes", PAGE, "PUT");
        HttpResponse getReceipts = preflight("/v1/receipts", PAGE, "GET");
        HttpResponse notAPreflight = server().anonymous().withHeader("Origin", PAGE).send("OPTIONS", "/v1/receipts", null);

        for (HttpResponse response : List.of(delete, put, getReceipts)) {
            assertThat(response.status()).as(response.toString()).isEqualTo(403);
            assertThat(response.json().get("code").asInt()).isEqualTo(7225);
            assertNoAllowance(response);
        }
        assertThat(delete.json().get("message").asText()).contains("DELETE").contains("secret key");
        assertThat(notAPreflight.status()).isEqualTo(405);
        assertThat(notAPreflight.json().get("message").asText()).contains("Access-Control-Request-Method");
        assertNoAllowance(notAPreflight);
    }

    @Test
    void theAdminApiTheStripeWebhookAndTheDashboardAnswerPreflightsAsBeforeWithoutAllowance() {
        for (String path : List.of("/v2/projects", "/v2/projects/" + app.projectId() + "/apps/" + app.appId(),
                "/v2/projects/" + app.projectId() + "/customers/u1", app.webhookPath(), "/projects",
                "/projects/" + app.projectId(), "/", "/assets/main.js", "/health/ready", "/metrics",
                "/v1/subscribers/u1/entitlements/pro/promotional")) {
            for (String method : List.of("GET", "POST", "PATCH", "DELETE")) {
                HttpResponse response = preflight(path, PAGE, method);

                assertThat(response.status()).as(method + " " + path + " " + response).isIn(404, 405);
                assertThat(response.header("Content-Type")).startsWith("application/json");
                assertNoAllowance(response);
            }
        }
        HttpResponse admin = server().admin().withHeader("Origin", PAGE).get("/v2/projects/" + app.projectId());
        assertThat(admin.status()).isEqualTo(200);
        assertNoAllowance(admin);
    }

    @Test
    void aPublicKeyFromAnyOriginIsAllowedByDefaultOnEverySdkRoute() {
        String user = "user-" + uniqueId("");
        Api page = page(PAGE, app.publicKey());

        HttpResponse created = page.get("/v1/subscribers/" + user);
        HttpResponse again = page.get("/v1/subscribers/" + user);
        HttpResponse attributes = page.post("/v1/subscribers/" + user + "/attributes",
                Map.of("attributes", Map.of("$email", Map.of("value", "a@example.com", "updated_at_ms", 1))));
        HttpResponse identified = page.post("/v1/subscribers/identify",
                Map.of("app_user_id", user, "new_app_user_id", "user-" + uniqueId("")));

        assertThat(created.status()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(200);
        assertThat(attributes.status()).as(attributes.toString()).isEqualTo(200);
        assertThat(identified.status()).as(identified.toString()).isIn(200, 201);
        for (HttpResponse response : List.of(created, again, attributes, identified)) {
            assertAllowed(response, PAGE);
            assertThat(response.header("Content-Type")).startsWith("application/json");
            assertThat(response.json().isObject()).isTrue();
        }
        assertThat(again.json().get("subscriber").get("original_app_user_id").asText()).isEqualTo(user);
    }

    @Test
    void anAppsAllowedOriginsDecideWhichPagesMayReadItsAnswers() {
        restrictTo(List.of(PAGE, "http://localhost:5173"));
        String user = "user-" + uniqueId("");

        HttpResponse allowed = page(PAGE, app.publicKey()).get("/v1/subscribers/" + user);
        HttpResponse local = page("http://localhost:5173", app.publicKey()).get("/v1/subscribers/" + user);
        HttpResponse other = page(OTHER_PAGE, app.publicKey()).get("/v1/subscribers/" + user);
        HttpResponse otherPort = page("https://shop.example.com:8443", app.publicKey()).get("/v1/subscribers/" + user);
        HttpResponse otherScheme = page("http://shop.example.com", app.publicKey()).get("/v1/subscribers/" + user);
        HttpResponse otherPost = page(OTHER_PAGE, app.publicKey()).post("/v1/subscribers/identify",
                Map.of("app_user_id", user, "new_app_user_id", "user-" + uniqueId("")));
        HttpResponse noOrigin = server().anonymous().withToken(app.publicKey()).get("/v1/subscribers/" + user);

        assertAllowed(allowed, PAGE);
        assertAllowed(local, "http://localhost:5173");
        for (HttpResponse refused : List.of(other, otherPort, otherScheme, otherPost)) {
            // Still answered: only the browser keeps the page from reading it.
            assertThat(refused.status()).as(refused.toString()).isIn(200, 201);
            assertNoAllowance(refused);
            assertThat(listed(refused.header("Vary"))).contains("origin");
        }
        assertThat(noOrigin.status()).isEqualTo(200);
        assertNoAllowance(noOrigin);

        restrictTo(List.of());
        assertNoAllowance(page(PAGE, app.publicKey()).get("/v1/subscribers/" + user));
    }

    @Test
    void theSecretKeyNeverGetsAnAllowance() {
        String user = "user-" + uniqueId("");
        Api page = page(PAGE, app.secretKey());

        HttpResponse get = page.get("/v1/subscribers/" + user);
        HttpResponse attributes = page.post("/v1/subscribers/" + user + "/attributes",
                Map.of("attributes", Map.of("$email", Map.of("value", "a@example.com", "updated_at_ms", 1))));
        HttpResponse receipt = page.post("/v1/receipts", Map.of("app_user_id", user, "fetch_token", "sub_1"));
        HttpResponse delete = page.delete("/v1/subscribers/" + user);
        HttpResponse unknownSecret = page(PAGE, "sk_unknown0123456789").get("/v1/subscribers/" + user);

        assertThat(get.status()).isEqualTo(201);
        assertThat(attributes.status()).isEqualTo(200);
        assertThat(receipt.status()).isEqualTo(403);
        assertThat(delete.status()).isEqualTo(200);
        assertThat(unknownSecret.status()).isEqualTo(401);
        for (HttpResponse response : List.of(get, attributes, receipt, delete, unknownSecret)) {
            assertNoAllowance(response);
        }
        // A public key on a secret-key route is refused, without allowance either.
        HttpResponse publicDelete = page(PAGE, app.publicKey()).delete("/v1/subscribers/" + user);
        assertThat(publicDelete.status()).isEqualTo(403);
        assertNoAllowance(publicDelete);
    }

    @Test
    void errorsOfSdkRoutesCarryTheAllowanceSoTheSdkCanReadThem() {
        Api page = page(PAGE, app.publicKey());

        HttpResponse blockedId = page.get("/v1/subscribers/null");
        HttpResponse badAttributes = page.post("/v1/subscribers/u1/attributes", Map.of("nothing", 1));
        HttpResponse badJson = page.post("/v1/subscribers/identify", "{not json");
        HttpResponse noPlatform = server().anonymous().withToken(app.publicKey()).withHeader("Origin", PAGE)
                .post("/v1/receipts", Map.of("app_user_id", "u1", "fetch_token", "sub_1"));
        HttpResponse unknownToken = page.withHeader("X-Platform", "stripe")
                .post("/v1/receipts", Map.of("app_user_id", "u1", "fetch_token", "nope"));
        HttpResponse unknownKey = page(PAGE, "strp_unknown0123456789").get("/v1/subscribers/u1");
        HttpResponse noKey = server().anonymous().withHeader("Origin", PAGE).get("/v1/subscribers/u1");

        assertThat(blockedId.status()).isEqualTo(400);
        assertThat(blockedId.json().get("code").asInt()).isEqualTo(7220);
        assertThat(badAttributes.status()).isEqualTo(400);
        assertThat(badJson.status()).isEqualTo(400);
        assertThat(noPlatform.status()).isEqualTo(400);
        assertThat(noPlatform.json().get("code").asInt()).isEqualTo(7000);
        assertThat(unknownToken.status()).isBetween(400, 499);
        assertThat(unknownKey.status()).isEqualTo(401);
        assertThat(unknownKey.json().get("code").asInt()).isEqualTo(7225);
        assertThat(noKey.status()).isEqualTo(401);
        for (HttpResponse response : List.of(blockedId, badAttributes, badJson, noPlatform, unknownToken, unknownKey,
                noKey)) {
            assertAllowed(response, PAGE);
            assertThat(response.header("Content-Type")).startsWith("application/json");
            assertThat(response.json().has("code")).as(response.toString()).isTrue();
            assertThat(response.json().has("message")).isTrue();
        }

        // A page the app does not allow cannot read its errors either.
        restrictTo(List.of(OTHER_PAGE));
        HttpResponse refused = page.get("/v1/subscribers/null");
        assertThat(refused.status()).isEqualTo(400);
        assertNoAllowance(refused);
    }
}
