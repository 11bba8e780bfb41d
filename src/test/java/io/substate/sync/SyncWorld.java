package io.substate.sync;

import static io.substate.testing.StripeEventBuilder.sign;
import static io.substate.testing.StripeEventBuilder.uniqueId;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.FakeStripe;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One fake Stripe and one private Substate server wired to it, for the sync tests: refresh workers are background
 * threads, so each test gets its own pair and nothing else talks to its Stripe.
 */
final class SyncWorld implements AutoCloseable {
    static final String SECRET = "whsec_sync_test_secret";
    static final String PRODUCT = "prod_premium";

    final FakeStripe stripe = FakeStripe.start();
    final TestServer server;

    SyncWorld(TestDb db, String refreshInterval, String refreshTick) {
        server = TestServer.start(db, Map.of("SUBSTATE_STRIPE_API_BASE", stripe.baseUrl(),
                "SUBSTATE_STRIPE_REFRESH_INTERVAL", refreshInterval, "SUBSTATE_STRIPE_REFRESH_TICK", refreshTick));
    }

    /** An app tracking new purchases, App User ID = Stripe customer id, with an entitlement on {@link #PRODUCT}. */
    StripeApp app(String apiKeyOrNull) {
        Map<String, Object> settings = new HashMap<>();
        settings.put("webhook_secret", SECRET);
        if (apiKeyOrNull != null) {
            settings.put("api_key", apiKeyOrNull);
        }
        settings.put("track_new_purchases", true);
        settings.put("app_user_id_detection", "stripe_customer_id");
        StripeApp app = Fixtures.stripeApp(server.admin(), settings);
        Fixtures.entitlement(server.admin(), app, "premium", PRODUCT, "subscription");
        return app;
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    /** An active monthly subscription of {@link #PRODUCT} for the customer, current period as given. */
    static StripeObjects.SubscriptionBuilder subscription(String id, String customer, long periodStart, long periodEnd) {
        return StripeObjects.subscription(id).customer(customer).status("active").price("price_monthly", PRODUCT)
                .period(periodStart, periodEnd);
    }

    /** Delivers {@code customer.subscription.created} as Stripe would; the purchase then exists. */
    HttpResponse deliverCreated(StripeApp app, JsonNode subscription, long created) {
        return deliver(app, StripeObjects.event(uniqueId("evt_"), "customer.subscription.created", created, subscription));
    }

    HttpResponse deliver(StripeApp app, String payload) {
        HttpResponse response = server.anonymous().postStripe(app.webhookPath(), payload, sign(payload, SECRET));
        if (response.status() != 200) {
            throw new IllegalStateException("delivery failed: " + response);
        }
        return response;
    }

    JsonNode customer(StripeApp app, String appUserId) {
        return io.substate.testing.Fixtures.profile(server.admin(), app.projectId(), appUserId);
    }

    JsonNode purchase(StripeApp app, String appUserId) {
        return customer(app, appUserId).get("purchases").get(0);
    }

    /** Types of the outgoing events about the customer, oldest first. */
    List<String> outgoingTypes(StripeApp app, String appUserId) {
        List<String> types = new java.util.ArrayList<>();
        for (JsonNode entry : customer(app, appUserId).get("history")) {
            if (entry.get("kind").asText().equals("outgoing_event")) {
                types.add(0, entry.get("type").asText());
            }
        }
        return types;
    }

    List<FakeStripe.RecordedRequest> readsOf(String subscriptionId) {
        return stripe.requestsTo("/v1/subscriptions/" + subscriptionId);
    }

    @Override
    public void close() {
        server.close();
        stripe.close();
    }
}
