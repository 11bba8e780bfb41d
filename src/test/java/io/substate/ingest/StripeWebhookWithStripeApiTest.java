package io.substate.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
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
import static io.substate.testing.StripeObjects.event;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Webhook paths that read the Stripe API with the app's key: one-time Checkout line items, guest checkouts, a new
 * subscription-mode checkout, and basil refunds (charge → payment intent → invoice payments → invoice). Stripe is the
 * local fake, reached through stripe-java.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class StripeWebhookWithStripeApiTest {
    static final String SECRET = "whsec_api_test_secret";
    private static final Map<TestDb, TestServer> SERVERS = new EnumMap<>(TestDb.class);
    private static final FakeStripe STRIPE = FakeStripe.start();

    @Parameter
    TestDb db;

    TestServer server() {
        synchronized (SERVERS) {
            return SERVERS.computeIfAbsent(db, d -> TestServer.start(d, Map.of("SUBSTATE_STRIPE_API_BASE", STRIPE.baseUrl())));
        }
    }

    long now() {
        return System.currentTimeMillis() / 1000;
    }

    StripeApp app(String detection) {
        Map<String, Object> settings = new HashMap<>();
        settings.put("webhook_secret", SECRET);
        settings.put("api_key", FakeStripe.API_KEY);
        settings.put("track_new_purchases", true);
        settings.put("app_user_id_detection", detection);
        StripeApp app = Fixtures.stripeApp(server().admin(), settings);
        Fixtures.entitlement(server().admin(), app, "lifetime", "prod_Lifetime", "one_time");
        return app;
    }

    HttpResponse send(StripeApp app, String payload) {
        return server().anonymous().postStripe(app.webhookPath(), payload, sign(payload, SECRET));
    }

    JsonNode customer(StripeApp app, String appUserId) {
        return Fixtures.profile(server().admin(), app.projectId(), appUserId);
    }

    @Test
    void guestOneTimeCheckoutBecomesANonRenewingPurchaseOfAnAnonymousUser() {
        StripeApp app = app("stripe_customer_id");
        String session = uniqueId("cs_");
        STRIPE.putLineItems(session, StripeObjects.checkoutLineItems(session, "price_Life", "prod_Lifetime", 4999, null));
        String payload = event(uniqueId("evt_"), "checkout.session.completed", now(),
                StripeObjects.checkoutSession(session).customer(null).paymentIntent(uniqueId("pi_")).amount(4999, "usd").json());

        HttpResponse response = send(app, payload);

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        String purchaseId = server().admin().get("/v2/projects/" + app.projectId() + "/apps/" + app.appId()
                + "/stripe_events").json().get("items").get(0).get("purchase_id").asText();
        assertThat(purchaseId).startsWith("pur");
        assertThat(STRIPE.requestsTo("/v1/checkout/sessions/" + session + "/line_items")).isNotEmpty();
        assertThat(STRIPE.requestsTo("/v1/checkout/sessions/" + session + "/line_items").get(0).apiKey())
                .isEqualTo(FakeStripe.API_KEY);
    }

    @Test
    void oneTimeCheckoutOfAKnownCustomerGrantsTheEntitlementAndAFullRefundRevokesIt() {
        StripeApp app = app("stripe_customer_id");
        String customerId = uniqueId("cus_");
        String session = uniqueId("cs_");
        String paymentIntent = uniqueId("pi_");
        STRIPE.putLineItems(session, StripeObjects.checkoutLineItems(session, "price_Life", "prod_Lifetime", 4999, null));
        send(app, event(uniqueId("evt_"), "checkout.session.completed", now() - 10,
                StripeObjects.checkoutSession(session).customer(customerId).paymentIntent(paymentIntent)
                        .amount(4999, "usd").json()));
        assertThat(Fixtures.activeEntitlementKeys(server().admin(), app.projectId(), customerId)).contains("lifetime");

        HttpResponse refund = send(app, event(uniqueId("evt_"), "charge.refunded", now(),
                StripeObjects.charge(uniqueId("ch_")).customer(customerId).paymentIntent(paymentIntent)
                        .amount(4999, "usd").refunded(4999).json()));

        assertThat(refund.status()).as(refund.toString()).isEqualTo(200);
        JsonNode after = customer(app, customerId);
        assertThat(Fixtures.activeEntitlementKeys(server().admin(), app.projectId(), customerId)).isEmpty();
        assertThat(after.get("purchases").get(0).get("refunded_at").isNull()).isFalse();
        assertThat(after.get("history").findValuesAsText("type")).contains("NON_RENEWING_PURCHASE", "CANCELLATION");
    }

    @Test
    void subscriptionModeCheckoutReadsTheSubscriptionFromStripe() {
        StripeApp app = app("stripe_customer_id");
        String customerId = uniqueId("cus_");
        String sub = uniqueId("sub_");
        STRIPE.put(StripeObjects.subscription(sub).customer(customerId).status("active")
                .price("price_M", "prod_Monthly").period(now() - 60, now() + 30 * 86400).json());
        String payload = event(uniqueId("evt_"), "checkout.session.completed", now(),
                StripeObjects.checkoutSession(uniqueId("cs_")).customer(customerId).subscription(sub).json());

        HttpResponse response = send(app, payload);

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode purchase = customer(app, customerId).get("purchases").get(0);
        assertThat(purchase.get("store_token").asText()).isEqualTo(sub);
        assertThat(purchase.get("status").asText()).isEqualTo("active");
        assertThat(purchase.get("product_id").asText()).isEqualTo("prod_Monthly");
    }

    @Test
    void basilRefundFindsItsSubscriptionThroughInvoicePayments() {
        StripeApp app = app("stripe_customer_id");
        String customerId = uniqueId("cus_");
        String sub = uniqueId("sub_");
        String invoice = uniqueId("in_");
        String paymentIntent = uniqueId("pi_");
        send(app, event(uniqueId("evt_"), "customer.subscription.created", now() - 20,
                StripeObjects.subscription(sub).customer(customerId).status("active").latestInvoice(invoice)
                        .price("price_M", "prod_Monthly").period(now() - 60, now() + 30 * 86400).json()));
        STRIPE.putInvoicePayment(paymentIntent, invoice);
        STRIPE.put(StripeObjects.invoice(invoice).customer(customerId).subscription(sub).status("paid")
                .billingReason("subscription_create").amount(999, "usd").json());

        HttpResponse refund = send(app, event(uniqueId("evt_"), "charge.refunded", now(),
                StripeObjects.charge(uniqueId("ch_")).customer(customerId).paymentIntent(paymentIntent)
                        .amount(999, "usd").refunded(999).json()));

        assertThat(refund.status()).as(refund.toString()).isEqualTo(200);
        JsonNode purchase = customer(app, customerId).get("purchases").get(0);
        assertThat(purchase.get("refunded_at").isNull()).isFalse();
        assertThat(purchase.get("grants_access").asBoolean()).isFalse();
    }

    @Test
    void stripeApiFailureIsAFailedEventThatStripeRetries() {
        StripeApp app = app("stripe_customer_id");
        String session = uniqueId("cs_");
        STRIPE.failNext(500);
        String payload = event(uniqueId("evt_"), "checkout.session.completed", now(),
                StripeObjects.checkoutSession(session).customer(uniqueId("cus_")).paymentIntent(uniqueId("pi_"))
                        .amount(4999, "usd").json());

        HttpResponse failed = send(app, payload);
        STRIPE.putLineItems(session, StripeObjects.checkoutLineItems(session, "price_Life", "prod_Lifetime", 4999, null));
        HttpResponse retried = send(app, payload);

        assertThat(failed.status()).isBetween(400, 499);
        assertThat(failed.json().get("code").asText()).isEqualTo("stripe_api_error");
        assertThat(retried.status()).as(retried.toString()).isEqualTo(200);
        assertThat(retried.json().get("outcome").asText()).isEqualTo("processed");
    }
}
