package io.substate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.substate.http.HttpServer.Route;
import io.substate.testing.Api;
import io.substate.testing.HttpResponse;
import io.substate.testing.RouteFixtures;
import io.substate.testing.StripeEventBuilder;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * NUL characters sent to every route the server registers (read from the running server, so a route added later is
 * covered): {@code %00} in each path parameter, in the paging and search query parameters, and JSON's NUL escape in
 * field values and names. PostgreSQL refuses NUL in text, so each of these once reached the database and answered 500;
 * every one must be a 4xx with a stable code, on both databases. Also JSON beyond the parser's limits (a number over
 * 1,000 digits, nesting deeper than 1,000 levels), whose error path once failed itself. Path parameters are filled
 * from testing/RouteFixtures: a route with a parameter it does not know fails here, naming the parameter to add.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NulInputTest {
    private static final String WEBHOOK_SECRET = "whsec_nul_fixture";

    /** Field names the routes read, each sent with a NUL in its value; and a NUL in a field name. */
    private static final List<String> FIELDS = List.of("name", "display_name", "lookup_key", "store_identifier",
            "app_user_id", "new_app_user_id", "id", "url", "description", "entitlement_id", "product_id",
            "offering_id", "fetch_token", "since", "reason", "email", "permissions", "type", "duration");

    @Parameter
    TestDb db;

    RouteFixtures fixtures;
    String secretKey;

    Api admin() {
        return TestServer.shared(db).admin();
    }

    @BeforeParameterizedClassInvocation
    void createFixtures() {
        fixtures = RouteFixtures.create(admin(), "NUL fixture", WEBHOOK_SECRET, "NulFixture");
        secretKey = fixtures.secretKey();
    }

    @AfterParameterizedClassInvocation
    void closeFixtures() {
        fixtures.close();
    }

    List<Route> registered() {
        List<Route> routes = TestServer.shared(db).substate().routes().stream()
                .filter(r -> !r.method().equals("OPTIONS") && !r.path().contains("*"))
                .sorted(Comparator.comparing((Route r) -> r.method().equals("DELETE")) // deletes last: fixtures stay
                        .thenComparing(Route::path).thenComparing(Route::method))
                .toList();
        assertThat(routes).as("registered routes").hasSizeGreaterThan(60);
        return routes;
    }

    /** The route's path with its parameters filled in, each followed by {@code suffix}. */
    String fill(Route route, String suffix) {
        return fixtures.fill(route.method(), route.path(), suffix);
    }

    /** The caller each family of routes expects: the admin token for /v2, the project's secret key for /v1. */
    Api caller(Route route) {
        if (route.path().startsWith("/v2/") || !route.path().startsWith("/v1/") && !route.path().startsWith("/rcbilling/")) {
            return admin();
        }
        return admin().withToken(route.path().startsWith("/rcbilling/") ? fixtures.publicKey() : secretKey);
    }

    HttpResponse send(Route route, String path, String body) {
        if (route.path().startsWith("/v1/incoming-webhooks/")) {
            String payload = body == null ? "{}" : body;
            return admin().withToken(null)
                    .postStripe(path, payload, StripeEventBuilder.sign(payload, WEBHOOK_SECRET));
        }
        boolean reads = route.method().equals("GET") || route.method().equals("HEAD");
        HttpResponse response = caller(route).send(route.method(), path, reads ? null : body == null ? "{}" : body);
        if (route.path().endsWith("/actions/roll_secret_api_key") && response.status() == 200) {
            // The walk rolled the project's key (the route reads no body): the /v1 routes after it need the new one.
            secretKey = response.json().get("secret_api_key").asText();
        }
        return response;
    }

    void expectClientError(SoftAssertions softly, String as, HttpResponse response) {
        softly.assertThat(response.status()).as(as + ": " + response).isBetween(400, 499);
        if (response.status() >= 400 && response.status() < 500) {
            softly.assertThat(response.body()).as(as + " is a JSON error with a code").contains("\"code\":");
        }
    }

    @Test
    void nulInAPathParameterIsAClientError() {
        SoftAssertions softly = new SoftAssertions();
        for (Route route : registered()) {
            if (!route.path().contains("{")) {
                continue;
            }
            String path = fill(route, "%00");
            expectClientError(softly, route.method() + " " + path, send(route, path, null));
        }
        softly.assertAll();
    }

    @Test
    void nulInAQueryParameterIsAClientError() {
        SoftAssertions softly = new SoftAssertions();
        for (Route route : registered()) {
            for (String query : List.of("starting_after=x%00y", "search=a%00", "email=a%00%40b.c", "app_id=%00",
                    "start_date=2024%00", "app_user_id=u%00")) {
                String path = fill(route, "") + "?" + query;
                expectClientError(softly, route.method() + " " + path, send(route, path, null));
            }
        }
        softly.assertAll();
    }

    @Test
    void nulInAJsonStringIsAClientError() {
        SoftAssertions softly = new SoftAssertions();
        for (Route route : registered()) {
            if (route.method().equals("GET") || route.method().equals("DELETE") || route.path().startsWith("/v1/incoming-webhooks/")) {
                continue; // a Stripe event with NUL is valid and processed: StripeWebhookNulTest
            }
            String path = fill(route, "");
            List<String> bodies = new ArrayList<>();
            for (String field : FIELDS) {
                bodies.add("{\"" + field + "\":\"a\\u0000b\"}");
            }
            bodies.add("{\"attributes\":{\"$email\\u0000\":{\"value\":\"a@b.c\"}}}");
            bodies.add("{\"attributes\":{\"$email\":{\"value\":\"a\\u0000@b.c\"}}}");
            bodies.add("{\"a\\u0000\":1}");
            for (String body : bodies) {
                // Routes that read no body may answer 2xx; none may fail, and a refusal is a JSON error.
                HttpResponse response = send(route, path, body);
                String as = route.method() + " " + path + " " + body + ": " + response;
                softly.assertThat(response.status()).as(as).isLessThan(500);
                if (response.status() >= 400) {
                    softly.assertThat(response.body()).as(as).contains("\"code\":");
                }
            }
        }
        softly.assertAll();
    }

    @Test
    void numbersAndNestingBeyondTheParserLimitsAreInvalidJsonNever500() {
        String hugeNumber = "{\"name\":" + "9".repeat(1001) + "}";
        String deep = "{\"name\":" + "[".repeat(1001) + "]".repeat(1001) + "}";
        SoftAssertions softly = new SoftAssertions();
        for (Route route : registered()) {
            if (route.method().equals("GET") || route.method().equals("DELETE")) {
                continue;
            }
            String path = fill(route, "");
            for (String body : List.of(hugeNumber, deep)) {
                HttpResponse response = send(route, path, body);
                softly.assertThat(response.status()).as(route.method() + " " + path + ": " + response).isLessThan(500);
            }
        }
        for (String body : List.of(hugeNumber, deep)) {
            HttpResponse v2 = admin().post("/v2/projects", body);
            softly.assertThat(v2.status()).as(v2.toString()).isEqualTo(400);
            softly.assertThat(v2.body()).as(v2.toString()).contains("\"code\":\"invalid_json\"", "limit");
            HttpResponse v1 = admin().withToken(secretKey).post("/v1/subscribers/" + fixtures.get("app_user_id")
                    + "/attributes", body);
            softly.assertThat(v1.status()).as(v1.toString()).isEqualTo(400);
            softly.assertThat(v1.body()).as(v1.toString()).contains("\"code\":7226");
        }
        softly.assertAll();
    }
}
