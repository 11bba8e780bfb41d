package io.substate.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.Fixtures;
import io.substate.testing.HttpResponse;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /v2/projects/{id}/integrations/webhooks} over HTTP on SQLite and PostgreSQL: shapes, validation, paging. */
@ParameterizedClass
@EnumSource(TestDb.class)
class WebhookIntegrationsApiTest {
    @Parameter
    TestDb db;

    Api admin() {
        return TestServer.shared(db).admin();
    }

    StripeApp app() {
        return Fixtures.stripeApp(admin(), Map.of());
    }

    static String path(StripeApp app) {
        return "/v2/projects/" + app.projectId() + "/integrations/webhooks";
    }

    static void assertInvalid(HttpResponse response, String messagePart) {
        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.json().get("code").asText()).isEqualTo("invalid_parameter");
        assertThat(response.json().get("message").asText()).contains(messagePart);
    }

    @Test
    void createReturnsTheIntegrationWithItsSigningSecretAndNeverTheAuthorizationValue() {
        StripeApp app = app();

        HttpResponse created = admin().post(path(app), Map.of("name", "Backend", "url", "https://example.com/hooks",
                "authorization_header", "Bearer 123456", "environment", "production",
                "event_types", List.of("initial_purchase", "renewal", "renewal"), "app_id", app.appId()));

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode body = created.json();
        assertThat(body.get("object").asText()).isEqualTo("webhook_integration");
        assertThat(body.get("id").asText()).startsWith("whi");
        assertThat(body.get("project_id").asText()).isEqualTo(app.projectId());
        assertThat(body.get("name").asText()).isEqualTo("Backend");
        assertThat(body.get("url").asText()).isEqualTo("https://example.com/hooks");
        assertThat(body.get("authorization_header_set").asBoolean()).isTrue();
        assertThat(body.toString()).doesNotContain("123456");
        assertThat(body.get("environment").asText()).isEqualTo("production");
        assertThat(body.get("event_types").toString()).isEqualTo("[\"initial_purchase\",\"renewal\"]");
        assertThat(body.get("app_id").asText()).isEqualTo(app.appId());
        assertThat(body.get("signing_secret").asText()).matches("whsec_[A-Za-z0-9+/]{43}=");
        assertThat(body.get("previous_secret_expires_at").isNull()).isTrue();
        HttpResponse fetched = admin().get(path(app) + "/" + body.get("id").asText());
        assertThat(fetched.json()).isEqualTo(body);
    }

    @Test
    void defaultsAreAllEnvironmentsAllTypesAllApps() {
        StripeApp app = app();

        JsonNode body = admin().post(path(app), Map.of("name", "All", "url", "http://localhost:9000/x")).json();

        assertThat(body.get("environment").isNull()).isTrue();
        assertThat(body.get("event_types").isNull()).isTrue();
        assertThat(body.get("app_id").isNull()).isTrue();
        assertThat(body.get("authorization_header_set").asBoolean()).isFalse();
    }

    @Test
    void badFieldsAreRefusedWithClearMessagesAndNothingIsCreated() {
        StripeApp app = app();
        StripeApp otherProject = app();
        Map<String, Object> nullEnvironment = new HashMap<>(Map.of("name", "x", "url", "https://e.com"));

        assertInvalid(admin().post(path(app), Map.of("url", "https://e.com")), "'name' is required");
        assertInvalid(admin().post(path(app), Map.of("name", "x")), "'url' is required");
        assertInvalid(admin().post(path(app), Map.of("name", "x", "url", "ftp://e.com")), "http:// or https://");
        assertInvalid(admin().post(path(app), Map.of("name", "x", "url", "not a url")), "http:// or https://");
        assertInvalid(admin().post(path(app), Map.of("name", "x", "url", "https://e.com", "environment", "staging")),
                "production, sandbox");
        assertInvalid(admin().post(path(app), Map.of("name", "x", "url", "https://e.com",
                "event_types", List.of("INITIAL_PURCHASE"))), "allowed types");
        assertInvalid(admin().post(path(app), Map.of("name", "x", "url", "https://e.com", "event_types", List.of())),
                "at least one");
        assertInvalid(admin().post(path(app), Map.of("name", "x", "url", "https://e.com",
                "app_id", otherProject.appId())), "app of this project");
        assertInvalid(admin().post(path(app), Map.of("name", "x", "url", "https://e.com", "secret", "y")),
                "Unknown field 'secret'");
        nullEnvironment.put("environment", null);
        assertThat(admin().post(path(app), nullEnvironment).status()).isEqualTo(201);
        assertThat(admin().get(path(app)).json().get("items")).hasSize(1);
        assertThat(admin().post("/v2/projects/projNope/integrations/webhooks",
                Map.of("name", "x", "url", "https://e.com")).status()).isEqualTo(404);
        assertThat(admin().withToken(null).get(path(app)).status()).isEqualTo(401);
    }

    @Test
    void patchChangesOnlyTheGivenFieldsAndNullClearsAFilter() {
        StripeApp app = app();
        JsonNode created = admin().post(path(app), Map.of("name", "A", "url", "https://e.com/a",
                "environment", "sandbox", "event_types", List.of("renewal"), "authorization_header", "Basic eA==")).json();
        String one = path(app) + "/" + created.get("id").asText();
        Map<String, Object> clear = new HashMap<>();
        clear.put("event_types", null);
        clear.put("authorization_header", null);
        clear.put("name", "B");

        JsonNode patched = admin().patch(one, clear).json();

        assertThat(patched.get("name").asText()).isEqualTo("B");
        assertThat(patched.get("url").asText()).isEqualTo("https://e.com/a");
        assertThat(patched.get("environment").asText()).isEqualTo("sandbox");
        assertThat(patched.get("event_types").isNull()).isTrue();
        assertThat(patched.get("authorization_header_set").asBoolean()).isFalse();
        assertThat(patched.get("signing_secret")).isEqualTo(created.get("signing_secret"));
        assertInvalid(admin().patch(one, Map.of("url", "mailto:a@b.c")), "http:// or https://");
        Map<String, Object> nullName = new HashMap<>();
        nullName.put("name", null);
        assertInvalid(admin().patch(one, nullName), "cannot be null");
        assertThat(admin().get(one).json().get("name").asText()).isEqualTo("B");
    }

    @Test
    void listPagesAndDeleteRemovesTheIntegration() {
        StripeApp app = app();
        for (int i = 0; i < 3; i++) {
            admin().post(path(app), Map.of("name", "I" + i, "url", "https://e.com/" + i));
        }

        JsonNode first = admin().get(path(app) + "?limit=2").json();
        JsonNode second = admin().get(first.get("next_page").asText()).json();

        assertThat(first.get("object").asText()).isEqualTo("list");
        assertThat(first.get("items").findValuesAsText("name")).containsExactly("I0", "I1");
        assertThat(second.get("items").findValuesAsText("name")).containsExactly("I2");
        assertThat(second.get("next_page").isNull()).isTrue();
        String id = first.get("items").get(0).get("id").asText();
        HttpResponse deleted = admin().delete(path(app) + "/" + id);
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("deleted").asBoolean()).isTrue();
        assertThat(admin().get(path(app) + "/" + id).status()).isEqualTo(404);
        assertThat(admin().delete(path(app) + "/" + id).status()).isEqualTo(404);
        assertThat(admin().get(path(app)).json().get("items")).hasSize(2);
    }

    @Test
    void anIntegrationIsNotReachableThroughAnotherProject() {
        StripeApp app = app();
        StripeApp other = app();
        String id = admin().post(path(app), Map.of("name", "A", "url", "https://e.com")).json().get("id").asText();

        assertThat(admin().get(path(other) + "/" + id).status()).isEqualTo(404);
        assertThat(admin().post(path(other) + "/" + id + "/actions/rotate_secret", Map.of()).status()).isEqualTo(404);
        assertThat(admin().get(path(other) + "/" + id + "/deliveries").status()).isEqualTo(404);
        assertThat(admin().get(path(app) + "/" + id + "/deliveries?status=weird").status()).isEqualTo(400);
        assertThat(admin().post(path(app) + "/" + id + "/deliveries/dlvNope/actions/redeliver", Map.of()).status())
                .isEqualTo(404);
    }
}
