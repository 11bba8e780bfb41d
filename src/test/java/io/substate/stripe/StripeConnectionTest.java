package io.substate.stripe;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import io.substate.testing.FakeStripe;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.Fixtures;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static io.substate.testing.StripeEventBuilder.sign;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

/** "Check connection": the app's Stripe API key read against the (fake) Stripe account, and its mode vs the events'. */
@ParameterizedClass
@EnumSource(TestDb.class)
class StripeConnectionTest {
    static final String SECRET = "whsec_connection_test";
    private static final Map<TestDb, TestServer> SERVERS = new EnumMap<>(TestDb.class);
    private static final FakeStripe STRIPE = FakeStripe.start();

    @Parameter
    TestDb db;

    TestServer server() {
        synchronized (SERVERS) {
            return SERVERS.computeIfAbsent(db, d -> TestServer.start(d, Map.of("SUBSTATE_STRIPE_API_BASE", STRIPE.baseUrl())));
        }
    }

    StripeApp app(String apiKey) {
        Map<String, Object> settings = new HashMap<>();
        settings.put("webhook_secret", SECRET);
        if (apiKey != null) {
            settings.put("api_key", apiKey);
        }
        return Fixtures.stripeApp(server().admin(), settings);
    }

    HttpResponse check(StripeApp app) {
        return server().admin().post("/v2/projects/" + app.projectId() + "/apps/" + app.appId()
                + "/actions/check_connection", Map.of());
    }

    @Test
    void aValidKeyShowsTheAccountAndItsModeBeforeAnyEvent() {
        StripeApp app = app(FakeStripe.API_KEY);

        HttpResponse response = check(app);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("ok").asBoolean()).isTrue();
        assertThat(response.json().get("account_id").asText()).isEqualTo("acct_1FakeStripeSubstate");
        assertThat(response.json().get("mode").asText()).isEqualTo("test");
        assertThat(response.json().get("business_name").asText()).isEqualTo("Fake Stripe Shop");
        assertThat(response.json().get("events_mode").isNull()).isTrue();
        assertThat(response.json().get("mode_matches_events").isNull()).isTrue();
    }

    @Test
    void aTestKeyWithLiveEventsIsNamedAsAModeMismatch() {
        StripeApp app = app(FakeStripe.API_KEY);
        ObjectNode event = (ObjectNode) Json.read(StripeObjects.event(uniqueId("evt_"), "customer.created",
                System.currentTimeMillis() / 1000, Json.object().put("id", uniqueId("cus_")).put("object", "customer")));
        event.put("livemode", true);
        String payload = Json.write(event);
        server().anonymous().postStripe(app.webhookPath(), payload, sign(payload, SECRET));

        HttpResponse response = check(app);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("events_mode").asText()).isEqualTo("live");
        assertThat(response.json().get("mode_matches_events").asBoolean()).isFalse();
        assertThat(response.json().get("message").asText()).contains("test mode key", "live mode event");
    }

    @Test
    void noKeyOrARejectedKeyAnswersTheStripeErrorCode() {
        HttpResponse none = check(app(null));
        HttpResponse rejected = check(app("rk_test_notAcceptedByTheFake"));

        assertThat(none.status()).isEqualTo(422);
        assertThat(none.json().get("code").asText()).isEqualTo("stripe_api_key_not_configured");
        assertThat(rejected.status()).isEqualTo(422);
        assertThat(rejected.json().get("code").asText()).isEqualTo("stripe_api_key_invalid");
    }

    @Test
    void anotherProjectsAppIsNotFound() {
        StripeApp app = app(FakeStripe.API_KEY);
        StripeApp other = app(FakeStripe.API_KEY);

        HttpResponse response = server().admin().post("/v2/projects/" + other.projectId() + "/apps/" + app.appId()
                + "/actions/check_connection", Map.of());

        assertThat(response.status()).isEqualTo(404);
        assertThat(server().anonymous().post("/v2/projects/" + app.projectId() + "/apps/" + app.appId()
                + "/actions/check_connection", Map.of()).status()).isEqualTo(401);
    }
}
