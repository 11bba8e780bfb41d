package io.substate.sync;

import static io.substate.sync.SyncWorld.now;
import static io.substate.sync.SyncWorld.subscription;
import static io.substate.testing.StripeEventBuilder.sign;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.FakeStripe;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Reconnecting Stripe: a new API key or webhook secret works on the next request; "check connection" says whether the
 * key works and matches the events' mode; "refresh from Stripe" re-reads one purchase now.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class ReconnectTest {
    private static final long DAY = 86_400;
    private static final String NEW_KEY = "rk_test_51NewRestrictedKeyAfterReconnect";

    @Parameter
    TestDb db;

    SyncWorld world;
    StripeApp app;

    @BeforeEach
    void start() {
        world = new SyncWorld(db, "1h", "1m");
        app = world.app(FakeStripe.API_KEY);
    }

    @AfterEach
    void stop() {
        world.close();
    }

    HttpResponse check(StripeApp a) {
        return world.server.admin().post("/v2/projects/" + a.projectId() + "/apps/" + a.appId()
                + "/actions/check_connection", Map.of());
    }

    HttpResponse refresh(StripeApp a, String purchaseId) {
        return world.server.admin().post("/v2/projects/" + a.projectId() + "/purchases/" + purchaseId
                + "/actions/refresh", Map.of());
    }

    HttpResponse patchStripe(Map<String, Object> stripe) {
        return world.server.admin().patch("/v2/projects/" + app.projectId() + "/apps/" + app.appId(),
                Map.of("stripe", stripe));
    }

    @Test
    void aReplacedApiKeyIsUsedOnTheNextRequest() {
        String customer = uniqueId("cus_");
        String sub = uniqueId("sub_");
        long start = now() - 60;
        world.deliverCreated(app, subscription(sub, customer, start, start + 30 * DAY).json(), now() - 5);
        String purchaseId = world.purchase(app, customer).get("id").asText();
        world.stripe.put(subscription(sub, customer, start, start + 30 * DAY).cancelAtPeriodEnd(true).json());

        // The merchant deletes the old key in Stripe: reads fail, and check connection says why.
        world.stripe.rejectKey(FakeStripe.API_KEY);
        HttpResponse rejected = check(app);
        assertThat(rejected.status()).isEqualTo(422);
        assertThat(rejected.json().get("code").asText()).isEqualTo("stripe_api_key_invalid");
        assertThat(rejected.json().get("message").asText()).contains("does not work", "restricted key");
        assertThat(refresh(app, purchaseId).json().get("code").asText()).isEqualTo("stripe_api_key_invalid");

        world.stripe.acceptKey(NEW_KEY);
        assertThat(patchStripe(Map.of("api_key", NEW_KEY)).status()).isEqualTo(200);

        HttpResponse ok = check(app);
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertThat(ok.json().get("ok").asBoolean()).isTrue();
        assertThat(ok.json().get("mode").asText()).isEqualTo("test");
        assertThat(ok.json().get("account_id").asText()).isEqualTo("acct_1FakeStripeSubstate");
        assertThat(ok.json().get("events_mode").asText()).isEqualTo("test");
        assertThat(ok.json().get("mode_matches_events").asBoolean()).isTrue();

        HttpResponse refreshed = refresh(app, purchaseId);
        assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(200);
        assertThat(refreshed.json().get("object").asText()).isEqualTo("purchase");
        assertThat(refreshed.json().get("id").asText()).isEqualTo(purchaseId);
        assertThat(refreshed.json().get("unsubscribe_detected_at").isNull()).isFalse();
        assertThat(world.outgoingTypes(app, customer)).containsExactly("INITIAL_PURCHASE", "CANCELLATION");
        assertThat(world.readsOf(sub).get(world.readsOf(sub).size() - 1).apiKey()).isEqualTo(NEW_KEY);
    }

    @Test
    void aReplacedWebhookSecretVerifiesTheNextDelivery() {
        String newSecret = "whsec_after_reconnect_0123456789";
        String payload = StripeObjects.event(uniqueId("evt_"), "customer.subscription.created", now(),
                subscription(uniqueId("sub_"), uniqueId("cus_"), now() - 60, now() + 30 * DAY).json());
        assertThat(world.server.anonymous().postStripe(app.webhookPath(), payload, sign(payload, newSecret)).status())
                .isEqualTo(400);

        assertThat(patchStripe(Map.of("webhook_secret", newSecret)).status()).isEqualTo(200);

        HttpResponse delivered = world.server.anonymous().postStripe(app.webhookPath(), payload, sign(payload, newSecret));
        assertThat(delivered.status()).as(delivered.toString()).isEqualTo(200);
        assertThat(delivered.json().get("outcome").asText()).isEqualTo("processed");
    }

    @Test
    void checkConnectionNamesEachFailure() {
        HttpResponse none = check(world.app(null));
        assertThat(none.status()).isEqualTo(422);
        assertThat(none.json().get("code").asText()).isEqualTo("stripe_api_key_not_configured");

        // A live-mode key while the app received test-mode events.
        String liveKey = "rk_live_51LiveKeyOfTheSameAccount";
        world.stripe.acceptKey(liveKey);
        world.deliverCreated(app, subscription(uniqueId("sub_"), uniqueId("cus_"), now() - 60, now() + DAY).json(),
                now());
        patchStripe(Map.of("api_key", liveKey));
        JsonNode mismatch = check(app).json();
        assertThat(mismatch.get("mode").asText()).isEqualTo("live");
        assertThat(mismatch.get("events_mode").asText()).isEqualTo("test");
        assertThat(mismatch.get("mode_matches_events").asBoolean()).isFalse();
        assertThat(mismatch.get("message").asText()).contains("live mode key", "test mode event");

        world.stripe.close();
        HttpResponse unreachable = check(app);
        assertThat(unreachable.status()).isEqualTo(424);
        assertThat(unreachable.json().get("code").asText()).isEqualTo("stripe_api_error");
        assertThat(unreachable.json().get("message").asText()).contains("could not be reached");
    }

    @Test
    void refreshAnswersClearErrors() {
        String customer = uniqueId("cus_");
        String session = uniqueId("cs_");
        world.stripe.putLineItems(session, StripeObjects.checkoutLineItems(session, "price_L", "prod_L", 4999, null));
        world.deliver(app, StripeObjects.event(uniqueId("evt_"), "checkout.session.completed", now(),
                StripeObjects.checkoutSession(session).customer(customer).paymentIntent(uniqueId("pi_"))
                        .amount(4999, "usd").json()));
        String oneTime = world.purchase(app, customer).get("id").asText();

        HttpResponse notRefreshable = refresh(app, oneTime);
        assertThat(notRefreshable.status()).isEqualTo(422);
        assertThat(notRefreshable.json().get("code").asText()).isEqualTo("purchase_not_refreshable");
        assertThat(refresh(app, "pur_unknown").status()).isEqualTo(404);
        StripeApp other = world.app(FakeStripe.API_KEY);
        assertThat(refresh(other, oneTime).status()).as("another project's purchase is unknown here").isEqualTo(404);

        String subCustomer = uniqueId("cus_");
        String sub = uniqueId("sub_");
        world.deliverCreated(app, subscription(sub, subCustomer, now() - 60, now() + DAY).json(), now());
        world.stripe.failNext(429, FakeStripe.error("rate_limit_error", "rate_limit", "Too many requests", null),
                Map.of("Retry-After", "4"));
        HttpResponse limited = refresh(app, world.purchase(app, subCustomer).get("id").asText());
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.json().get("code").asText()).isEqualTo("stripe_rate_limited");
        assertThat(limited.json().get("retry_after_seconds").asLong()).isEqualTo(4);
    }
}
