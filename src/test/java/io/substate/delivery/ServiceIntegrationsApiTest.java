package io.substate.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
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

/**
 * {@code /v2/projects/{id}/integrations/{slack,posthog,segment,amplitude,mixpanel}} over HTTP on SQLite and
 * PostgreSQL: shapes (secrets never answered), defaults, validation, updates, and each kind under its own path only.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class ServiceIntegrationsApiTest {
    @Parameter
    TestDb db;

    Api admin() {
        return TestServer.shared(db).admin();
    }

    static String path(StripeApp app, String kind) {
        return "/v2/projects/" + app.projectId() + "/integrations/" + kind;
    }

    static void assertInvalid(HttpResponse response, String messagePart) {
        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.json().get("code").asText()).isEqualTo("invalid_parameter");
        assertThat(response.json().get("message").asText()).contains(messagePart);
    }

    JsonNode created(HttpResponse response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json();
    }

    @Test
    void eachKindAnswersItsSettingsWithSecretsOnlyAsSetFlags() {
        StripeApp app = Fixtures.stripeApp(admin(), Map.of());
        JsonNode slack = created(admin().post(path(app, "slack"), Map.of("name", "Sales channel",
                "webhook_url", "https://hooks.slack.com/services/T0/B0/secretpart", "environment", "production",
                "event_types", List.of("initial_purchase", "renewal"), "app_id", app.appId())));
        assertThat(slack.get("object").asText()).isEqualTo("slack_integration");
        assertThat(slack.get("name").asText()).isEqualTo("Sales channel");
        assertThat(slack.get("environment").asText()).isEqualTo("production");
        assertThat(slack.get("event_types")).hasSize(2);
        assertThat(slack.get("app_id").asText()).isEqualTo(app.appId());
        assertThat(slack.get("webhook_url_set").asBoolean()).isTrue();
        assertThat(slack.toString()).doesNotContain("secretpart").doesNotContain("signing_secret");

        JsonNode posthog = created(admin().post(path(app, "posthog"), Map.of("name", "PH", "api_key", "phc_abc")));
        assertThat(posthog.get("api_key_set").asBoolean()).isTrue();
        assertThat(posthog.get("host").asText()).isEqualTo("https://us.i.posthog.com");
        assertThat(posthog.toString()).doesNotContain("phc_abc");

        JsonNode segment = created(admin().post(path(app, "segment"), Map.of("name", "S", "write_key", "wk_1")));
        assertThat(segment.get("write_key_set").asBoolean()).isTrue();
        assertThat(segment.get("base_url").asText()).isEqualTo("https://api.segment.io");

        JsonNode amplitude = created(admin().post(path(app, "amplitude"), Map.of("name", "A", "api_key", "amp",
                "region", "eu")));
        assertThat(amplitude.get("region").asText()).isEqualTo("eu");
        assertThat(amplitude.get("base_url").asText()).isEqualTo("https://api.eu.amplitude.com");

        JsonNode mixpanel = created(admin().post(path(app, "mixpanel"), Map.of("name", "M",
                "project_token", "tok", "api_secret", "sec")));
        assertThat(mixpanel.get("project_token_set").asBoolean()).isTrue();
        assertThat(mixpanel.get("api_secret_set").asBoolean()).isTrue();
        assertThat(mixpanel.get("service_account_secret_set").asBoolean()).isFalse();
        assertThat(mixpanel.get("region").asText()).isEqualTo("us");
        assertThat(mixpanel.get("base_url").asText()).isEqualTo("https://api.mixpanel.com");

        // GET answers the same; each kind is found only under its own path, and lists hold only their kind.
        String posthogPath = path(app, "posthog") + "/" + posthog.get("id").asText();
        assertThat(admin().get(posthogPath).json()).isEqualTo(posthog);
        assertThat(admin().get(path(app, "slack") + "/" + posthog.get("id").asText()).status()).isEqualTo(404);
        assertThat(admin().get(path(app, "webhooks") + "/" + posthog.get("id").asText()).status()).isEqualTo(404);
        assertThat(admin().get(path(app, "posthog")).json().get("items")).hasSize(1);
        assertThat(admin().get(path(app, "webhooks")).json().get("items")).isEmpty();

        HttpResponse deleted = admin().delete(posthogPath);
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("object").asText()).isEqualTo("posthog_integration");
        assertThat(admin().get(posthogPath).status()).isEqualTo(404);
    }

    @Test
    void updatesKeepWhatIsAbsentAndCheckTheWhole() {
        StripeApp app = Fixtures.stripeApp(admin(), Map.of());
        JsonNode amplitude = created(admin().post(path(app, "amplitude"), Map.of("name", "A", "api_key", "amp")));
        assertThat(amplitude.get("base_url").asText()).isEqualTo("https://api2.amplitude.com");
        String one = path(app, "amplitude") + "/" + amplitude.get("id").asText();

        JsonNode patched = admin().patch(one, Map.of("region", "eu")).json();
        assertThat(patched.get("region").asText()).isEqualTo("eu");
        assertThat(patched.get("base_url").asText()).isEqualTo("https://api.eu.amplitude.com");
        assertThat(patched.get("api_key_set").asBoolean()).isTrue();
        assertThat(patched.get("name").asText()).isEqualTo("A");

        JsonNode posted = admin().post(one, Map.of("base_url", "http://127.0.0.1:9/amp/")).json();
        assertThat(posted.get("base_url").asText()).isEqualTo("http://127.0.0.1:9/amp");
        Map<String, Object> clearKey = new HashMap<>();
        clearKey.put("api_key", null);
        assertInvalid(admin().patch(one, clearKey), "'api_key' is required");
    }

    @Test
    void eventNamesAreShownKeptWhenAbsentClearedWithNullAndChecked() {
        StripeApp app = Fixtures.stripeApp(admin(), Map.of());
        JsonNode mixpanel = created(admin().post(path(app, "mixpanel"), Map.of("name", "M", "project_token", "t",
                "event_names", Map.of("initial_purchase", "  Subscribed ", "refund", "Refunded"))));
        assertThat(mixpanel.get("event_names").get("initial_purchase").asText()).isEqualTo("Subscribed");
        assertThat(mixpanel.get("event_names").get("refund").asText()).isEqualTo("Refunded");
        assertThat(mixpanel.get("event_names")).hasSize(2);
        String one = path(app, "mixpanel") + "/" + mixpanel.get("id").asText();

        assertThat(admin().patch(one, Map.of("name", "M2")).json().get("event_names")).hasSize(2);
        JsonNode replaced = admin().patch(one, Map.of("event_names", Map.of("renewal", "Renewed"))).json();
        assertThat(replaced.get("event_names")).hasSize(1);
        assertThat(admin().get(one).json().get("event_names").get("renewal").asText()).isEqualTo("Renewed");
        Map<String, Object> clear = new HashMap<>();
        clear.put("event_names", null);
        JsonNode cleared = admin().patch(one, clear).json();
        assertThat(cleared.get("event_names").isObject()).isTrue();
        assertThat(cleared.get("event_names")).isEmpty();
        assertThat(admin().patch(one, Map.of("event_names", Map.of())).json().get("event_names")).isEmpty();

        JsonNode posthog = created(admin().post(path(app, "posthog"), Map.of("name", "P", "api_key", "k")));
        assertThat(posthog.get("event_names").isObject()).isTrue();
        assertThat(posthog.get("event_names")).isEmpty();
        assertInvalid(admin().post(path(app, "posthog"), Map.of("name", "P", "api_key", "k",
                "event_names", Map.of("purchase", "Bought"))), "'event_names' contains 'purchase'");
        assertInvalid(admin().post(path(app, "amplitude"), Map.of("name", "A", "api_key", "k",
                "event_names", Map.of("renewal", "  "))), "'event_names.renewal' must be a non-empty string");
        assertInvalid(admin().post(path(app, "segment"), Map.of("name", "S", "write_key", "k",
                "event_names", Map.of("renewal", 7))), "'event_names.renewal'");
        assertInvalid(admin().post(path(app, "segment"), Map.of("name", "S", "write_key", "k",
                "event_names", "rc_renewal_event")), "'event_names' must be an object");
        assertInvalid(admin().post(path(app, "segment"), Map.of("name", "S", "write_key", "k",
                "event_names", Map.of("renewal", "x".repeat(256)))), "at most 255");
        HttpResponse slack = admin().post(path(app, "slack"), Map.of("name", "S",
                "webhook_url", "https://hooks.slack.com/services/T/B/x", "event_names", Map.of("renewal", "R")));
        assertThat(slack.status()).as(slack.toString()).isEqualTo(400);
        assertThat(slack.json().get("message").asText()).contains("event_names");
    }

    @Test
    void invalidSettingsAreRefused() {
        StripeApp app = Fixtures.stripeApp(admin(), Map.of());
        assertInvalid(admin().post(path(app, "slack"), Map.of("name", "S")), "'webhook_url' is required");
        assertInvalid(admin().post(path(app, "slack"), Map.of("name", "S", "webhook_url", "not a url")),
                "'webhook_url' must be an absolute");
        assertInvalid(admin().post(path(app, "slack"), Map.of("name", "S", "webhook_url", "ftp://x/y")),
                "'webhook_url' must be an absolute");
        assertInvalid(admin().post(path(app, "posthog"), Map.of("name", "P", "api_key", "k", "url", "https://x")),
                "url");
        assertInvalid(admin().post(path(app, "segment"), Map.of("write_key", "k")), "'name' is required");
        assertInvalid(admin().post(path(app, "amplitude"), Map.of("name", "A", "api_key", "k", "region", "mars")),
                "'region' must be one of");
        assertInvalid(admin().post(path(app, "mixpanel"), Map.of("name", "M")), "needs 'project_token'");
        assertInvalid(admin().post(path(app, "mixpanel"), Map.of("name", "M", "service_account_username", "u",
                "service_account_secret", "s")), "service account needs");
        assertInvalid(admin().post(path(app, "posthog"), Map.of("name", "P", "api_key", "k",
                "event_types", List.of("nope"))), "event_types");
        assertInvalid(admin().post(path(app, "posthog"), Map.of("name", "P", "api_key", "k", "app_id", "app_x")),
                "'app_id'");
        HttpResponse badJson = admin().send("POST", path(app, "segment"), "{");
        assertThat(badJson.status()).isEqualTo(400);
        assertThat(admin().get(path(app, "posthog") + "/whi_missing").status()).isEqualTo(404);
    }
}
