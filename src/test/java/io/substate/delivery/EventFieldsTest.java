package io.substate.delivery;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import io.substate.testing.FakeStripe;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.Fixtures;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import io.substate.testing.WebhookReceiver;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

import static io.substate.testing.StripeEventBuilder.sign;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static io.substate.testing.StripeObjects.event;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fields of outgoing events that come from invoices, Checkout Sessions and Stripe's fee (tax, commission and
 * take-home, offer code, country, presented offering, grace period), field by field against RevenueCat's sample
 * events, over HTTP on SQLite and PostgreSQL, from signed Stripe events and the fake Stripe's balance transactions.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class EventFieldsTest {
    static final String SECRET = "whsec_event_fields_secret";
    private static final Map<TestDb, TestServer> SERVERS = new EnumMap<>(TestDb.class);
    private static final FakeStripe STRIPE = FakeStripe.start();
    private static final WebhookReceiver RECEIVER = WebhookReceiver.healthy();

    /** Every field of RevenueCat's INITIAL_PURCHASE sample event, and the billing-issue one. */
    static final List<String> SAMPLE_FIELDS = List.of("aliases", "app_id", "app_user_id", "commission_percentage",
            "country_code", "currency", "entitlement_id", "entitlement_ids", "environment", "event_timestamp_ms",
            "expiration_at_ms", "id", "is_family_share", "offer_code", "original_app_user_id",
            "original_transaction_id", "period_type", "presented_offering_id", "price", "price_in_purchased_currency",
            "product_id", "purchased_at_ms", "store", "subscriber_attributes", "takehome_percentage",
            "tax_percentage", "transaction_id", "type", "grace_period_expiration_at_ms", "experiments");

    @Parameter
    TestDb db;

    @AfterAll
    static void stop() {
        RECEIVER.close();
        STRIPE.close();
    }

    TestServer server() {
        synchronized (SERVERS) {
            return SERVERS.computeIfAbsent(db, d -> TestServer.start(d, Map.of(
                    "SUBSTATE_STRIPE_API_BASE", STRIPE.baseUrl())));
        }
    }

    StripeApp app() {
        return app(FakeStripe.API_KEY);
    }

    StripeApp app(String apiKey) {
        Map<String, Object> settings = new HashMap<>();
        settings.put("webhook_secret", SECRET);
        if (apiKey != null) {
            settings.put("api_key", apiKey);
        }
        settings.put("track_new_purchases", true);
        settings.put("app_user_id_detection", "stripe_customer_id");
        StripeApp app = Fixtures.stripeApp(server().admin(), settings);
        Fixtures.entitlement(server().admin(), app, "pro", "prod_Basic", "subscription");
        HttpResponse created = server().admin().post("/v2/projects/" + app.projectId() + "/integrations/webhooks",
                Map.of("name", "All events", "url", RECEIVER.url()));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return app;
    }

    void stripe(StripeApp app, String type, long created, JsonNode object) {
        String payload = event(uniqueId("evt_"), type, created, object);
        HttpResponse response = server().anonymous().postStripe(app.webhookPath(), payload, sign(payload, SECRET));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
    }

    /** A charge in the fake Stripe whose balance transaction took {@code fee} of {@code amount}. */
    static String chargeWithFee(String customer, long amount, long fee) {
        String charge = uniqueId("ch_");
        String transaction = uniqueId("txn_");
        ObjectNode txn = Json.object();
        txn.put("id", transaction);
        txn.put("object", "balance_transaction");
        txn.put("amount", amount);
        txn.put("currency", "usd");
        txn.put("fee", fee);
        txn.put("net", amount - fee);
        txn.put("source", charge);
        txn.put("type", "charge");
        STRIPE.put(txn);
        ObjectNode json = StripeObjects.charge(charge).customer(customer).amount(amount, "usd").json();
        json.put("balance_transaction", transaction);
        STRIPE.put(json);
        return charge;
    }

    /** A paid pre-basil invoice naming its charge: tax 190 of 1190, coupon free_month, customer in Germany. */
    static ObjectNode firstInvoice(String id, String sub, String customer, String charge, long start, long end,
            long created) {
        ObjectNode invoice = StripeObjects.invoice(id).subscription(sub).customer(customer).prebasil()
                .amount(1190, "usd").price("price_Basic", "prod_Basic", "month").linePeriod(start, end)
                .billingReason("subscription_create").payment(charge, null).created(created).json();
        invoice.put("tax", 190);
        ObjectNode discount = invoice.putObject("discount");
        discount.put("object", "discount");
        ObjectNode coupon = discount.putObject("coupon");
        coupon.put("id", "free_month");
        coupon.put("object", "coupon");
        coupon.put("name", "Free month");
        discount.putNull("promotion_code");
        invoice.putObject("customer_address").put("country", "de");
        return invoice;
    }

    @Test
    void everyEventTypeCarriesTheInvoiceCheckoutAndFeeFieldsOfRevenueCatsSamples() {
        StripeApp app = app();
        Fixtures.entitlement(server().admin(), app, "lifetime", "prod_Lifetime", "one_time");
        String customer = uniqueId("cus_");
        String sub = uniqueId("sub_");
        long t = System.currentTimeMillis() / 1000 - 100;
        long periodEnd = t + 30 * 86400;
        StripeObjects.SubscriptionBuilder basic = StripeObjects.subscription(sub).customer(customer)
                .price("price_Basic", "prod_Basic").amount(1190, "usd").period(t - 10, periodEnd)
                .metadata("presented_offering_id", "default_offering");

        // First payment: a pre-basil invoice naming its charge (fee 65 of 1190).
        String firstInvoice = uniqueId("in_");
        String firstCharge = chargeWithFee(customer, 1190, 65);
        stripe(app, "customer.subscription.created", t, basic.status("incomplete").json());
        stripe(app, "invoice.updated", t, firstInvoice(firstInvoice, sub, customer, firstCharge, t - 10, periodEnd, t));
        stripe(app, "customer.subscription.updated", t + 1, basic.status("active").json());

        // Renewal: a basil invoice paid through a payment intent (fee 88 of 2000), promotion code SPRING, France.
        String secondInvoice = uniqueId("in_");
        String secondCharge = chargeWithFee(customer, 2000, 88);
        String intent = uniqueId("pi_");
        STRIPE.put(StripeObjects.paymentIntent(intent, customer, 2000, secondCharge));
        STRIPE.putInvoicePayment(intent, secondInvoice);
        ObjectNode renewalInvoice = StripeObjects.invoice(secondInvoice).subscription(sub).customer(customer)
                .amount(2000, "usd").price("price_Basic", "prod_Basic", "month")
                .linePeriod(periodEnd, periodEnd + 30 * 86400).created(t + 2).json();
        renewalInvoice.putArray("total_taxes").addObject().put("amount", 300).put("tax_behavior", "exclusive");
        // As basil events send them: the discount by id only; Substate expands it to read the code typed.
        String promotionCode = uniqueId("promo_");
        STRIPE.put(Json.object().put("id", promotionCode).put("object", "promotion_code").put("code", "SPRING"));
        String discount = uniqueId("di_");
        ObjectNode discountObject = Json.object().put("id", discount).put("object", "discount")
                .put("invoice", secondInvoice).put("promotion_code", promotionCode);
        discountObject.putObject("source").put("coupon", "cpn_spring").put("type", "coupon");
        STRIPE.put(discountObject);
        ((ArrayNode) renewalInvoice.get("discounts")).add(discount);
        STRIPE.put(renewalInvoice);
        renewalInvoice.putObject("customer_address").put("country", "FR");
        stripe(app, "invoice.updated", t + 2, renewalInvoice);
        stripe(app, "customer.subscription.updated", t + 2,
                basic.period(periodEnd, periodEnd + 30 * 86400).json());

        stripe(app, "customer.subscription.updated", t + 3, basic.cancelAtPeriodEnd(true).json());
        stripe(app, "customer.subscription.updated", t + 4, basic.cancelAtPeriodEnd(false).json());
        stripe(app, "customer.subscription.updated", t + 5, basic.price("price_Pro", "prod_Pro").json());

        // A failed payment Stripe retries in three days.
        long retryAt = t + 3 * 86400;
        ObjectNode failed = StripeObjects.invoice(uniqueId("in_")).subscription(sub).customer(customer)
                .status("open").amount(2000, "usd").price("price_Pro", "prod_Pro", "month").created(t + 6).json();
        failed.put("attempt_count", 1).put("attempted", true).put("next_payment_attempt", retryAt);
        stripe(app, "invoice.updated", t + 6, failed);
        stripe(app, "customer.subscription.updated", t + 7, basic.status("past_due").json());
        stripe(app, "customer.subscription.deleted", t + 8,
                basic.status("canceled").canceled(t + 8, "cancellation_requested").json());

        // A one-time purchase from an offering: tax 454 of 4999, coupon launch, Japan, fee 175.
        String session = uniqueId("cs_");
        String oneTimeCharge = chargeWithFee(customer, 4999, 175);
        String oneTimeIntent = uniqueId("pi_");
        STRIPE.put(StripeObjects.paymentIntent(oneTimeIntent, customer, 4999, oneTimeCharge));
        STRIPE.putLineItems(session, StripeObjects.checkoutLineItems(session, "price_Life", "prod_Lifetime", 4999,
                null));
        ObjectNode checkout = StripeObjects.checkoutSession(session).customer(customer).paymentIntent(oneTimeIntent)
                .amount(4999, "usd").metadata("presented_offering_id", "lifetime_offer").json();
        ((ObjectNode) checkout.get("customer_details")).putObject("address").put("country", "JP");
        checkout.putObject("total_details").put("amount_discount", 500).put("amount_shipping", 0)
                .put("amount_tax", 454);
        // A promotion code typed at checkout: the session names it by id.
        String launch = uniqueId("promo_");
        STRIPE.put(Json.object().put("id", launch).put("object", "promotion_code").put("code", "LAUNCH50"));
        checkout.putArray("discounts").addObject().putNull("coupon").put("promotion_code", launch);
        stripe(app, "checkout.session.completed", t + 9, checkout);

        JsonNode initial = RECEIVER.await("INITIAL_PURCHASE", customer).event();
        JsonNode renewal = RECEIVER.await("RENEWAL", customer).event();
        JsonNode cancellation = RECEIVER.await("CANCELLATION", customer).event();
        JsonNode uncancellation = RECEIVER.await("UNCANCELLATION", customer).event();
        JsonNode productChange = RECEIVER.await("PRODUCT_CHANGE", customer).event();
        JsonNode billingIssue = RECEIVER.await("BILLING_ISSUE", customer).event();
        JsonNode expiration = RECEIVER.await("EXPIRATION", customer).event();
        JsonNode oneTime = RECEIVER.await("NON_RENEWING_PURCHASE", customer).event();

        for (JsonNode e : List.of(initial, renewal, cancellation, uncancellation, productChange, billingIssue,
                expiration, oneTime)) {
            for (String field : SAMPLE_FIELDS) {
                assertThat(e.has(field)).as(field + " in " + e).isTrue();
            }
            for (String fraction : List.of("tax_percentage", "commission_percentage", "takehome_percentage")) {
                assertThat(e.get(fraction).isNumber() || e.get(fraction).isNull()).as(fraction + " in " + e).isTrue();
            }
            assertThat(e.get("experiments").isArray() && e.get("experiments").isEmpty()).as(e.toString()).isTrue();
            assertThat(e.get("grace_period_expiration_at_ms").isNull())
                    .as("grace period only on BILLING_ISSUE: " + e).isEqualTo(e != billingIssue);
        }

        // The first invoice: 190 / 1190 tax, 65 / 1190 fee.
        assertFields(initial, 0.1597, 0.0546, 0.9454, "free_month", "DE", "default_offering");
        // The renewal's basil invoice: 300 / 2000 tax, 88 / 2000 fee through its payment intent.
        assertFields(renewal, 0.15, 0.044, 0.956, "SPRING", "FR", "default_offering");
        // Events about the renewed period name its invoice.
        for (JsonNode e : List.of(cancellation, uncancellation, productChange, billingIssue, expiration)) {
            assertThat(e.get("transaction_id").asText()).as(e.toString()).isEqualTo(secondInvoice);
            assertFields(e, 0.15, 0.044, 0.956, "SPRING", "FR", "default_offering");
        }
        assertThat(billingIssue.get("grace_period_expiration_at_ms").asLong()).isEqualTo(retryAt * 1000);
        assertThat(billingIssue.get("grace_period_expiration_at_ms").isIntegralNumber()).isTrue();
        // The one-time purchase: the Checkout Session's tax, promotion code, customer country and metadata.
        assertFields(oneTime, 0.0908, 0.035, 0.965, "LAUNCH50", "JP", "lifetime_offer");
    }

    static void assertFields(JsonNode e, double tax, double commission, double takehome, String offerCode,
            String country, String offering) {
        assertThat(e.get("tax_percentage").asDouble()).as("tax_percentage of " + e).isEqualTo(tax);
        assertThat(e.get("commission_percentage").asDouble()).as("commission_percentage of " + e)
                .isEqualTo(commission);
        assertThat(e.get("takehome_percentage").asDouble()).as("takehome_percentage of " + e).isEqualTo(takehome);
        assertThat(e.get("offer_code").asText()).as("offer_code of " + e).isEqualTo(offerCode);
        assertThat(e.get("country_code").asText()).as("country_code of " + e).isEqualTo(country);
        assertThat(e.get("presented_offering_id").asText()).as("presented_offering_id of " + e).isEqualTo(offering);
    }

    /**
     * Stripe's usual order: {@code customer.subscription.created} (already active) before the first invoice's event.
     * The subscription's paid latest invoice is read with it, so the one INITIAL_PURCHASE names that invoice and
     * carries its tax, fee and price; the invoice's own event later adds nothing.
     */
    @Test
    void anInitialPurchaseSentBeforeItsInvoicesEventCarriesTheInvoicesTaxAndFee() {
        StripeApp app = app();
        String customer = uniqueId("cus_");
        String sub = uniqueId("sub_");
        String invoiceId = uniqueId("in_");
        long t = System.currentTimeMillis() / 1000 - 100;
        long periodEnd = t + 30 * 86400;
        ObjectNode invoice = firstInvoice(invoiceId, sub, customer, chargeWithFee(customer, 1190, 65), t - 10,
                periodEnd, t);
        STRIPE.put(invoice);
        StripeObjects.SubscriptionBuilder basic = StripeObjects.subscription(sub).customer(customer)
                .price("price_Basic", "prod_Basic").amount(990, "usd").period(t - 10, periodEnd)
                .latestInvoice(invoiceId).metadata("presented_offering_id", "default_offering").status("active");

        stripe(app, "customer.subscription.created", t, basic.json());

        JsonNode initial = RECEIVER.await("INITIAL_PURCHASE", customer).event();
        assertFields(initial, 0.1597, 0.0546, 0.9454, "free_month", "DE", "default_offering");
        assertThat(initial.get("transaction_id").asText()).isEqualTo(invoiceId);
        assertThat(initial.get("price_in_purchased_currency").asDouble()).as("the invoice's amount, not the plan's")
                .isEqualTo(11.9);

        stripe(app, "invoice.updated", t + 1, invoice);
        stripe(app, "customer.subscription.updated", t + 2, basic.cancelAtPeriodEnd(true).json());
        JsonNode cancellation = RECEIVER.await("CANCELLATION", customer).event();
        assertFields(cancellation, 0.1597, 0.0546, 0.9454, "free_month", "DE", "default_offering");
        List<String> types = RECEIVER.received(e -> customer.equals(e.path("app_user_id").asText())).stream()
                .map(r -> r.event().get("type").asText()).toList();
        assertThat(types).as("the invoice's own event is a duplicate").containsExactlyInAnyOrder("INITIAL_PURCHASE",
                "CANCELLATION");
    }

    /** A subscription-mode Checkout Session arriving first: the subscription it reads brings its paid invoice too. */
    @Test
    void aSubscriptionCheckoutArrivingFirstSendsTheInitialPurchaseWithTheInvoicesTaxAndFee() {
        String customer = uniqueId("cus_");
        String invoiceId = uniqueId("in_");
        JsonNode initial = subscriptionCheckoutFirst(customer, invoiceId, "default_offering", null);
        assertFields(initial, 0.1597, 0.0546, 0.9454, "free_month", "DE", "default_offering");
        assertThat(initial.get("transaction_id").asText()).isEqualTo(invoiceId);
    }

    /**
     * A subscription-mode Checkout Session arriving first whose offering is only in the session's metadata: the
     * session is applied before the subscription read for it, so the one INITIAL_PURCHASE carries that offering.
     */
    @Test
    void aSubscriptionCheckoutArrivingFirstSendsTheInitialPurchaseWithTheSessionsOffering() {
        String customer = uniqueId("cus_");
        JsonNode initial = subscriptionCheckoutFirst(customer, uniqueId("in_"), null, "session_offering");
        assertFields(initial, 0.1597, 0.0546, 0.9454, "free_month", "DE", "session_offering");
        List<String> types = RECEIVER.received(e -> customer.equals(e.path("app_user_id").asText())).stream()
                .map(r -> r.event().get("type").asText()).toList();
        assertThat(types).as("one event for the session and the subscription read with it")
                .containsExactly("INITIAL_PURCHASE");
    }

    /**
     * Sends a subscription-mode {@code checkout.session.completed} before anything else about its active
     * subscription (in the fake Stripe with its paid first invoice), each with the given offering metadata (null: not
     * set), and answers the INITIAL_PURCHASE.
     */
    JsonNode subscriptionCheckoutFirst(String customer, String invoiceId, String subscriptionOffering,
            String sessionOffering) {
        StripeApp app = app();
        String sub = uniqueId("sub_");
        long t = System.currentTimeMillis() / 1000 - 100;
        long periodEnd = t + 30 * 86400;
        STRIPE.put(firstInvoice(invoiceId, sub, customer, chargeWithFee(customer, 1190, 65), t - 10, periodEnd, t));
        StripeObjects.SubscriptionBuilder subscription = StripeObjects.subscription(sub).customer(customer)
                .price("price_Basic", "prod_Basic").amount(990, "usd").period(t - 10, periodEnd)
                .latestInvoice(invoiceId).status("active");
        if (subscriptionOffering != null) {
            subscription.metadata("presented_offering_id", subscriptionOffering);
        }
        STRIPE.put(subscription.json());
        StripeObjects.CheckoutSessionBuilder session = StripeObjects.checkoutSession(uniqueId("cs_"))
                .customer(customer).subscription(sub).amount(1190, "usd");
        if (sessionOffering != null) {
            session.metadata("presented_offering_id", sessionOffering);
        }
        stripe(app, "checkout.session.completed", t, session.json());
        return RECEIVER.await("INITIAL_PURCHASE", customer).event();
    }

    /** Without a key nothing is read: the INITIAL_PURCHASE is sent at once with the subscription's data, as before. */
    @Test
    void withoutAnApiKeyAnInitialPurchaseSentBeforeItsInvoiceHasNoTaxNorFeeAndNothingIsRead() {
        StripeApp app = app(null);
        String customer = uniqueId("cus_");
        String sub = uniqueId("sub_");
        String invoiceId = uniqueId("in_");
        long t = System.currentTimeMillis() / 1000 - 100;
        long periodEnd = t + 30 * 86400;
        STRIPE.put(firstInvoice(invoiceId, sub, customer, chargeWithFee(customer, 1190, 65), t - 10, periodEnd, t));

        stripe(app, "customer.subscription.created", t, StripeObjects.subscription(sub).customer(customer)
                .price("price_Basic", "prod_Basic").amount(990, "usd").period(t - 10, periodEnd)
                .latestInvoice(invoiceId).status("active").json());

        JsonNode initial = RECEIVER.await("INITIAL_PURCHASE", customer).event();
        for (String field : List.of("tax_percentage", "commission_percentage", "takehome_percentage")) {
            assertThat(initial.get(field).isNull()).as(field + " in " + initial).isTrue();
        }
        assertThat(initial.get("price_in_purchased_currency").asDouble()).isEqualTo(9.9);
        assertThat(STRIPE.requestsTo("/v1/invoices/" + invoiceId)).isEmpty();
    }

    /** Stripe cannot give the invoice (here: it does not know it): the webhook is applied, tax and fee are null. */
    @Test
    void whenTheInvoiceCannotBeReadTheInitialPurchaseIsSentWithoutTaxNorFee() {
        StripeApp app = app();
        String customer = uniqueId("cus_");
        String sub = uniqueId("sub_");
        String invoiceId = uniqueId("in_");
        long t = System.currentTimeMillis() / 1000 - 100;

        stripe(app, "customer.subscription.created", t, StripeObjects.subscription(sub).customer(customer)
                .price("price_Basic", "prod_Basic").amount(990, "usd").period(t - 10, t + 30 * 86400)
                .latestInvoice(invoiceId).status("active").json());

        JsonNode initial = RECEIVER.await("INITIAL_PURCHASE", customer).event();
        for (String field : List.of("tax_percentage", "commission_percentage", "takehome_percentage")) {
            assertThat(initial.get(field).isNull()).as(field + " in " + initial).isTrue();
        }
        assertThat(initial.get("price_in_purchased_currency").asDouble()).isEqualTo(9.9);
        assertThat(STRIPE.requestsTo("/v1/invoices/" + invoiceId)).as("it was asked").hasSize(1);
    }

    @Test
    void withoutThePermissionToReadBalanceTransactionsTheFeeFieldsAreNullAndTheReasonIsLoggedOnce() {
        List<String> lines = paidTwiceWhileFeesCannotBeRead(app(), true);
        assertThat(lines.get(0)).contains("commission_percentage", "stripe_api_key_invalid", "Balance")
                .doesNotContain("rk_", FakeStripe.API_KEY);
    }

    @Test
    void withoutAnApiKeyTheFeeFieldsAreNullAndTheReasonIsLoggedOnce() {
        List<String> lines = paidTwiceWhileFeesCannotBeRead(app(null), false);
        assertThat(lines.get(0)).contains("commission_percentage", "has no Stripe API key");
    }

    /** Two paid invoices while the fee cannot be read: the events' fee fields are null; the app's warnings. */
    List<String> paidTwiceWhileFeesCannotBeRead(StripeApp app, boolean denyBalance) {
        String customer = uniqueId("cus_");
        String sub = uniqueId("sub_");
        long t = System.currentTimeMillis() / 1000 - 100;
        long periodEnd = t + 30 * 86400;
        StripeObjects.SubscriptionBuilder basic = StripeObjects.subscription(sub).customer(customer)
                .price("price_Basic", "prod_Basic").amount(1190, "usd").period(t - 10, periodEnd);
        Logger logger = (Logger) LoggerFactory.getLogger("io.substate.ingest.PaymentReads");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        if (denyBalance) {
            STRIPE.denyPermission("rak_balance_transaction_read");
        }
        try {
            stripe(app, "customer.subscription.created", t, basic.status("incomplete").json());
            stripe(app, "invoice.updated", t, firstInvoice(uniqueId("in_"), sub, customer,
                    chargeWithFee(customer, 1190, 65), t - 10, periodEnd, t));
            stripe(app, "customer.subscription.updated", t + 1, basic.status("active").json());
            stripe(app, "invoice.updated", t + 2, firstInvoice(uniqueId("in_"), sub, customer,
                    chargeWithFee(customer, 1190, 65), periodEnd, periodEnd + 30 * 86400, t + 2));
        } finally {
            STRIPE.allowPermission("rak_balance_transaction_read");
            logger.detachAppender(appender);
        }

        JsonNode initial = RECEIVER.await("INITIAL_PURCHASE", customer).event();
        assertThat(initial.get("commission_percentage").isNull()).as(initial.toString()).isTrue();
        assertThat(initial.get("takehome_percentage").isNull()).as(initial.toString()).isTrue();
        assertThat(initial.get("tax_percentage").asDouble()).isEqualTo(0.1597);
        assertThat(initial.get("offer_code").asText()).isEqualTo("free_month");

        List<String> lines = appender.list.stream().filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(app.appId())).toList();
        assertThat(lines).as("one line for two paid invoices").hasSize(1);
        return lines;
    }
}
