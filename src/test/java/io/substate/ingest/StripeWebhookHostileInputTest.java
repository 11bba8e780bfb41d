package io.substate.ingest;

import static io.substate.testing.StripeEventBuilder.sign;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static io.substate.testing.StripeObjects.event;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Signed Stripe events that are valid JSON but hostile to storage, and App User IDs detected from Stripe that no
 * client could read back. Stripe retries anything but a 2xx for days, so none may answer 500: an event with NUL
 * characters is stored and applied, an undetectable App User ID parks the event with the reason, and a body beyond
 * the parser's limits is refused as an invalid event.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class StripeWebhookHostileInputTest {
    static final String SECRET = "whsec_hostile_input_secret";

    @Parameter
    TestDb db;

    Api admin() {
        return TestServer.shared(db).admin();
    }

    Api stripe() {
        return TestServer.shared(db).anonymous();
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    StripeApp metadataApp() {
        return Fixtures.stripeApp(admin(), Map.of("webhook_secret", SECRET, "track_new_purchases", true,
                "app_user_id_detection", "metadata", "metadata_key", "app_user_id"));
    }

    String subscriptionCreated(String sub, String customer, String appUserId) {
        return event(uniqueId("evt_"), "customer.subscription.created", now(),
                StripeObjects.subscription(sub).customer(customer).status("active")
                        .price("price_Basic", "prod_Basic").period(now() - 60, now() + 30 * 86400)
                        .metadata("app_user_id", appUserId).metadata("note", "x").json());
    }

    HttpResponse post(StripeApp app, String payload) {
        return stripe().postStripe(app.webhookPath(), payload, sign(payload, SECRET));
    }

    JsonNode logged(StripeApp app) {
        return admin().get("/v2/projects/" + app.projectId() + "/apps/" + app.appId() + "/stripe_events").json()
                .get("items");
    }

    @Test
    void anEventWithNulCharactersIsStoredAndApplied() {
        StripeApp app = metadataApp();
        String sub = uniqueId("sub_");
        // NUL in a metadata value, a metadata key and the customer id: valid JSON that PostgreSQL cannot store as is.
        String payload = subscriptionCreated(sub, "cus_nul\u0000x", "user\u0000nul")
                .replace("\"note\"", "\"no\\u0000te\"");
        assertThat(payload).contains("\\u0000").doesNotContain("\\\\u0000");

        HttpResponse response = post(app, payload);

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.json().path("outcome").asText()).isEqualTo("processed");
        JsonNode customer = Fixtures.profile(admin(), app.projectId(), "user\uFFFDnul");
        assertThat(customer.get("purchases").get(0).get("store_token").asText()).isEqualTo(sub);
        assertThat(logged(app)).hasSize(1);
        assertThat(logged(app).get(0).get("status").asText()).isEqualTo("processed");
        HttpResponse again = post(app, payload);
        assertThat(again.json().path("outcome").asText()).as(again.toString()).isEqualTo("duplicate");
    }

    @Test
    void aDetectedAppUserIdThatV1WouldRefuseParksTheEventWithTheReason() {
        StripeApp app = metadataApp();
        for (String bad : new String[] {"team/42", "null", "u".repeat(101)}) {
            HttpResponse response = post(app, subscriptionCreated(uniqueId("sub_"), uniqueId("cus_"), bad));

            assertThat(response.status()).as(bad + ": " + response).isEqualTo(422);
            assertThat(response.json().get("code").asText()).isEqualTo("app_user_id_not_detected");
            assertThat(response.json().get("message").asText()).contains("App User ID detected (metadata)");
            assertThat(admin().get(Fixtures.customerPath(app.projectId(), bad)).status()).isEqualTo(404);
        }
        JsonNode parked = logged(app);
        assertThat(parked).hasSize(3);
        parked.forEach(row -> {
            assertThat(row.get("status").asText()).isEqualTo("parked");
            assertThat(row.get("error_message").asText()).contains("App User ID detected");
        });
        // A valid ID later is a customer every route can read.
        HttpResponse fine = post(app, subscriptionCreated(uniqueId("sub_"), uniqueId("cus_"), "team-42"));
        assertThat(fine.status()).as(fine.toString()).isEqualTo(200);
        assertThat(admin().withToken(app.secretKey()).get("/v1/subscribers/team-42").status()).isEqualTo(200);
    }

    @Test
    void aBodyBeyondTheParserLimitsIsAnInvalidEvent() {
        StripeApp app = metadataApp();
        String hugeNumber = "{\"id\":\"evt_1\",\"object\":\"event\",\"created\":" + "9".repeat(1001) + "}";
        String deep = "{\"id\":\"evt_2\",\"object\":\"event\",\"data\":" + "[".repeat(1001) + "]".repeat(1001) + "}";

        for (String payload : new String[] {hugeNumber, deep}) {
            HttpResponse response = post(app, payload);

            assertThat(response.status()).as(response.toString()).isEqualTo(400);
            assertThat(response.json().get("code").asText()).isEqualTo("invalid_event");
            assertThat(response.json().get("message").asText()).contains("limit");
        }
    }
}
