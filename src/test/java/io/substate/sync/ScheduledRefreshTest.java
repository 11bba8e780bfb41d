package io.substate.sync;

import static io.substate.sync.SyncWorld.now;
import static io.substate.sync.SyncWorld.subscription;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.FakeStripe;
import io.substate.testing.StripeObjects;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.TestDb;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The background refresh: changes made in Stripe with no webhook reach the purchase (and its outgoing events) through
 * the state machine; Stripe's 429 Retry-After pauses the app; failures back off; apps without a key are skipped.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class ScheduledRefreshTest {
    private static final long DAY = 86_400;

    @Parameter
    TestDb db;

    SyncWorld world;

    SyncWorld world(String interval) {
        world = new SyncWorld(db, interval, "100ms");
        return world;
    }

    @AfterEach
    void stop() {
        if (world != null) {
            world.close();
        }
    }

    @Test
    void aCancellationMadeInStripeWithoutAWebhookIsPickedUp() {
        SyncWorld w = world("1s");
        StripeApp app = w.app(FakeStripe.API_KEY);
        String customer = uniqueId("cus_");
        String sub = uniqueId("sub_");
        long start = now() - 60;
        w.deliverCreated(app, subscription(sub, customer, start, start + 30 * DAY).json(), now() - 5);
        assertThat(w.purchase(app, customer).get("unsubscribe_detected_at").isNull()).isTrue();

        // The customer cancels in the Stripe portal; the webhook never arrives. Its latest invoice cannot be read (Stripe
        // has it no more): the subscription is applied alone.
        w.stripe.put(subscription(sub, customer, start, start + 30 * DAY).cancelAtPeriodEnd(true)
                .latestInvoice(uniqueId("in_")).json());

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(w.purchase(app, customer).get("unsubscribe_detected_at").isNull()).isFalse());
        JsonNode purchase = w.purchase(app, customer);
        assertThat(purchase.get("grants_access").asBoolean()).as("access is kept to the period end").isTrue();
        assertThat(w.outgoingTypes(app, customer)).containsExactly("INITIAL_PURCHASE", "CANCELLATION");
        assertThat(w.readsOf(sub)).isNotEmpty().allSatisfy(r -> assertThat(r.apiKey()).isEqualTo(FakeStripe.API_KEY));
    }

    @Test
    void aRenewalIsReadRightAfterTheExpiryPassesWithoutNews() {
        // With a one-hour interval, only the expiry can make this subscription due within the test.
        SyncWorld w = world("1h");
        StripeApp app = w.app(FakeStripe.API_KEY);
        String customer = uniqueId("cus_");
        String sub = uniqueId("sub_");
        long end = now() + 2;
        w.deliverCreated(app, subscription(sub, customer, end - 30 * DAY, end).json(), now() - 5);
        // The renewal is paid: its invoice is read with the subscription, and the RENEWAL follows from it.
        String invoice = uniqueId("in_");
        w.stripe.put(StripeObjects.invoice(invoice).customer(customer).subscription(sub).price("price_monthly",
                SyncWorld.PRODUCT, "month").amount(1299, "usd").linePeriod(end, end + 30 * DAY).json());
        w.stripe.put(subscription(sub, customer, end, end + 30 * DAY).latestInvoice(invoice).json());

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(w.outgoingTypes(app, customer)).containsExactly("INITIAL_PURCHASE", "RENEWAL"));

        assertThat(w.purchase(app, customer).get("expires_at").asLong()).isEqualTo((end + 30 * DAY) * 1000);
        assertThat(w.purchase(app, customer).get("grants_access").asBoolean()).isTrue();
        assertThat(w.readsOf(sub).get(0).receivedAtMillis()).as("not read before it expired")
                .isGreaterThanOrEqualTo(end * 1000);
    }

    @Test
    void rateLimitingPausesTheAppForRetryAfter() {
        SyncWorld w = world("1s");
        StripeApp app = w.app(FakeStripe.API_KEY);
        String customer = uniqueId("cus_");
        String sub = uniqueId("sub_");
        long start = now() - 60;
        w.stripe.failNext(429, FakeStripe.error("rate_limit_error", "rate_limit", "Too many requests", null),
                Map.of("Retry-After", "3"));
        w.deliverCreated(app, subscription(sub, customer, start, start + 30 * DAY).json(), now() - 5);
        w.stripe.put(subscription(sub, customer, start, start + 30 * DAY).cancelAtPeriodEnd(true).json());

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(w.purchase(app, customer).get("unsubscribe_detected_at").isNull()).isFalse());

        List<FakeStripe.RecordedRequest> reads = w.readsOf(sub);
        assertThat(reads).hasSizeGreaterThanOrEqualTo(2);
        assertThat(reads.get(1).receivedAtMillis() - reads.get(0).receivedAtMillis())
                .as("the read after the 429 waited for Retry-After (3 s), not for the next 100 ms tick")
                .isGreaterThanOrEqualTo(2_900);
        assertThat(w.server.anonymous().get("/metrics").body())
                .contains("substate_stripe_refreshes_total{outcome=\"rate_limited\"} 1.0");
    }

    @Test
    void aFailedReadBacksOffInsteadOfRetryingEveryTick() {
        SyncWorld w = world("2s");
        StripeApp app = w.app(FakeStripe.API_KEY);
        String customer = uniqueId("cus_");
        String sub = uniqueId("sub_");
        long start = now() - 60;
        w.stripe.failNext(500);
        w.deliverCreated(app, subscription(sub, customer, start, start + 30 * DAY).json(), now() - 5);
        w.stripe.put(subscription(sub, customer, start, start + 30 * DAY).cancelAtPeriodEnd(true).json());

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(w.purchase(app, customer).get("unsubscribe_detected_at").isNull()).isFalse());

        List<FakeStripe.RecordedRequest> reads = w.readsOf(sub);
        assertThat(reads.get(1).receivedAtMillis() - reads.get(0).receivedAtMillis())
                .as("the retry after a failure waits (here the 2 s interval caps the 30 s backoff)")
                .isGreaterThanOrEqualTo(1_900);
    }

    @Test
    void appsWithoutAnApiKeyAreSkipped() throws InterruptedException {
        SyncWorld w = world("1s");
        StripeApp withKey = w.app(FakeStripe.API_KEY);
        StripeApp withoutKey = w.app(null);
        long start = now() - 60;
        String keyed = uniqueId("sub_");
        String unkeyed = uniqueId("sub_");
        w.deliverCreated(withKey, subscription(keyed, uniqueId("cus_"), start, start + 30 * DAY).json(), now() - 5);
        w.deliverCreated(withoutKey, subscription(unkeyed, uniqueId("cus_"), start, start + 30 * DAY).json(), now() - 5);
        w.stripe.put(subscription(unkeyed, "cus_x", start, start + 30 * DAY).json());

        await().atMost(Duration.ofSeconds(10)).until(() -> w.readsOf(keyed).size() >= 2);

        assertThat(w.readsOf(unkeyed)).isEmpty();
    }
}
