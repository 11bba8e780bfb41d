package io.substate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
import io.substate.testing.HttpResponse;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every admin route against every kind of client mistake: each answers a JSON 4xx with a stable code, and nothing is
 * written (table counts and the fixture's JSON are compared before and after each test). Who may call which route is
 * {@link V2RouteAuthTest}'s, over every registered route.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class AdminBadInputTest {
    @Parameter
    TestDb db;

    String projectId;
    String secretKey;
    String appId;
    String publicKey;
    String entitlementId;
    String productId;
    String spareProductId;
    Map<String, Object> snapshot;

    /** One admin route with a body that would succeed, so each test changes exactly one thing. */
    record Route(String method, String path, Map<String, Object> validBody) {
        boolean hasBody() {
            return validBody != null;
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    Api admin() {
        return TestServer.shared(db).admin();
    }

    @BeforeEach
    void createFixture() {
        JsonNode project = admin().post("/v2/projects", Map.of("name", "Fixture")).json();
        projectId = project.get("id").asText();
        secretKey = project.get("secret_api_key").asText();
        JsonNode app = admin().post(projectPath() + "/apps", Map.of("name", "Web", "type", "stripe",
                "stripe", Map.of("webhook_secret", "whsec_fixture"))).json();
        appId = app.get("id").asText();
        publicKey = app.get("public_api_key").asText();
        entitlementId = admin().post(projectPath() + "/entitlements", Map.of("lookup_key", "premium",
                "display_name", "Premium")).json().get("id").asText();
        productId = admin().post(projectPath() + "/products", Map.of("store_identifier", "prod_Fixture",
                "app_id", appId, "type", "subscription")).json().get("id").asText();
        spareProductId = admin().post(projectPath() + "/products", Map.of("store_identifier", "prod_Spare",
                "app_id", appId, "type", "subscription")).json().get("id").asText();
        HttpResponse attached = admin().post(entitlementPath() + "/actions/attach_products",
                Map.of("product_ids", List.of(productId)));
        assertThat(attached.status()).as(attached.toString()).isEqualTo(200);
        snapshot = snapshot();
    }

    @AfterEach
    void nothingWasWritten() {
        assertThat(snapshot()).isEqualTo(snapshot);
    }

    String projectPath() {
        return "/v2/projects/" + projectId;
    }

    String entitlementPath() {
        return projectPath() + "/entitlements/" + entitlementId;
    }

    List<Route> routes() {
        String p = projectPath();
        return List.of(
                new Route("POST", "/v2/projects", Map.of("name", "New")),
                new Route("GET", "/v2/projects", null),
                new Route("GET", p, null),
                new Route("PATCH", p, Map.of("name", "Renamed")),
                new Route("POST", p + "/apps", Map.of("name", "New", "type", "stripe")),
                new Route("GET", p + "/apps", null),
                new Route("GET", p + "/apps/" + appId, null),
                new Route("PATCH", p + "/apps/" + appId, Map.of("name", "Renamed")),
                new Route("POST", p + "/entitlements", Map.of("lookup_key", "new", "display_name", "New")),
                new Route("GET", p + "/entitlements", null),
                new Route("GET", entitlementPath(), null),
                new Route("PATCH", entitlementPath(), Map.of("display_name", "Renamed")),
                new Route("DELETE", entitlementPath(), null),
                new Route("POST", entitlementPath() + "/actions/attach_products",
                        Map.of("product_ids", List.of(spareProductId))),
                new Route("POST", entitlementPath() + "/actions/detach_products",
                        Map.of("product_ids", List.of(productId))),
                new Route("POST", p + "/products", Map.of("store_identifier", "prod_New", "app_id", appId,
                        "type", "subscription")),
                new Route("GET", p + "/products", null),
                new Route("GET", p + "/products/" + productId, null),
                new Route("DELETE", p + "/products/" + productId, null),
                new Route("POST", p + "/api_keys", Map.of("name", "New", "permissions", "read_only")));
    }

    List<Route> bodyRoutes() {
        return routes().stream().filter(Route::hasBody).toList();
    }

    @Test
    void everyBodyRouteRefusesInvalidJson() {
        SoftAssertions softly = new SoftAssertions();
        for (Route route : bodyRoutes()) {
            for (String body : List.of("{\"name\": ", "[]", "\"text\"", "42", "null", "", "{'single': 1}")) {
                HttpResponse response = admin().send(route.method(), route.path(), body);
                softly.assertThat(response.status()).as(route + " with " + body).isEqualTo(400);
                softly.assertThat(code(response)).as(route + " with " + body).isEqualTo("invalid_json");
            }
        }
        softly.assertAll();
    }

    @Test
    void everyBodyRouteRefusesUnknownFields() {
        SoftAssertions softly = new SoftAssertions();
        for (Route route : bodyRoutes()) {
            Map<String, Object> body = new LinkedHashMap<>(route.validBody());
            body.put("surprise", 1);
            HttpResponse response = admin().send(route.method(), route.path(), io.substate.common.Json.write(body));
            softly.assertThat(response.status()).as(route.toString()).isEqualTo(400);
            softly.assertThat(code(response)).as(route.toString()).isEqualTo("invalid_parameter");
            softly.assertThat(message(response)).as(route.toString()).contains("surprise");
        }
        softly.assertAll();
    }

    @Test
    void everyBodyRouteRefusesWrongTypedFields() {
        SoftAssertions softly = new SoftAssertions();
        for (Route route : bodyRoutes()) {
            for (String field : route.validBody().keySet()) {
                for (Object wrong : List.of(42, true, List.of("x"), Map.of("x", 1), "")) {
                    Object valid = route.validBody().get(field);
                    if (valid instanceof List<?> && wrong instanceof List<?>) {
                        continue;
                    }
                    Map<String, Object> body = new LinkedHashMap<>(route.validBody());
                    body.put(field, wrong);
                    HttpResponse response = admin().send(route.method(), route.path(), io.substate.common.Json.write(body));
                    String label = route + " with " + field + "=" + io.substate.common.Json.write(wrong);
                    softly.assertThat(response.status()).as(label).isEqualTo(400);
                    softly.assertThat(code(response)).as(label).isEqualTo("invalid_parameter");
                    softly.assertThat(message(response)).as(label).contains(field);
                }
            }
        }
        softly.assertAll();
    }

    @Test
    void createRoutesRequireTheirFields() {
        SoftAssertions softly = new SoftAssertions();
        for (Route route : bodyRoutes()) {
            if (!route.method().equals("POST")) {
                continue;
            }
            for (String field : route.validBody().keySet()) {
                Map<String, Object> body = new LinkedHashMap<>(route.validBody());
                body.remove(field);
                HttpResponse response = admin().send(route.method(), route.path(), io.substate.common.Json.write(body));
                softly.assertThat(response.status()).as(route + " without " + field).isEqualTo(400);
                softly.assertThat(message(response)).as(route + " without " + field).contains(field);
            }
        }
        softly.assertAll();
    }

    @Test
    void nestedStripeSettingsAreCheckedToo() {
        String path = projectPath() + "/apps/" + appId;
        List<Object> badStripe = List.of("whsec_x", 1, List.of(), Map.of("webhook_secret", 5),
                Map.of("track_new_purchases", "true"), Map.of("app_user_id_detection", 1), Map.of("extra", true),
                Map.of("metadata_key", "k".repeat(41)), Map.of("management_url", "ftp://example.com"),
                Map.of("api_key", "whsec_wrong_field"), Map.of("webhook_secret", "sk_test_wrong_field"));
        SoftAssertions softly = new SoftAssertions();
        for (Object stripe : badStripe) {
            for (Route route : List.of(new Route("PATCH", path, Map.of()), new Route("POST", projectPath() + "/apps",
                    Map.of("name", "New", "type", "stripe")))) {
                Map<String, Object> body = new LinkedHashMap<>(route.validBody());
                body.put("stripe", stripe);
                HttpResponse response = admin().send(route.method(), route.path(), io.substate.common.Json.write(body));
                softly.assertThat(response.status()).as(route + " stripe=" + stripe).isEqualTo(400);
                softly.assertThat(message(response)).as(route + " stripe=" + stripe).contains("stripe");
            }
        }
        softly.assertAll();
    }

    @Test
    void unknownIdsAre404() {
        String p = projectPath();
        List<Route> unknown = List.of(
                new Route("GET", "/v2/projects/projNope", null),
                new Route("PATCH", "/v2/projects/projNope", Map.of("name", "x")),
                new Route("POST", "/v2/projects/projNope/apps", Map.of("name", "x", "type", "stripe")),
                new Route("GET", "/v2/projects/projNope/apps", null),
                new Route("GET", p + "/apps/appNope", null),
                new Route("PATCH", p + "/apps/appNope", Map.of("name", "x")),
                new Route("POST", "/v2/projects/projNope/entitlements", Map.of("lookup_key", "x", "display_name", "x")),
                new Route("GET", "/v2/projects/projNope/entitlements", null),
                new Route("GET", p + "/entitlements/entlNope", null),
                new Route("PATCH", p + "/entitlements/entlNope", Map.of("display_name", "x")),
                new Route("DELETE", p + "/entitlements/entlNope", null),
                new Route("POST", p + "/entitlements/entlNope/actions/attach_products",
                        Map.of("product_ids", List.of(spareProductId))),
                new Route("POST", entitlementPath() + "/actions/attach_products",
                        Map.of("product_ids", List.of(spareProductId, "prdlNope"))),
                new Route("POST", entitlementPath() + "/actions/detach_products",
                        Map.of("product_ids", List.of(productId, "prdlNope"))),
                new Route("POST", p + "/products", Map.of("store_identifier", "prod_X", "app_id", "appNope",
                        "type", "subscription")),
                new Route("GET", "/v2/projects/projNope/products", null),
                new Route("GET", p + "/products?app_id=appNope", null),
                new Route("GET", p + "/products/prdlNope", null),
                new Route("DELETE", p + "/products/prdlNope", null),
                new Route("GET", p + "/apps?starting_after=appNope", null),
                new Route("GET", "/v2/projects?starting_after=projNope", null),
                new Route("POST", "/v2/projects/projNope/api_keys", Map.of("name", "x", "permissions", "read_only")),
                new Route("GET", p + "/api_keys/keyNope", null),
                new Route("DELETE", p + "/api_keys/keyNope", null),
                new Route("GET", p + "/api_keys?starting_after=keyNope", null),
                new Route("DELETE", p + "/apps/appNope", null),
                new Route("POST", p + "/apps/appNope", Map.of("name", "x")),
                new Route("POST", "/v2/projects/projNope", Map.of("name", "x")));
        SoftAssertions softly = new SoftAssertions();
        for (Route route : unknown) {
            HttpResponse response = admin().send(route.method(), route.path(),
                    route.hasBody() ? io.substate.common.Json.write(route.validBody()) : null);
            softly.assertThat(response.status()).as(route.toString()).isEqualTo(404);
            softly.assertThat(code(response)).as(route.toString()).isEqualTo("resource_missing");
            softly.assertThat(message(response)).as(route.toString()).containsPattern("Nope");
        }
        softly.assertAll();
    }

    @Test
    void everyBodyRouteRefusesBodiesOverOneMebibyte() {
        String huge = "{\"name\":\"" + "x".repeat(1024 * 1024) + "\"}";
        SoftAssertions softly = new SoftAssertions();
        for (Route route : bodyRoutes()) {
            HttpResponse response = admin().send(route.method(), route.path(), huge);
            softly.assertThat(response.status()).as(route.toString()).isEqualTo(413);
            softly.assertThat(code(response)).as(route.toString()).isEqualTo("payload_too_large");
        }
        softly.assertAll();
    }

    @Test
    void badPagingParametersAre400() {
        SoftAssertions softly = new SoftAssertions();
        for (Route route : routes()) {
            if (!route.method().equals("GET") || !route.path().matches(".*/(projects|apps|entitlements|products|api_keys)$")) {
                continue;
            }
            for (String limit : List.of("0", "101", "abc", "-1")) {
                HttpResponse response = admin().get(route.path() + "?limit=" + limit);
                softly.assertThat(response.status()).as(route + " limit=" + limit).isEqualTo(400);
                softly.assertThat(message(response)).as(route + " limit=" + limit).contains("limit");
            }
        }
        softly.assertAll();
    }

    @Test
    void unknownRoutesAndWrongMethodsAreJsonErrors() {
        SoftAssertions softly = new SoftAssertions();
        for (String path : List.of("/v2/apps", "/v2/projects/" + projectId + "/nothing", "/v3/projects", "/v2/nothing/at/all")) {
            HttpResponse response = admin().get(path);
            softly.assertThat(response.status()).as(path).isEqualTo(404);
            softly.assertThat(code(response)).as(path).isEqualTo("route_not_found");
        }
        List<Route> wrongMethods = List.of(
                new Route("DELETE", projectPath(), null),
                new Route("PUT", "/v2/projects", Map.of("name", "x")),
                new Route("PUT", projectPath() + "/apps/" + appId, Map.of("name", "x")),
                new Route("PATCH", projectPath() + "/products/" + productId, Map.of("display_name", "x")),
                new Route("GET", entitlementPath() + "/actions/attach_products", null));
        for (Route route : wrongMethods) {
            HttpResponse response = admin().send(route.method(), route.path(),
                    route.hasBody() ? io.substate.common.Json.write(route.validBody()) : null);
            softly.assertThat(response.status()).as(route.toString()).isEqualTo(405);
            softly.assertThat(code(response)).as(route.toString()).isEqualTo("method_not_allowed");
        }
        softly.assertAll();
    }

    /** Row counts of the admin tables plus the fixture as the API shows it. */
    Map<String, Object> snapshot() {
        Map<String, Object> state = new LinkedHashMap<>();
        TestServer.shared(db).substate().database().jdbi().useHandle(handle -> {
            for (String table : List.of("projects", "apps", "entitlements", "products", "entitlement_products",
                    "api_keys")) {
                state.put(table, handle.createQuery("SELECT COUNT(*) FROM " + table).mapTo(Long.class).one());
            }
        });
        List<String> paths = new ArrayList<>(List.of(projectPath(), projectPath() + "/apps",
                projectPath() + "/entitlements", projectPath() + "/products"));
        for (String path : paths) {
            state.put(path, admin().get(path).json());
        }
        return state;
    }

    static String code(HttpResponse response) {
        JsonNode body = response.json();
        return body.has("code") ? body.get("code").asText() : "(no code in " + response + ")";
    }

    static String message(HttpResponse response) {
        JsonNode body = response.json();
        return body.has("message") ? body.get("message").asText() : "";
    }
}
