package io.substate.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.testing.FakeStripe.RecordedRequest;
import io.substate.testing.FakeStripe;
import io.substate.testing.StripeObjects;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Stripe API client against the local fake Stripe API, through the real stripe-java HTTP stack. */
class StripeApiTest {
    private static FakeStripe stripe;
    private StripeApi api;

    @BeforeAll
    static void startFake() {
        stripe = FakeStripe.start();
    }

    @AfterAll
    static void stopFake() {
        stripe.close();
    }

    @BeforeEach
    void newClient() {
        stripe.clearRequests();
        api = new StripeApi(stripe.baseUrl(), FakeStripe.API_KEY, Duration.ofSeconds(5));
    }

    @Test
    void readsASubscriptionAsStripeSentIt() {
        stripe.put(StripeObjects.subscription("sub_read1").customer("cus_read1").period(1_760_000_000L, 1_762_592_000L)
                .metadata("app_user_id", "user-1").json());

        JsonNode sub = api.subscription("sub_read1");

        assertThat(sub.path("id").asText()).isEqualTo("sub_read1");
        assertThat(sub.path("customer").asText()).isEqualTo("cus_read1");
        assertThat(sub.path("items").path("data").path(0).path("current_period_end").asLong()).isEqualTo(1_762_592_000L);
        assertThat(sub.path("metadata").path("app_user_id").asText()).isEqualTo("user-1");
        RecordedRequest request = single(stripe.requests());
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.path()).isEqualTo("/v1/subscriptions/sub_read1");
        assertThat(request.authorization()).isEqualTo("Bearer " + FakeStripe.API_KEY);
        assertThat(request.stripeVersion()).isEqualTo(com.stripe.Stripe.API_VERSION);
    }

    @Test
    void readsPreBasilShapesWithoutLosingOldFields() {
        stripe.put(StripeObjects.subscription("sub_old1").period(1_700_000_000L, 1_702_592_000L).prebasil().json());
        stripe.put(StripeObjects.invoice("in_old1").subscription("sub_old1").payment("ch_old1", "pi_old1")
                .prebasil().json());
        stripe.put(StripeObjects.charge("ch_old1").invoice("in_old1").prebasil().json());

        assertThat(api.subscription("sub_old1").path("current_period_end").asLong()).isEqualTo(1_702_592_000L);
        JsonNode invoice = api.invoice("in_old1");
        assertThat(invoice.path("subscription").asText()).isEqualTo("sub_old1");
        assertThat(invoice.path("paid").asBoolean()).isTrue();
        assertThat(api.charge("ch_old1").path("invoice").asText()).isEqualTo("in_old1");
    }

    @Test
    void readsCheckoutSessionsAndTheirLineItems() {
        stripe.put(StripeObjects.checkoutSession("cs_test_read1").customer(null).paymentIntent("pi_read1")
                .clientReferenceId("user-7").json());
        stripe.putLineItems("cs_test_read1", StripeObjects.checkoutLineItems("cs_test_read1", "price_lifetime",
                "prod_lifetime", 4999, null));

        JsonNode session = api.checkoutSession("cs_test_read1");
        JsonNode items = api.checkoutSessionLineItems("cs_test_read1");

        assertThat(session.path("mode").asText()).isEqualTo("payment");
        assertThat(session.path("customer").isNull()).isTrue();
        assertThat(session.path("client_reference_id").asText()).isEqualTo("user-7");
        assertThat(items.path("object").asText()).isEqualTo("list");
        assertThat(items.path("data").path(0).path("price").path("product").asText()).isEqualTo("prod_lifetime");
        assertThat(items.path("data").path(0).path("amount_total").asLong()).isEqualTo(4999);
        assertThat(stripe.requests()).extracting(RecordedRequest::path).containsExactly(
                "/v1/checkout/sessions/cs_test_read1", "/v1/checkout/sessions/cs_test_read1/line_items");
    }

    @Test
    void readsInvoicesChargesAndPaymentIntents() {
        stripe.put(StripeObjects.invoice("in_read1").subscription("sub_read2").status("paid").amount(1999, "eur")
                .json());
        stripe.put(StripeObjects.charge("ch_read1").paymentIntent("pi_read1").refunded(500).json());
        stripe.put(StripeObjects.paymentIntent("pi_read1", "cus_read1", 1999, "ch_read1"));

        JsonNode invoice = api.invoice("in_read1");
        JsonNode charge = api.charge("ch_read1");
        JsonNode paymentIntent = api.paymentIntent("pi_read1");

        assertThat(invoice.path("parent").path("subscription_details").path("subscription").asText())
                .isEqualTo("sub_read2");
        assertThat(invoice.path("amount_paid").asLong()).isEqualTo(1999);
        assertThat(charge.path("amount_refunded").asLong()).isEqualTo(500);
        assertThat(charge.path("refunded").asBoolean()).isFalse();
        assertThat(paymentIntent.path("latest_charge").asText()).isEqualTo("ch_read1");
        assertThat(stripe.requests()).extracting(RecordedRequest::path).containsExactly(
                "/v1/invoices/in_read1", "/v1/charges/ch_read1", "/v1/payment_intents/pi_read1");
    }

    @Test
    void findsTheInvoiceAPaymentIntentPaid() {
        stripe.putInvoicePayment("pi_paid1", "in_paid1");
        stripe.putInvoicePayment("pi_other", "in_other");

        assertThat(api.invoiceIdForPaymentIntent("pi_paid1")).contains("in_paid1");
        assertThat(api.invoiceIdForPaymentIntent("pi_oneoff")).isEmpty();

        RecordedRequest request = stripe.requests().get(0);
        assertThat(request.path()).isEqualTo("/v1/invoice_payments");
        assertThat(request.params()).containsEntry("payment[type]", List.of("payment_intent"))
                .containsEntry("payment[payment_intent]", List.of("pi_paid1"));
    }

    @Test
    void describesTheAccountOfTheKey() {
        AccountInfo test = api.account();
        assertThat(test).isEqualTo(new AccountInfo("acct_1FakeStripeSubstate", false, "Fake Stripe Shop",
                "owner@shop.example"));
        assertThat(single(stripe.requests()).path()).isEqualTo("/v1/account");

        String liveKey = "rk_live_51LiveKeyForAccountTest";
        stripe.acceptKey(liveKey);
        assertThat(new StripeApi(stripe.baseUrl(), liveKey, Duration.ofSeconds(5)).account().livemode()).isTrue();
    }

    @Test
    void aRejectedKeyIsAnInvalidKeyError() {
        StripeApi wrongKey = new StripeApi(stripe.baseUrl(), "rk_test_51NotAcceptedAnywhere", Duration.ofSeconds(5));

        ApiException error = thrown(() -> wrongKey.subscription("sub_any"));

        assertThat(error.errorCode()).isEqualTo(ErrorCode.STRIPE_API_KEY_INVALID);
        assertThat(error.getMessage()).contains("Stripe rejected the app's API key", "Invalid API Key provided",
                "rk_…", "Subscriptions", "Events");
        assertThat(error.getMessage()).doesNotContain("rk_test_51NotAcceptedAnywhere");
        assertThat(single(stripe.requests()).authorization()).isEqualTo("Bearer rk_test_51NotAcceptedAnywhere");
    }

    @Test
    void aKeyWithoutPermissionIsAnInvalidKeyError() {
        stripe.failNext(403, FakeStripe.error("invalid_request_error", null,
                "The provided key 'rk_test_***' does not have the required permissions for this endpoint", null),
                Map.of());

        ApiException error = thrown(() -> api.invoice("in_forbidden"));

        assertThat(error.errorCode()).isEqualTo(ErrorCode.STRIPE_API_KEY_INVALID);
        assertThat(error.getMessage()).contains("invoice 'in_forbidden'", "required permissions", "read access");
    }

    @Test
    void aMissingObjectNamesItsIdAndTheModeHint() {
        ApiException error = thrown(() -> api.subscription("sub_missing1"));

        assertThat(error.errorCode()).isEqualTo(ErrorCode.STRIPE_OBJECT_NOT_FOUND);
        assertThat(error.getMessage()).contains("sub_missing1", "test and live mode keys see different objects");
    }

    @Test
    void rateLimitingCarriesRetryAfter() {
        stripe.failNext(429, FakeStripe.error("rate_limit_error", "rate_limit", "Too many requests", null),
                Map.of("Retry-After", "7"));

        ApiException error = thrown(() -> api.charge("ch_limited"));

        assertThat(error.errorCode()).isEqualTo(ErrorCode.STRIPE_RATE_LIMITED);
        assertThat(error.extra()).containsEntry("retry_after_seconds", 7L);
        assertThat(single(stripe.requests()).path()).isEqualTo("/v1/charges/ch_limited");
    }

    @Test
    void rateLimitingWithoutRetryAfterHasNoExtra() {
        stripe.failNext(429, FakeStripe.error("rate_limit_error", "rate_limit", "Too many requests", null), Map.of());

        ApiException error = thrown(() -> api.charge("ch_limited"));

        assertThat(error.errorCode()).isEqualTo(ErrorCode.STRIPE_RATE_LIMITED);
        assertThat(error.extra()).isEmpty();
    }

    @Test
    void aSlowStripeIsAnApiErrorAfterTheTimeout() {
        StripeApi impatient = new StripeApi(stripe.baseUrl(), FakeStripe.API_KEY, Duration.ofMillis(300));
        stripe.put(StripeObjects.subscription("sub_slow1").json());
        stripe.delayNext(Duration.ofSeconds(2));

        long started = System.nanoTime();
        ApiException error = thrown(() -> impatient.subscription("sub_slow1"));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1500));
        assertThat(error.errorCode()).isEqualTo(ErrorCode.STRIPE_API_ERROR);
        assertThat(error.getMessage()).contains("Stripe did not answer", "retry");
        assertThat(impatient.subscription("sub_slow1").path("id").asText()).isEqualTo("sub_slow1");
    }

    @Test
    void serverErrorsAreApiErrorsAndAreNotRetriedByTheClient() {
        stripe.failNext(500);
        assertThat(thrown(() -> api.invoice("in_broken")).errorCode()).isEqualTo(ErrorCode.STRIPE_API_ERROR);
        stripe.failNext(502, "<html>Bad gateway</html>", Map.of("Content-Type", "text/html"));
        assertThat(thrown(() -> api.invoice("in_broken")).errorCode()).isEqualTo(ErrorCode.STRIPE_API_ERROR);

        assertThat(stripe.requests()).hasSize(2);
    }

    @Test
    void anUnreachableStripeIsAnApiError() {
        StripeApi nowhere = new StripeApi("http://127.0.0.1:1", FakeStripe.API_KEY, Duration.ofMillis(500));

        ApiException error = thrown(() -> nowhere.subscription("sub_any"));

        assertThat(error.errorCode()).isEqualTo(ErrorCode.STRIPE_API_ERROR);
    }

    @Test
    void eventsArePagedNewestFirstAndKeptByteForByte() {
        long base = 1_900_000_000L;
        List<String> added = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            String type = i % 5 == 4 ? "invoice.created" : "customer.subscription.updated";
            // Odd spacing and a non-ASCII character: re-serializing would change the text.
            String raw = "{ \"id\": \"evt_page" + i + "\", \"object\": \"event\", \"api_version\": \"2025-03-31.basil\","
                    + "  \"created\": " + (base + i) + ", \"data\": {\"object\": {\"id\": \"sub_page" + i
                    + "\", \"object\": \"subscription\", \"description\": \"2 × Premium\"}}, \"livemode\": false,"
                    + " \"pending_webhooks\": 0, \"request\": {\"id\": null, \"idempotency_key\": null},"
                    + " \"type\": \"" + type + "\" }";
            stripe.addEvent(raw);
            added.add(raw);
        }
        stripe.addEvent(StripeObjects.event("evt_tooold", "customer.subscription.updated", base - 10,
                StripeObjects.subscription("sub_tooold").json()));

        List<String> seen = new ArrayList<>();
        List<Boolean> hasMore = new ArrayList<>();
        String cursor = null;
        do {
            EventPage page = api.events(base, List.of("customer.subscription.updated", "customer.subscription.deleted"),
                    cursor, 8);
            seen.addAll(page.rawEvents());
            hasMore.add(page.hasMore());
            cursor = page.hasMore() ? page.lastEventId().orElseThrow() : null;
        } while (cursor != null);

        List<String> expected = new ArrayList<>();
        for (int i = 24; i >= 0; i--) {
            if (i % 5 != 4) {
                expected.add(added.get(i));
            }
        }
        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(hasMore).containsExactly(true, true, false);
        RecordedRequest second = stripe.requestsTo("/v1/events").get(1);
        assertThat(second.params()).containsEntry("types[]",
                        List.of("customer.subscription.updated", "customer.subscription.deleted"))
                .containsEntry("created[gte]", List.of(Long.toString(base)))
                .containsEntry("limit", List.of("8"))
                .containsEntry("starting_after", List.of("evt_page15"));
        assertThat(second.authorization()).isEqualTo("Bearer " + FakeStripe.API_KEY);
    }

    @Test
    void anEmptyEventPageHasNoCursor() {
        EventPage page = api.events(2_100_000_000L, List.of(), null, 100);

        assertThat(page.rawEvents()).isEmpty();
        assertThat(page.hasMore()).isFalse();
        assertThat(page.lastEventId()).isEmpty();
        assertThat(single(stripe.requests()).params()).doesNotContainKey("types[]");
    }

    @Test
    void anAppWithoutKeyCannotBuildAClient() {
        for (String missing : new String[] {null, "", "  "}) {
            ApiException error = thrown(() -> StripeApi.forApp(stripe.baseUrl(), missing));
            assertThat(error.errorCode()).isEqualTo(ErrorCode.STRIPE_API_KEY_NOT_CONFIGURED);
            assertThat(error.getMessage()).contains("stripe.api_key");
        }
        assertThat(StripeApi.forApp(stripe.baseUrl(), FakeStripe.API_KEY).livemode()).isFalse();
    }

    private static RecordedRequest single(List<RecordedRequest> requests) {
        assertThat(requests).hasSize(1);
        return requests.get(0);
    }

    private static ApiException thrown(Runnable call) {
        Optional<Throwable> failure = Optional.empty();
        try {
            call.run();
        } catch (Throwable t) {
            failure = Optional.of(t);
        }
        assertThat(failure).as("expected a failure").isPresent();
        assertThat(failure.get()).isInstanceOf(ApiException.class);
        return (ApiException) failure.get();
    }
}
