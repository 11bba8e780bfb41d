package io.substate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.http.HttpServer.Route;
import io.substate.testing.Api;
import io.substate.testing.HttpResponse;
import io.substate.testing.RouteFixtures;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Who may call each {@code /v2} route, over every route the server registers (read from the running server, so a
 * route added later is covered without touching this test): the admin token and a read-write key of the project
 * everywhere, a read-only key only on GET, another project's key and unknown keys nowhere, and project keys never on
 * the routes over every project. A refused call writes nothing (every table's row count and the fixture as the API
 * shows it are compared before and after). Path parameters are filled from testing/RouteFixtures: a route with a
 * parameter it does not know fails here, naming the parameter to add.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
@org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
class V2RouteAuthTest {
    @Parameter
    TestDb db;

    RouteFixtures fixtures;
    String projectPath;
    String readWriteKey;
    String readOnlyKey;
    String secretKey;
    String otherProjectKey;
    String otherProjectApiKey;

    Api admin() {
        return TestServer.shared(db).admin();
    }

    @BeforeParameterizedClassInvocation
    void createFixtures() {
        fixtures = RouteFixtures.create(admin(), "Auth fixture", "whsec_fixture", "AuthFixture");
        secretKey = fixtures.secretKey();
        projectPath = fixtures.projectPath();
        JsonNode other = admin().post("/v2/projects", Map.of("name", "Other")).json();
        otherProjectKey = other.get("secret_api_key").asText();
        otherProjectApiKey = created(admin().post("/v2/projects/" + other.get("id").asText() + "/api_keys",
                Map.of("name", "Other's", "permissions", "read_write"))).get("key").asText();
        readWriteKey = newKey("read_write").get("key").asText();
        readOnlyKey = newKey("read_only").get("key").asText();
    }

    @AfterParameterizedClassInvocation
    void closeFixtures() {
        fixtures.close();
    }

    JsonNode newKey(String permissions) {
        return created(admin().post(projectPath + "/api_keys", Map.of("name", permissions, "permissions", permissions)));
    }

    static JsonNode created(HttpResponse response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json();
    }

    /** The server's /v2 routes, with their path parameters filled in; fails on a parameter without a fixture. */
    List<Route> routes() {
        List<Route> routes = new ArrayList<>();
        List<Route> registered = TestServer.shared(db).substate().routes().stream()
                .filter(r -> r.path().startsWith("/v2/"))
                .filter(r -> !r.method().equals("OPTIONS"))
                .sorted(Comparator.comparing(Route::path).thenComparing(Route::method))
                .toList();
        assertThat(registered).as("registered /v2 routes").hasSizeGreaterThan(40);
        for (Route route : registered) {
            routes.add(new Route(route.method(), fixtures.fill(route.method(), route.path(), "")));
        }
        return routes;
    }

    boolean inProject(Route route) {
        return route.path().equals(projectPath) || route.path().startsWith(projectPath + "/");
    }

    static boolean reads(Route route) {
        return route.method().equals("GET") || route.method().equals("HEAD");
    }

    HttpResponse call(Api client, Route route) {
        return client.send(route.method(), route.path(), reads(route) ? null : "{}");
    }

    @Test
    void refusedCallersAreRefusedEverywhereAndWriteNothing() {
        Map<String, String> unknown = new LinkedHashMap<>();
        unknown.put("no key", null);
        unknown.put("an unknown API key", "sk_api_" + "x".repeat(40));
        unknown.put("an unknown secret key", "sk_" + "y".repeat(32));
        unknown.put("a wrong token", "wrong-token-0123456789");
        unknown.put("an app's public key", fixtures.publicKey());
        Map<String, Object> before = snapshot();
        SoftAssertions softly = new SoftAssertions();
        for (Route route : routes()) {
            unknown.forEach((label, token) -> expect(softly, route, label, admin().withToken(token),
                    401, "unauthorized", token));
            expect(softly, route, "basic auth", admin().withToken(null).withHeader("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString(("admin:" + TestServer.ADMIN_TOKEN).getBytes())),
                    401, "unauthorized", null);
            boolean inProject = inProject(route);
            // Another project's key is known, but not here; the routes over every project take only the admin token.
            for (String key : List.of(otherProjectKey, otherProjectApiKey)) {
                expect(softly, route, "another project's read-write key", admin().withToken(key),
                        inProject ? 403 : 401, inProject ? "forbidden" : "unauthorized", key);
            }
            if (!inProject) {
                for (String key : List.of(readWriteKey, readOnlyKey, secretKey)) {
                    expect(softly, route, "this project's key", admin().withToken(key), 401, "unauthorized", key);
                }
            } else if (!reads(route)) {
                expect(softly, route, "a read-only key", admin().withToken(readOnlyKey), 403, "forbidden",
                        readOnlyKey);
            }
        }
        softly.assertAll();
        assertThat(snapshot()).isEqualTo(before);
    }

    void expect(SoftAssertions softly, Route route, String label, Api client, int status, String code, String token) {
        HttpResponse response = call(client, route);
        String as = route.method() + " " + route.path() + " with " + label;
        softly.assertThat(response.status()).as(as + ": " + response).isEqualTo(status);
        JsonNode body = response.json();
        softly.assertThat(body.path("code").asText()).as(as).isEqualTo(code);
        softly.assertThat(body.path("object").asText()).as(as).isEqualTo("error");
        softly.assertThat(body.path("type").asText()).as(as)
                .isEqualTo(status == 401 ? "authentication_error" : "authorization_error");
        if (token != null) {
            softly.assertThat(response.body()).as(as + " echoes the key").doesNotContain(token);
        }
    }

    @Test
    void allowedCallersAreLetInEverywhere() {
        SoftAssertions softly = new SoftAssertions();
        List<Route> routes = routes();
        // Reads first, then writes, deletes last: a deleted fixture answers 404 afterwards, which is still "let in".
        List<Route> ordered = new ArrayList<>(routes.stream().filter(V2RouteAuthTest::reads).toList());
        ordered.addAll(routes.stream().filter(r -> !reads(r) && !r.method().equals("DELETE")).toList());
        ordered.addAll(routes.stream().filter(r -> r.method().equals("DELETE")).toList());
        for (Route route : ordered) {
            Map<String, String> callers = new LinkedHashMap<>();
            callers.put("the admin token", TestServer.ADMIN_TOKEN);
            if (inProject(route)) {
                callers.put("a read-write key", readWriteKey);
                callers.put("the project's secret key", secretKey);
                if (reads(route)) {
                    callers.put("a read-only key", readOnlyKey);
                }
            }
            callers.forEach((label, token) -> {
                // The roll replaces the project's secret key: later calls use the new one.
                String current = label.equals("the project's secret key") ? secretKey : token;
                HttpResponse response = call(admin().withToken(current), route);
                String as = route.method() + " " + route.path() + " with " + label + ": " + response;
                softly.assertThat(response.status()).as(as).isNotIn(401, 403).isLessThan(500);
                if (route.path().endsWith("/actions/roll_secret_api_key") && response.status() == 200) {
                    secretKey = response.json().get("secret_api_key").asText();
                }
            });
        }
        softly.assertAll();
    }

    /** Row counts of every table, and the fixture as the API shows it (when each key was last used aside). */
    Map<String, Object> snapshot() {
        Map<String, Object> state = new LinkedHashMap<>();
        var database = TestServer.shared(db).substate().database();
        database.jdbi().useHandle(handle -> {
            String tablesQuery = db == TestDb.SQLITE
                    ? "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
                    : "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename";
            for (String table : handle.createQuery(tablesQuery).mapTo(String.class).list()) {
                state.put(table, handle.createQuery("SELECT COUNT(*) FROM " + table).mapTo(Long.class).one());
            }
        });
        for (String path : List.of(projectPath, projectPath + "/apps", projectPath + "/entitlements",
                projectPath + "/products", projectPath + "/offerings", projectPath + "/packages/" + fixtures.get("package_id"),
                projectPath + "/integrations/webhooks", projectPath + "/api_keys",
                projectPath + "/customers/" + fixtures.get("app_user_id"))) {
            JsonNode json = admin().get(path).json();
            json.path("items").forEach(item -> {
                if (item instanceof ObjectNode object) {
                    object.remove("last_used_at");
                }
            });
            state.put(path, json);
        }
        return state;
    }
}
