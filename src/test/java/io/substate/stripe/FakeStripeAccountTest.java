package io.substate.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.stripe.StripeClient;
import com.stripe.model.StripeCollection;
import com.stripe.param.RefundListParams;
import com.stripe.param.SubscriptionListParams;
import com.stripe.param.checkout.SessionListParams;
import com.sun.net.httpserver.HttpServer;
import io.substate.common.Json;
import io.substate.purchases.StripeFact.CheckoutFact;
import io.substate.purchases.StripeFact.InvoiceFact;
import io.substate.purchases.StripeFact.RefundFact;
import io.substate.purchases.StripeFact.SubscriptionSnapshot;
import io.substate.testing.Api;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The import benchmark's fake Stripe account ({@code bench/FakeStripeAccount.java}), compiled and started in this
 * JVM: its lists page as Stripe's do through the real stripe-java client, what it generates parses with
 * {@link StripeFacts}, and a generated subscription posted to {@code /v1/receipts} of a real server (both databases)
 * becomes an active purchase with its entitlement. If this fails, the benchmark measures something else than an
 * import of a real account.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class FakeStripeAccountTest {
    static final String KEY = "rk_test_FakeStripeAccountBenchKey";
    static final int SUBSCRIPTIONS = 250;
    /** The account's fixed now, so statuses (trials, periods) do not move while the test runs. */
    static final long NOW = Instant.now().getEpochSecond() / 60 * 60;
    private static final Map<TestDb, TestServer> SERVERS = new EnumMap<>(TestDb.class);
    private static Class<?> program;
    private static String baseUrl;

    @Parameter
    TestDb db;

    /** Compiles the single-file program once and starts one account of 250 subscriptions (12 payment sessions). */
    static synchronized String fake() throws Exception {
        if (baseUrl == null) {
            HttpServer server = start("0", Integer.toString(SUBSCRIPTIONS), "--now", Long.toString(NOW));
            baseUrl = "http://127.0.0.1:" + server.getAddress().getPort();
        }
        return baseUrl;
    }

    static synchronized HttpServer start(String... args) throws Exception {
        if (program == null) {
            Path classes = Files.createDirectories(Path.of("target", "bench-classes"));
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            int compiled = javac.run(null, null, null, "-d", classes.toString(), "-encoding", "UTF-8",
                    Path.of("bench", "FakeStripeAccount.java").toString());
            assertThat(compiled).as("javac bench/FakeStripeAccount.java").isZero();
            program = new URLClassLoader(new URL[] {classes.toUri().toURL()}, FakeStripeAccountTest.class
                    .getClassLoader()).loadClass("FakeStripeAccount");
        }
        return (HttpServer) program.getMethod("start", String[].class).invoke(null, (Object) args);
    }

    TestServer server() throws Exception {
        String stripe = fake();
        synchronized (SERVERS) {
            return SERVERS.computeIfAbsent(db, d -> TestServer.start(d, Map.of("SUBSTATE_STRIPE_API_BASE", stripe)));
        }
    }

    static StripeClient client() throws Exception {
        return StripeClient.builder().setApiBase(fake()).setApiKey(KEY).setMaxNetworkRetries(0).build();
    }

    static StripeApi api() throws Exception {
        return new StripeApi(fake(), KEY, Duration.ofSeconds(10));
    }

    /** The raw JSON of each object of a list page stripe-java read (as the import reads them). */
    static List<JsonNode> data(StripeCollection<?> page) {
        List<JsonNode> data = new ArrayList<>();
        Json.read(page.getLastResponse().body()).path("data").forEach(data::add);
        return data;
    }

    @Test
    void subscriptionsPageNewestFirstWithTheirPaidLatestInvoiceAndParseAsStripeFacts() throws Exception {
        StripeClient stripe = client();
        List<JsonNode> all = new ArrayList<>();
        String after = null;
        int pages = 0;
        boolean hasMore;
        do {
            SubscriptionListParams.Builder params = SubscriptionListParams.builder()
                    .setStatus(SubscriptionListParams.Status.ALL).setLimit(100L).addExpand("data.latest_invoice");
            if (after != null) {
                params.setStartingAfter(after);
            }
            StripeCollection<com.stripe.model.Subscription> page = stripe.v1().subscriptions().list(params.build());
            List<JsonNode> data = data(page);
            assertThat(page.getData()).hasSameSizeAs(data);
            all.addAll(data);
            hasMore = page.getHasMore();
            after = data.get(data.size() - 1).path("id").asText();
            pages++;
        } while (hasMore);

        assertThat(pages).isEqualTo(3);
        assertThat(all).hasSize(SUBSCRIPTIONS);
        assertThat(all.stream().map(s -> s.path("id").asText()).distinct()).hasSize(SUBSCRIPTIONS);
        for (int i = 1; i < all.size(); i++) {
            assertThat(all.get(i).path("created").asLong()).isLessThan(all.get(i - 1).path("created").asLong());
        }
        Map<String, Integer> statuses = new HashMap<>();
        for (JsonNode sub : all) {
            SubscriptionSnapshot snapshot = StripeFacts.fromSubscriptionObject(sub, "import", NOW, false);
            statuses.merge(snapshot.status(), 1, Integer::sum);
            assertThat(snapshot.productId()).startsWith("prod_Fake");
            assertThat(snapshot.priceId()).startsWith("price_Fake");
            assertThat(snapshot.unitAmount()).isPositive();
            assertThat(snapshot.interval()).isIn("month", "year");
            assertThat(snapshot.currentPeriodStart()).isLessThan(snapshot.currentPeriodEnd());
            assertThat(snapshot.latestInvoiceId()).isEqualTo(sub.path("latest_invoice").path("id").asText());
            assertThat(snapshot.metadata()).containsKey("app_user_id");
            InvoiceFact invoice = StripeFacts.fromInvoiceObject(sub.path("latest_invoice"), "import", NOW, false);
            assertThat(invoice.subscriptionId()).isEqualTo(snapshot.subscriptionId());
            assertThat(invoice.productId()).isEqualTo(snapshot.productId());
            assertThat(invoice.status()).isEqualTo(snapshot.status().equals("past_due") ? "open" : "paid");
            if (!snapshot.status().equals("canceled")) {
                assertThat(invoice.periodStart()).isEqualTo(snapshot.currentPeriodStart());
                assertThat(snapshot.currentPeriodEnd()).isGreaterThan(NOW);
            }
            if (snapshot.status().equals("active")) {
                assertThat(invoice.amountPaid()).isEqualTo(snapshot.unitAmount());
            }
        }
        assertThat(statuses.get("active")).isGreaterThan(SUBSCRIPTIONS * 3 / 4);
        assertThat(statuses).containsKeys("trialing", "past_due", "canceled");

        // Stripe's default list leaves canceled subscriptions out.
        List<JsonNode> firstPage = data(stripe.v1().subscriptions().list(SubscriptionListParams.builder()
                .setLimit(100L).build()));
        assertThat(firstPage).noneMatch(s -> s.path("status").asText().equals("canceled"));
    }

    @Test
    void paymentsAreFoundAsTheWebhookPathFindsThem() throws Exception {
        StripeApi api = api();
        JsonNode sub = data(client().v1().subscriptions().list(SubscriptionListParams.builder()
                .setStatus(SubscriptionListParams.Status.ACTIVE).setLimit(1L).build())).get(0);
        String invoiceId = sub.path("latest_invoice").asText();
        InvoiceFact invoice = StripeFacts.fromInvoiceObject(api.invoice(invoiceId), "e", NOW, false);
        assertThat(invoice.status()).isEqualTo("paid");

        StripeApi.PaymentFee fee = api.paymentFee(null, null, invoiceId).orElseThrow();
        assertThat(fee.amount()).isEqualTo(invoice.amountPaid());
        assertThat(fee.fee()).isEqualTo(Math.round(invoice.amountPaid() * 0.029) + 30);
        String intent = api.paymentIntentForInvoice(invoiceId).orElseThrow();
        assertThat(api.invoiceIdForPaymentIntent(intent)).contains(invoiceId);
        assertThat(api.productWithDefaultPrice("prod_FakePremium").path("default_price").path("unit_amount").asLong())
                .isEqualTo(999);
        assertThat(api.account().id()).isEqualTo("acct_FakeBenchAccount");
    }

    @Test
    void checkoutSessionsAndRefundsPageAndParse() throws Exception {
        StripeClient stripe = client();
        StripeApi api = api();
        Set<String> ids = new HashSet<>();
        List<JsonNode> sessions = new ArrayList<>();
        String after = null;
        boolean hasMore;
        do {
            SessionListParams.Builder params = SessionListParams.builder().setStatus(SessionListParams.Status.COMPLETE)
                    .setLimit(100L);
            if (after != null) {
                params.setStartingAfter(after);
            }
            StripeCollection<com.stripe.model.checkout.Session> page = stripe.v1().checkout().sessions()
                    .list(params.build());
            List<JsonNode> data = data(page);
            sessions.addAll(data);
            hasMore = page.getHasMore();
            after = data.get(data.size() - 1).path("id").asText();
        } while (hasMore);
        sessions.forEach(s -> ids.add(s.path("id").asText()));
        // One subscription-mode session per subscription, and subscriptions / 20 one-time payments.
        assertThat(sessions).hasSize(SUBSCRIPTIONS + SUBSCRIPTIONS / 20);
        assertThat(ids).hasSize(sessions.size());
        for (int i = 1; i < sessions.size(); i++) {
            assertThat(sessions.get(i).path("created").asLong())
                    .isLessThanOrEqualTo(sessions.get(i - 1).path("created").asLong());
        }
        JsonNode payment = sessions.stream().filter(s -> s.path("mode").asText().equals("payment")).findFirst()
                .orElseThrow();
        CheckoutFact checkout = StripeFacts.withFirstLineItem(
                StripeFacts.fromCheckoutObject(payment, "import", NOW, false),
                api.checkoutSessionLineItems(payment.path("id").asText()));
        assertThat(checkout.productId()).isEqualTo("prod_FakeLifetime");
        assertThat(checkout.paymentStatus()).isEqualTo("paid");
        assertThat(checkout.amountTotal()).isEqualTo(4999);
        assertThat(checkout.metadata()).containsKey("app_user_id");

        JsonNode expanded = data(stripe.v1().checkout().sessions().list(SessionListParams.builder()
                .setStatus(SessionListParams.Status.COMPLETE).setLimit(3L).setStartingAfter(sessions.get(0)
                        .path("id").asText()).addExpand("data.line_items").build())).get(0);
        assertThat(expanded.path("id").asText()).isEqualTo(sessions.get(1).path("id").asText());
        assertThat(expanded.path("line_items").path("data").path(0).path("price").path("product").asText())
                .startsWith("prod_Fake");

        List<JsonNode> refunds = data(stripe.v1().refunds().list(RefundListParams.builder().setLimit(100L).build()));
        assertThat(refunds).isNotEmpty();
        for (JsonNode refund : refunds) {
            RefundFact fact = StripeFacts.fromChargeObject(api.charge(refund.path("charge").asText()), "e", NOW,
                    false);
            assertThat(fact.fullyRefunded()).isTrue();
            assertThat(fact.amountRefunded()).isEqualTo(refund.path("amount").asLong());
            if (fact.chargeId().startsWith("ch_fkp")) {
                assertThat(api.invoiceIdForPaymentIntent(fact.paymentIntentId())).isEmpty();
            } else {
                String invoice = api.invoiceIdForPaymentIntent(fact.paymentIntentId()).orElseThrow();
                assertThat(StripeFacts.fromInvoiceObject(api.invoice(invoice), "e", NOW, false).subscriptionId())
                        .isEqualTo(fact.chargeId().replace("ch_", "sub_").replaceFirst("n0$", ""));
            }
        }
    }

    @Test
    void injectedRateLimitsAnswer429WithRetryAfterAndAWrongKeyIs401() throws Exception {
        HttpServer limited = start("0", "10", "--rate-limit-every", "5", "--retry-after", "3");
        try {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + limited.getAddress().getPort();
            HttpRequest read = HttpRequest.newBuilder(URI.create(base + "/v1/subscriptions?limit=5"))
                    .header("Authorization", "Bearer " + KEY).build();
            // Request 1 is read, 2 has a wrong key, 3 an unknown parameter, 4 is read, and 5 is refused.
            var first = http.send(read, java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(Json.read(first.body()).path("has_more").asBoolean()).isTrue();
            var wrongKey = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/subscriptions"))
                    .header("Authorization", "Bearer rk_test_other").build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(wrongKey.statusCode()).isEqualTo(401);
            var unknownParameter = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/subscriptions?price=x"))
                    .header("Authorization", "Bearer " + KEY).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(unknownParameter.statusCode()).isEqualTo(400);
            assertThat(http.send(read, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            var limitedAnswer = http.send(read, java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(limitedAnswer.statusCode()).isEqualTo(429);
            assertThat(limitedAnswer.headers().firstValue("Retry-After")).contains("3");
            assertThat(Json.read(limitedAnswer.body()).path("error").path("code").asText()).isEqualTo("rate_limit");
        } finally {
            limited.stop(0);
            ((ExecutorService) limited.getExecutor()).shutdownNow();
        }
    }

    @Test
    void generatedPurchasesPostedAsReceiptsGiveTheirEntitlements() throws Exception {
        TestServer server = server();
        StripeApp app = Fixtures.stripeApp(server.admin(), Map.of("api_key", KEY,
                "webhook_secret", "whsec_fake_account_test"));
        Fixtures.entitlement(server.admin(), app, "premium", "prod_FakePremium", "subscription");
        Fixtures.entitlement(server.admin(), app, "pro", "prod_FakePro", "subscription");
        Fixtures.entitlement(server.admin(), app, "lifetime", "prod_FakeLifetime", "one_time");
        Api v1 = server.anonymous().withToken(app.publicKey()).withHeader("X-Platform", "stripe");

        for (String status : List.of("active", "trialing", "past_due", "canceled")) {
            JsonNode sub = data(client().v1().subscriptions().list(SubscriptionListParams.builder()
                    .setStatus(SubscriptionListParams.Status.valueOf(status.toUpperCase(java.util.Locale.ROOT)))
                    .setLimit(1L).build())).get(0);
            String user = sub.path("metadata").path("app_user_id").asText();
            HttpResponse receipt = v1.post("/v1/receipts", Map.of("app_user_id", user,
                    "fetch_token", sub.path("id").asText()));
            assertThat(receipt.status()).as(status + ": " + receipt).isEqualTo(200);
            List<String> active = Fixtures.activeEntitlementKeys(server.admin(), app.projectId(), user);
            if (status.equals("canceled")) {
                // An ended subscription gives nothing (a receipt of one starts no purchase).
                assertThat(active).as(status).isEmpty();
                continue;
            }
            String product = sub.path("items").path("data").path(0).path("price").path("product").asText();
            JsonNode subscription = receipt.json().path("subscriber").path("subscriptions").path(product);
            assertThat(subscription.path("store").asText()).as(status + ": " + receipt.json()).isEqualTo("stripe");
            assertThat(subscription.path("is_sandbox").asBoolean()).isTrue();
            assertThat(subscription.path("period_type").asText())
                    .isEqualTo(status.equals("trialing") ? "trial" : "normal");
            assertThat(subscription.path("expires_date").asText()).isEqualTo(Instant.ofEpochSecond(sub.path("items")
                    .path("data").path(0).path("current_period_end").asLong()).toString());
            // A past_due subscription keeps access while Stripe retries its invoice.
            assertThat(active).as(status).containsExactly(product.equals("prod_FakePro") ? "pro" : "premium");

            // Refresh now reads the subscription and its latest invoice again: nothing changes.
            String purchaseId = Fixtures.profile(server.admin(), app.projectId(), user).path("purchases").path(0)
                    .path("id").asText();
            HttpResponse refreshed = server.admin().post("/v2/projects/" + app.projectId() + "/purchases/"
                    + purchaseId + "/actions/refresh", Map.of());
            assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(200);
            assertThat(refreshed.json().path("status").asText()).isEqualTo(status);
            assertThat(refreshed.json().path("grants_access").asBoolean()).isTrue();
        }

        JsonNode session = data(client().v1().checkout().sessions().list(SessionListParams.builder()
                .setStatus(SessionListParams.Status.COMPLETE).setLimit(100L).build())).stream()
                .filter(s -> s.path("mode").asText().equals("payment")).findFirst().orElseThrow();
        String buyer = session.path("metadata").path("app_user_id").asText();
        HttpResponse receipt = v1.post("/v1/receipts", Map.of("app_user_id", buyer,
                "fetch_token", session.path("id").asText()));
        assertThat(receipt.status()).as(receipt.toString()).isEqualTo(200);
        assertThat(receipt.json().path("subscriber").path("non_subscriptions").has("prod_FakeLifetime")).isTrue();
        assertThat(Fixtures.activeEntitlementKeys(server.admin(), app.projectId(), buyer))
                .containsExactly("lifetime");
    }
}
