package io.substate.subscriptions;

import static io.substate.testing.StripeEventBuilder.sign;
import static io.substate.testing.StripeEventBuilder.uniqueId;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
import io.substate.testing.FakeStripe;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One fake Stripe shared by the subscription tests and one server per database wired to it; each test makes its own
 * project and app, and its subscriptions and purchases through signed Stripe webhooks, as Stripe would.
 */
final class SubscriptionsWorld {
    static final String SECRET = "whsec_subscriptions_test";
    static final String PRODUCT = "prod_subs_premium";
    static final String LIFETIME = "prod_subs_lifetime";
    static final String MANAGEMENT_URL = "https://billing.example.com/portal";
    static final FakeStripe STRIPE = FakeStripe.start();
    private static final Map<TestDb, TestServer> SERVERS = new EnumMap<>(TestDb.class);

    private SubscriptionsWorld() {}

    static TestServer server(TestDb db) {
        synchronized (SERVERS) {
            return SERVERS.computeIfAbsent(db, d -> TestServer.start(d, Map.of("SUBSTATE_STRIPE_API_BASE",
                    STRIPE.baseUrl())));
        }
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    /** A subscription's Stripe objects, and its Substate id. */
    record Sub(String customer, String subscription, String invoice, String paymentIntent, String charge, String id) {}

    /** A one-time purchase's Stripe objects, and its Substate id. */
    record OneTime(String customer, String session, String paymentIntent, String charge, String id) {}

    /** An app with the key of the fake Stripe: "premium" on {@link #PRODUCT}, "lifetime" on {@link #LIFETIME}. */
    static StripeApp app(Api admin) {
        Map<String, Object> settings = new HashMap<>();
        settings.put("webhook_secret", SECRET);
        settings.put("api_key", FakeStripe.API_KEY);
        settings.put("track_new_purchases", true);
        settings.put("app_user_id_detection", "stripe_customer_id");
        settings.put("management_url", MANAGEMENT_URL);
        StripeApp app = Fixtures.stripeApp(admin, settings);
        Fixtures.entitlement(admin, app, "premium", PRODUCT, "subscription");
        Fixtures.entitlement(admin, app, "lifetime", LIFETIME, "one_time");
        return app;
    }

    /**
     * An active monthly subscription of $9.99 for a new customer (App User ID = the Stripe customer id), paid by its
     * first invoice, in Stripe's basil shape: the invoice names no payment; an invoice payment links it to one.
     */
    /** The offering every purchase here was sold from (checkout metadata) and the billing country of invoices. */
    static final String OFFERING = "main";
    static final String COUNTRY = "DE";

    static Sub subscribe(TestServer server, StripeApp app, long start, long end) {
        return subscribe(server, app, uniqueId("cus_"), start, end);
    }

    static Sub subscribe(TestServer server, StripeApp app, String customer, long start, long end) {
        String sub = uniqueId("sub_");
        String invoice = uniqueId("in_");
        String pi = uniqueId("pi_");
        String charge = uniqueId("ch_");
        JsonNode subscription = StripeObjects.subscription(sub).customer(customer).price("price_subs_m", PRODUCT)
                .created(start).period(start, end).latestInvoice(invoice).metadata("presented_offering_id", OFFERING)
                .json();
        STRIPE.put(subscription);
        JsonNode paid = StripeObjects.invoice(invoice).customer(customer).subscription(sub)
                .billingReason("subscription_create").amount(999, "usd").price("price_subs_m", PRODUCT, "month")
                .created(start).linePeriod(start, end).json();
        ((com.fasterxml.jackson.databind.node.ObjectNode) paid).putObject("customer_address").put("country", COUNTRY);
        STRIPE.put(paid);
        STRIPE.put(StripeObjects.charge(charge).customer(customer).paymentIntent(pi).amount(999, "usd").created(start)
                .json());
        STRIPE.put(StripeObjects.paymentIntent(pi, customer, 999, charge));
        STRIPE.putInvoicePayment(pi, invoice);
        deliver(server, app, StripeObjects.event(uniqueId("evt_"), "customer.subscription.created", start,
                subscription));
        deliver(server, app, StripeObjects.event(uniqueId("evt_"), "invoice.updated", start, paid));
        JsonNode list = server.admin().get(customerPath(app, customer) + "/subscriptions").json();
        String id = list.get("items").get(list.get("items").size() - 1).get("id").asText();
        return new Sub(customer, sub, invoice, pi, charge, id);
    }

    /** A paid one-time Checkout of {@link #LIFETIME} for $49.99 by a new customer. */
    static OneTime buyOnce(TestServer server, StripeApp app, long at) {
        String customer = uniqueId("cus_");
        String session = uniqueId("cs_");
        String pi = uniqueId("pi_");
        String charge = uniqueId("ch_");
        STRIPE.putLineItems(session, StripeObjects.checkoutLineItems(session, "price_subs_life", LIFETIME, 4999, null));
        STRIPE.put(StripeObjects.charge(charge).customer(customer).paymentIntent(pi).amount(4999, "usd").created(at)
                .json());
        STRIPE.put(StripeObjects.paymentIntent(pi, customer, 4999, charge));
        deliver(server, app, StripeObjects.event(uniqueId("evt_"), "checkout.session.completed", at,
                StripeObjects.checkoutSession(session).customer(customer).paymentIntent(pi).amount(4999, "usd")
                        .metadata("presented_offering_id", OFFERING).created(at).json()));
        String id = server.admin().get(customerPath(app, customer) + "/purchases").json()
                .get("items").get(0).get("id").asText();
        return new OneTime(customer, session, pi, charge, id);
    }

    static HttpResponse deliver(TestServer server, StripeApp app, String payload) {
        HttpResponse response = server.anonymous().postStripe(app.webhookPath(), payload, sign(payload, SECRET));
        if (response.status() != 200) {
            throw new IllegalStateException("delivery failed: " + response);
        }
        return response;
    }

    static String customerPath(StripeApp app, String appUserId) {
        return "/v2/projects/" + app.projectId() + "/customers/" + appUserId;
    }

    static String subscriptionPath(StripeApp app, String id) {
        return "/v2/projects/" + app.projectId() + "/subscriptions/" + id;
    }

    static String purchasePath(StripeApp app, String id) {
        return "/v2/projects/" + app.projectId() + "/purchases/" + id;
    }

    /** A webhook integration of the app's project sending to {@code url}; its id. */
    static String integration(Api admin, StripeApp app, String url) {
        HttpResponse created = admin.post("/v2/projects/" + app.projectId() + "/integrations/webhooks",
                Map.of("name", "Receiver", "url", url));
        if (created.status() != 201) {
            throw new IllegalStateException("integration not created: " + created);
        }
        return created.json().get("id").asText();
    }

    /** Types of the outgoing events queued for the integration so far (written with the change that caused them). */
    static List<String> queued(Api admin, StripeApp app, String integrationId) {
        JsonNode page = admin.get("/v2/projects/" + app.projectId() + "/integrations/webhooks/" + integrationId
                + "/deliveries?limit=100").json();
        List<String> types = new ArrayList<>();
        page.get("items").forEach(d -> types.add(d.get("event_type").asText()));
        return types;
    }
}
