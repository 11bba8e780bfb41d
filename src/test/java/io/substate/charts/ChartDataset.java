package io.substate.charts;

import static io.substate.testing.StripeEventBuilder.sign;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static io.substate.testing.StripeObjects.PREBASIL_API_VERSION;
import static io.substate.testing.StripeObjects.event;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.testing.FakeStripe;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestClock;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The fixed dataset the chart tests compute their expectations from by hand, built by sending real signed Stripe
 * events to a server whose clock is moved to each event's time (so customers are first seen then). "Now" is
 * 2026-03-15T12:00Z. EUR is worth 1.25 USD. All purchases are production unless said otherwise.
 *
 * <pre>
 * A  monthly $10      Jan 5 10:00 → Feb 5 → Mar 5 → Apr 5; auto-renew turned off Mar 6 (still active)
 * B  yearly €120      Jan 20 08:00 → Jan 20 2027 (MRR €10 = $12.50)
 * C  7-day trial      Feb 1 10:00 → Feb 8 10:00 ($0 invoice), converts: $20 Feb 8 → Mar 8 → Apr 8;
 *                     Feb's $20 (in_C1) fully refunded Mar 10 (an earlier period: access stays)
 * D  7-day trial      Feb 10 10:00 → Feb 17 10:00, auto-renew off Feb 12, ends unconverted
 * E  monthly $10      Jan 10 00:00 → Feb 10 00:00 (midnight boundaries), cancelled, expires Feb 10 00:00
 * F  monthly $30      Feb 20 10:00 → Mar 20; fully refunded Feb 25 12:00 (access revoked then)
 * G  one-time $50     Checkout Mar 2 15:00
 * H  SANDBOX monthly $99 from Jan 15 (must not appear anywhere)
 * I  7-day trial      Mar 12 10:00 → Mar 19 10:00, pending
 * J  monthly $40      Jan 12 10:00 → Feb 12 → Mar 12 → Apr 12, partial refunds (charge.refunded carries the charge's
 *                     cumulative amount_refunded); access never changes:
 *                     in_J1 (Jan 12): $10 refunded Jan 14, then refunded in full Feb 20 (later month) → nets $0
 *                     in_J2 (Feb 12): cumulative $5 Feb 13 and $15 Mar 3 (later month), delivered $15 first → nets $25
 *                     in_J3 (Mar 12): $10 refunded Mar 13 → nets $30
 * </pre>
 *
 * <p>A second project, {@link #returns}, is about churn's resubscriptions across a customer's subscriptions (all
 * monthly $10 unless said otherwise; each X1 expires at its period end):
 *
 * <pre>
 * N  Jan 8 10:00, renewing (Feb 8, Mar 8)
 * K  K1 Jan 6 10:00 → Feb 6 10:00; K2 (another product, $15) Feb 16 10:00 → Mar 16: resubscribes in February
 * L  L1 Jan 7 10:00 → Feb 7 10:00; L2 Mar 3 10:00 → Apr 3: L1 churns in February, L2 resubscribes in March
 * T  T1 Jan 9 10:00 → Feb 9 10:00; T2 a 30-day trial Feb 20 10:00, pending: a trial start is no resubscription
 * M  M1 Jan 10 10:00 → Feb 10 10:00; M2 Feb 18 10:00 → Mar 18 made by a second app (anonymous App User IDs), then
 *    posted by M's App User ID from that app: the anonymous owner is merged into M, and M2 resubscribes
 * Q  Q1 Jan 11 10:00 → Feb 11 10:00; Q2 Feb 19 10:00 → Mar 19 bought by another Stripe customer (another App User
 *    ID), then posted by Q's App User ID: transferred to Q, it resubscribes
 * R  R1 Jan 12 10:00 → Feb 12 10:00; R2 Feb 21 10:00 → Mar 21 for the same customer, who is then deleted: R1 and R2
 *    are nobody's, and R2 is no resubscription (an ownerless subscription counts its own lapses only)
 * </pre>
 */
final class ChartDataset {
    static final Instant NOW = Instant.parse("2026-03-15T12:00:00Z");
    static final String SECRET = "whsec_charts_dataset";
    private static final FakeStripe STRIPE = FakeStripe.start();

    final TestServer server;
    final TestClock clock;
    final StripeApp app;
    /** The resubscriptions project's first app (App User IDs from Stripe customers, no Stripe API key). */
    StripeApp returns;

    private ChartDataset(TestServer server, TestClock clock, StripeApp app) {
        this.server = server;
        this.clock = clock;
        this.app = app;
    }

    private static final Map<TestDb, ChartDataset> SHARED = new java.util.EnumMap<>(TestDb.class);

    /** One dataset per database for every chart test class (built once; the tests do not change it). */
    static ChartDataset shared(TestDb db) {
        synchronized (SHARED) {
            return SHARED.computeIfAbsent(db, ChartDataset::build);
        }
    }

    static ChartDataset build(TestDb db) {
        TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
        TestServer server = TestServer.start(db, Map.of("SUBSTATE_USD_RATES", "EUR=1.25",
                "SUBSTATE_STRIPE_API_BASE", STRIPE.baseUrl()), clock);
        ChartDataset data = new ChartDataset(server, clock, newApp(server));
        data.load();
        data.loadReturns();
        clock.set(NOW);
        return data;
    }

    /** Another project on the same server (for tests that must not disturb the dataset). */
    static StripeApp newApp(TestServer server) {
        Map<String, Object> settings = new HashMap<>();
        settings.put("webhook_secret", SECRET);
        settings.put("api_key", FakeStripe.API_KEY);
        settings.put("track_new_purchases", true);
        settings.put("app_user_id_detection", "stripe_customer_id");
        return Fixtures.stripeApp(server.admin(), settings);
    }

    static long at(String isoInstant) {
        return Instant.parse(isoInstant).getEpochSecond();
    }

    private void load() {
        long jan5 = at("2026-01-05T10:00:00Z");
        long feb5 = at("2026-02-05T10:00:00Z");
        long mar5 = at("2026-03-05T10:00:00Z");
        long apr5 = at("2026-04-05T10:00:00Z");
        subscription("customer.subscription.created", sub("A").amount(1000, "usd").created(jan5).period(jan5, feb5));
        invoice(invoice("in_A1", "A", "subscription_create", 1000, "usd", jan5, jan5, feb5));
        invoice(invoice("in_A2", "A", "subscription_cycle", 1000, "usd", feb5, feb5, mar5));
        subscription("customer.subscription.updated", sub("A").amount(1000, "usd").created(jan5).period(feb5, mar5), feb5);
        invoice(invoice("in_A3", "A", "subscription_cycle", 1000, "usd", mar5, mar5, apr5));
        subscription("customer.subscription.updated", sub("A").amount(1000, "usd").created(jan5).period(mar5, apr5), mar5);
        subscription("customer.subscription.updated", sub("A").amount(1000, "usd").created(jan5).period(mar5, apr5)
                .cancelAtPeriodEnd(true), at("2026-03-06T09:00:00Z"));

        long jan20 = at("2026-01-20T08:00:00Z");
        long jan20next = at("2027-01-20T08:00:00Z");
        subscription("customer.subscription.created", sub("B").amount(12000, "eur").interval("year", 1)
                .price("price_Yearly", "prod_Pro").created(jan20).period(jan20, jan20next));
        invoice(invoice("in_B1", "B", "subscription_create", 12000, "eur", jan20, jan20, jan20next)
                .price("price_Yearly", "prod_Pro", "year"));

        long feb1 = at("2026-02-01T10:00:00Z");
        long feb8 = at("2026-02-08T10:00:00Z");
        long mar8 = at("2026-03-08T10:00:00Z");
        long apr8 = at("2026-04-08T10:00:00Z");
        subscription("customer.subscription.created", sub("C").amount(2000, "usd").created(feb1).trial(feb1, feb8));
        invoice(invoice("in_C0", "C", "subscription_create", 0, "usd", feb1, feb1, feb8));
        subscription("customer.subscription.updated", sub("C").amount(2000, "usd").created(feb1).trial(feb1, feb8)
                .status("active").period(feb8, mar8), feb8);
        invoice(invoice("in_C1", "C", "subscription_cycle", 2000, "usd", feb8, feb8, mar8).prebasil()
                .payment("ch_C1" + suffix, "pi_C1" + suffix), PREBASIL_API_VERSION);
        invoice(invoice("in_C2", "C", "subscription_cycle", 2000, "usd", mar8, mar8, apr8).prebasil()
                .payment("ch_C2" + suffix, "pi_C2" + suffix), PREBASIL_API_VERSION);
        subscription("customer.subscription.updated", sub("C").amount(2000, "usd").created(feb1).trial(feb1, feb8)
                .status("active").period(mar8, apr8), mar8);
        refund("ch_C1", "in_C1", "C", 2000, at("2026-03-10T12:00:00Z"));

        long feb10 = at("2026-02-10T10:00:00Z");
        long feb17 = at("2026-02-17T10:00:00Z");
        subscription("customer.subscription.created", sub("D").amount(2000, "usd").created(feb10).trial(feb10, feb17));
        subscription("customer.subscription.updated", sub("D").amount(2000, "usd").created(feb10).trial(feb10, feb17)
                .cancelAtPeriodEnd(true), at("2026-02-12T09:00:00Z"));
        subscription("customer.subscription.deleted", sub("D").amount(2000, "usd").created(feb10).trial(feb10, feb17)
                .canceled(feb17, "cancellation_requested"), feb17);

        long jan10 = at("2026-01-10T00:00:00Z");
        long feb10midnight = at("2026-02-10T00:00:00Z");
        subscription("customer.subscription.created", sub("E").amount(1000, "usd").created(jan10).period(jan10, feb10midnight));
        invoice(invoice("in_E1", "E", "subscription_create", 1000, "usd", jan10, jan10, feb10midnight));
        subscription("customer.subscription.updated", sub("E").amount(1000, "usd").created(jan10)
                .period(jan10, feb10midnight).cancelAtPeriodEnd(true), at("2026-01-25T10:00:00Z"));
        subscription("customer.subscription.deleted", sub("E").amount(1000, "usd").created(jan10)
                .period(jan10, feb10midnight).canceled(feb10midnight, "cancellation_requested"), feb10midnight);

        long feb20 = at("2026-02-20T10:00:00Z");
        long mar20 = at("2026-03-20T10:00:00Z");
        subscription("customer.subscription.created", sub("F").amount(3000, "usd").created(feb20).period(feb20, mar20));
        invoice(invoice("in_F1", "F", "subscription_create", 3000, "usd", feb20, feb20, mar20).prebasil()
                .payment("ch_F1" + suffix, "pi_F1" + suffix), PREBASIL_API_VERSION);
        refund("ch_F1", "in_F1", "F", 3000, at("2026-02-25T12:00:00Z"));

        long mar2 = at("2026-03-02T15:00:00Z");
        String session = "cs_G" + suffix;
        STRIPE.putLineItems(session, StripeObjects.checkoutLineItems(session, "price_Lifetime", "prod_Lifetime", 5000, null));
        send(event(uniqueId("evt_"), "checkout.session.completed", mar2, StripeObjects.checkoutSession(session)
                .customer("cus_G" + suffix).paymentIntent("pi_G" + suffix).amount(5000, "usd").created(mar2)
                .livemode(true).json()), mar2);

        long jan15 = at("2026-01-15T10:00:00Z");
        long feb15 = at("2026-02-15T10:00:00Z");
        subscription("customer.subscription.created", sub("H").amount(9900, "usd").created(jan15).period(jan15, feb15)
                .livemode(false));
        invoice(invoice("in_H1", "H", "subscription_create", 9900, "usd", jan15, jan15, feb15).livemode(false));

        long mar12 = at("2026-03-12T10:00:00Z");
        long mar19 = at("2026-03-19T10:00:00Z");
        subscription("customer.subscription.created", sub("I").amount(2000, "usd").created(mar12).trial(mar12, mar19));

        long jan12 = at("2026-01-12T10:00:00Z");
        long feb12 = at("2026-02-12T10:00:00Z");
        long apr12 = at("2026-04-12T10:00:00Z");
        subscription("customer.subscription.created", sub("J").amount(4000, "usd").created(jan12).period(jan12, feb12));
        invoice(invoice("in_J1", "J", "subscription_create", 4000, "usd", jan12, jan12, feb12).prebasil()
                .payment("ch_J1" + suffix, "pi_J1" + suffix), PREBASIL_API_VERSION);
        refund("ch_J1", "in_J1", "J", 4000, 1000, at("2026-01-14T12:00:00Z"));
        invoice(invoice("in_J2", "J", "subscription_cycle", 4000, "usd", feb12, feb12, mar12).prebasil()
                .payment("ch_J2" + suffix, "pi_J2" + suffix), PREBASIL_API_VERSION);
        subscription("customer.subscription.updated", sub("J").amount(4000, "usd").created(jan12).period(feb12, mar12),
                feb12);
        refund("ch_J1", "in_J1", "J", 4000, 4000, at("2026-02-20T12:00:00Z"));
        refund("ch_J2", "in_J2", "J", 4000, 1500, at("2026-03-03T12:00:00Z"));
        refund("ch_J2", "in_J2", "J", 4000, 500, at("2026-02-13T12:00:00Z"));
        invoice(invoice("in_J3", "J", "subscription_cycle", 4000, "usd", mar12, mar12, apr12).prebasil()
                .payment("ch_J3" + suffix, "pi_J3" + suffix), PREBASIL_API_VERSION);
        subscription("customer.subscription.updated", sub("J").amount(4000, "usd").created(jan12).period(mar12, apr12),
                mar12);
        refund("ch_J3", "in_J3", "J", 4000, 1000, at("2026-03-13T12:00:00Z"));
    }

    private void loadReturns() {
        returns = returnsApp(server, Map.of("app_user_id_detection", "stripe_customer_id"));
        StripeApp anonymous = secondApp(returns, Map.of("app_user_id_detection", "anonymous"));

        renewing(returns, "N", "N", at("2026-01-08T10:00:00Z"), 2);
        expiring(returns, "K1", "K", at("2026-01-06T10:00:00Z"));
        paid(returns, "K2", "K", at("2026-02-16T10:00:00Z"), 1500, "prod_Plus");
        expiring(returns, "L1", "L", at("2026-01-07T10:00:00Z"));
        paid(returns, "L2", "L", at("2026-03-03T10:00:00Z"), 1000, "prod_Pro");
        expiring(returns, "T1", "T", at("2026-01-09T10:00:00Z"));
        long feb20 = at("2026-02-20T10:00:00Z");
        send(returns, event(uniqueId("evt_"), "customer.subscription.created", feb20, sub("T2", "T").amount(1000, "usd")
                .created(feb20).trial(feb20, feb20 + 30 * 86_400L).json()), feb20);
        expiring(returns, "M1", "M", at("2026-01-10T10:00:00Z"));
        paid(anonymous, "M2", "M2", at("2026-02-18T10:00:00Z"), 1000, "prod_Pro");
        expiring(returns, "Q1", "Q", at("2026-01-11T10:00:00Z"));
        paid(returns, "Q2", "Q2", at("2026-02-19T10:00:00Z"), 1000, "prod_Pro");
        expiring(returns, "R1", "R", at("2026-01-12T10:00:00Z"));
        paid(returns, "R2", "R", at("2026-02-21T10:00:00Z"), 1000, "prod_Pro");

        clock.set(NOW);
        post(anonymous, "cus_M" + suffix, "sub_M2" + suffix); // the anonymous owner is merged into M
        post(returns, "cus_Q" + suffix, "sub_Q2" + suffix); // Q2 is transferred from cus_Q2 to Q
        HttpResponse deleted = server.anonymous().withToken(returns.secretKey())
                .delete("/v1/subscribers/cus_R" + suffix);
        if (deleted.status() != 200) {
            throw new IllegalStateException("customer not deleted: " + deleted);
        }
    }

    /** A project for resubscriptions: its app has no Stripe API key (receipts move purchases without reading it). */
    static StripeApp returnsApp(TestServer server, Map<String, Object> settings) {
        Map<String, Object> all = new HashMap<>(settings);
        all.put("webhook_secret", SECRET);
        all.put("track_new_purchases", true);
        return Fixtures.stripeApp(server.admin(), all);
    }

    /** Another Stripe app of the same project. */
    StripeApp secondApp(StripeApp first, Map<String, Object> settings) {
        Map<String, Object> all = new HashMap<>(settings);
        all.put("webhook_secret", SECRET);
        all.put("track_new_purchases", true);
        HttpResponse created = server.admin().post("/v2/projects/" + first.projectId() + "/apps",
                Map.of("name", "Second", "type", "stripe", "stripe", all));
        if (created.status() != 201) {
            throw new IllegalStateException("app not created: " + created);
        }
        String appId = created.json().get("id").asText();
        return new StripeApp(first.projectId(), appId, created.json().get("public_api_key").asText(),
                first.secretKey(), SECRET, "/v1/incoming-webhooks/stripe/" + appId);
    }

    /** {@code POST /v1/receipts}: {@code appUserId} claims the purchase of {@code token} from the app. */
    void post(StripeApp to, String appUserId, String token) {
        HttpResponse response = server.anonymous().withToken(to.publicKey()).withHeader("X-Platform", "stripe")
                .post("/v1/receipts", Map.of("app_user_id", appUserId, "fetch_token", token));
        if (response.status() != 200) {
            throw new IllegalStateException("receipt not posted: " + response);
        }
    }

    /** A monthly $10 subscription paid at {@code start} for one month, then deleted at its period end. */
    void expiring(StripeApp to, String name, String customer, long start) {
        long end = paid(to, name, customer, start, 1000, "prod_Pro");
        send(to, event(uniqueId("evt_"), "customer.subscription.deleted", end, sub(name, customer)
                .price("price_prod_Pro", "prod_Pro").amount(1000, "usd").created(start).period(start, end)
                .canceled(end, "cancellation_requested").json()), end);
    }

    /** A monthly subscription paid at {@code start} and renewed {@code renewals} times; returns its last period end. */
    long renewing(StripeApp to, String name, String customer, long start, int renewals) {
        long end = paid(to, name, customer, start, 1000, "prod_Pro");
        for (int i = 1; i <= renewals; i++) {
            long next = java.time.ZonedDateTime.ofInstant(Instant.ofEpochSecond(end), java.time.ZoneOffset.UTC)
                    .plusMonths(1).toEpochSecond();
            invoice(to, invoiceFor("in_" + name + "_" + i, name, customer, "subscription_cycle", 1000, end, end, next)
                    .price("price_prod_Pro", "prod_Pro", "month"));
            send(to, event(uniqueId("evt_"), "customer.subscription.updated", end, sub(name, customer)
                    .price("price_prod_Pro", "prod_Pro").amount(1000, "usd").created(start).period(end, next).json()),
                    end);
            end = next;
        }
        return end;
    }

    /**
     * A paid renewal of subscription {@code name} (created at {@code start}) for {@code [periodStart, periodEnd)} at
     * {@code amount}: its invoice and the subscription's new period.
     */
    void renewal(StripeApp to, String name, String customer, long start, long periodStart, long periodEnd,
            long amount) {
        invoice(to, invoiceFor("in_" + name + "_" + periodStart, name, customer, "subscription_cycle", amount,
                periodStart, periodStart, periodEnd).price("price_prod_Pro", "prod_Pro", "month"));
        send(to, event(uniqueId("evt_"), "customer.subscription.updated", periodStart, sub(name, customer)
                .price("price_prod_Pro", "prod_Pro").amount(amount, "usd").created(start)
                .period(periodStart, periodEnd).json()), periodStart);
    }

    /** A monthly subscription created and paid at {@code start}; returns its period end. */
    long paid(StripeApp to, String name, String customer, long start, long amount, String product) {
        long end = java.time.ZonedDateTime.ofInstant(Instant.ofEpochSecond(start), java.time.ZoneOffset.UTC)
                .plusMonths(1).toEpochSecond();
        send(to, event(uniqueId("evt_"), "customer.subscription.created", start, sub(name, customer)
                .price("price_" + product, product).amount(amount, "usd").created(start).period(start, end).json()),
                start);
        invoice(to, invoiceFor("in_" + name, name, customer, "subscription_create", amount, start, start, end)
                .price("price_" + product, product, "month"));
        return end;
    }

    /** Makes Stripe ids unique per dataset, so two databases' datasets never share ids in the fake Stripe. */
    final String suffix = uniqueId("x");

    private StripeObjects.SubscriptionBuilder sub(String name) {
        return sub(name, name);
    }

    /** Subscription {@code sub_<name>} of Stripe customer {@code cus_<customer>}. */
    StripeObjects.SubscriptionBuilder sub(String name, String customer) {
        return StripeObjects.subscription("sub_" + name + suffix).customer("cus_" + customer + suffix)
                .price("price_Monthly", "prod_Pro").livemode(true);
    }

    private StripeObjects.InvoiceBuilder invoice(String id, String name, String reason, long amount, String currency,
            long created, long start, long end) {
        return StripeObjects.invoice(id + suffix).subscription("sub_" + name + suffix).customer("cus_" + name + suffix)
                .billingReason(reason).amount(amount, currency).created(created).linePeriod(start, end)
                .price("price_Monthly", "prod_Pro", "month").livemode(true);
    }

    private StripeObjects.InvoiceBuilder invoiceFor(String id, String name, String customer, String reason, long amount,
            long created, long start, long end) {
        return StripeObjects.invoice(id + suffix).subscription("sub_" + name + suffix)
                .customer("cus_" + customer + suffix).billingReason(reason).amount(amount, "usd").created(created)
                .linePeriod(start, end).livemode(true);
    }

    private void subscription(String type, StripeObjects.SubscriptionBuilder builder) {
        ObjectNode json = builder.json();
        subscription(type, builder, json.get("created").asLong());
    }

    private void subscription(String type, StripeObjects.SubscriptionBuilder builder, long at) {
        send(event(uniqueId("evt_"), type, at, builder.json()), at);
    }

    private void invoice(StripeObjects.InvoiceBuilder builder) {
        invoice(app, builder);
    }

    private void invoice(StripeApp to, StripeObjects.InvoiceBuilder builder) {
        ObjectNode json = builder.json();
        long at = json.get("created").asLong();
        send(to, event(uniqueId("evt_"), "invoice.updated", at, json), at);
    }

    private void invoice(StripeObjects.InvoiceBuilder builder, String apiVersion) {
        ObjectNode json = builder.json();
        long at = json.get("created").asLong();
        send(event(uniqueId("evt_"), "invoice.updated", at, json, apiVersion), at);
    }

    private void refund(String charge, String invoice, String name, long amount, long at) {
        refund(charge, invoice, name, amount, amount, at);
    }

    /** {@code charge.refunded} with the charge's cumulative {@code amount_refunded} (full when it is the amount). */
    private void refund(String charge, String invoice, String name, long amount, long refunded, long at) {
        send(event(uniqueId("evt_"), "charge.refunded", at, StripeObjects.charge(charge + suffix).prebasil()
                .invoice(invoice + suffix).customer("cus_" + name + suffix).amount(amount, "usd").refunded(refunded)
                .created(at).livemode(true).json(), PREBASIL_API_VERSION), at);
    }

    private void send(String payload, long atSeconds) {
        send(app, payload, atSeconds);
    }

    void send(StripeApp to, String payload, long atSeconds) {
        clock.set(Instant.ofEpochSecond(atSeconds));
        HttpResponse response = server.anonymous().postStripe(to.webhookPath(), payload, sign(payload, SECRET));
        if (response.status() != 200 || !response.body().contains("processed")) {
            throw new IllegalStateException("event not processed: " + response + "\n" + payload);
        }
    }
}
