package io.substate.subscriptions;

import static io.substate.subscriptions.SubscriptionsWorld.STRIPE;
import static io.substate.subscriptions.SubscriptionsWorld.now;
import static io.substate.subscriptions.SubscriptionsWorld.purchasePath;
import static io.substate.subscriptions.SubscriptionsWorld.queued;
import static io.substate.subscriptions.SubscriptionsWorld.subscriptionPath;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
import io.substate.testing.FakeStripe;
import io.substate.testing.FakeStripe.RecordedRequest;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import io.substate.testing.WebhookReceiver;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Cancel and refund made in the fake Stripe with the app's key, on both databases: Stripe is called with the right
 * parameters, the answer shows the new state, the outgoing events reach a webhook receiver, and Stripe's own webhook
 * about the same change afterwards is a duplicate that queues nothing. A key without the write permission, and Stripe
 * down, change nothing.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class SubscriptionActionsTest {
    private static final long DAY = 86_400;
    private static final WebhookReceiver RECEIVER = WebhookReceiver.healthy();

    @Parameter
    TestDb db;

    TestServer server() {
        return SubscriptionsWorld.server(db);
    }

    Api admin() {
        return server().admin();
    }

    @AfterEach
    void stripeWorksAgain() {
        STRIPE.down(false).allowPermission("rak_subscription_write").allowPermission("rak_refund_write");
    }

    @AfterAll
    static void stopReceiver() {
        RECEIVER.close();
    }

    @Test
    void cancelAtPeriodEndKeepsAccessAndSendsCancellationOnce() {
        StripeApp app = SubscriptionsWorld.app(admin());
        String integration = SubscriptionsWorld.integration(admin(), app, RECEIVER.url());
        SubscriptionsWorld.Sub sub = subscribe(app);

        HttpResponse cancel = admin().post(subscriptionPath(app, sub.id()) + "/actions/cancel", Map.of());

        assertThat(cancel.status()).as(cancel.toString()).isEqualTo(200);
        RecordedRequest write = only(STRIPE.requests().stream().filter(r -> r.method().equals("POST")
                && r.path().equals("/v1/subscriptions/" + sub.subscription())).toList());
        assertThat(write.form()).containsEntry("cancel_at_period_end", List.of("true"));
        assertThat(write.apiKey()).isEqualTo(FakeStripe.API_KEY);
        JsonNode answer = cancel.json();
        assertThat(answer.get("object").asText()).isEqualTo("subscription");
        assertThat(answer.get("auto_renewal_status").asText()).isEqualTo("will_not_renew");
        assertThat(answer.get("gives_access").asBoolean()).as("access lasts to the period end").isTrue();
        assertThat(answer.get("status").asText()).isEqualTo("active");
        assertThat(RECEIVER.await("CANCELLATION", sub.customer()).event().get("cancel_reason").asText())
                .isEqualTo("UNSUBSCRIBE");

        // Stripe's webhook about the same change arrives afterwards.
        SubscriptionsWorld.deliver(server(), app, StripeObjects.event(uniqueId("evt_"),
                "customer.subscription.updated", now(), STRIPE.object(sub.subscription())));

        assertThat(queued(admin(), app, integration)).containsExactlyInAnyOrder("INITIAL_PURCHASE", "CANCELLATION");
        assertThat(admin().get(subscriptionPath(app, sub.id())).json()).isEqualTo(answer);
    }

    @Test
    void cancelNowEndsAccessAndExpires() {
        StripeApp app = SubscriptionsWorld.app(admin());
        String integration = SubscriptionsWorld.integration(admin(), app, RECEIVER.url());
        SubscriptionsWorld.Sub sub = subscribe(app);

        HttpResponse cancel = admin().post(subscriptionPath(app, sub.id()) + "/actions/cancel",
                Map.of("cancel_now", true));

        assertThat(cancel.status()).as(cancel.toString()).isEqualTo(200);
        assertThat(STRIPE.requests()).anyMatch(r -> r.method().equals("DELETE")
                && r.path().equals("/v1/subscriptions/" + sub.subscription()));
        assertThat(cancel.json().get("status").asText()).isEqualTo("expired");
        assertThat(cancel.json().get("gives_access").asBoolean()).isFalse();
        assertThat(cancel.json().get("auto_renewal_status").asText()).isEqualTo("will_not_renew");
        RECEIVER.await("EXPIRATION", sub.customer());

        SubscriptionsWorld.deliver(server(), app, StripeObjects.event(uniqueId("evt_"),
                "customer.subscription.deleted", now(), STRIPE.object(sub.subscription())));
        List<String> queued = queued(admin(), app, integration);
        assertThat(queued).filteredOn("EXPIRATION"::equals).hasSize(1);
        assertThat(admin().post(subscriptionPath(app, sub.id()) + "/actions/cancel", Map.of()).json()
                .get("code").asText()).as("an ended subscription").isEqualTo("subscription_not_active");
    }

    @Test
    void refundEndsTheSubscriptionAndRefundsItsLatestPayment() {
        StripeApp app = SubscriptionsWorld.app(admin());
        String integration = SubscriptionsWorld.integration(admin(), app, RECEIVER.url());
        SubscriptionsWorld.Sub sub = subscribe(app);

        HttpResponse refund = admin().post(subscriptionPath(app, sub.id()) + "/actions/refund", "");

        assertThat(refund.status()).as(refund.toString()).isEqualTo(200);
        RecordedRequest refundCall = only(STRIPE.requestsTo("/v1/refunds").stream()
                .filter(r -> r.form().get("payment_intent").contains(sub.paymentIntent())).toList());
        assertThat(refundCall.apiKey()).isEqualTo(FakeStripe.API_KEY);
        assertThat(STRIPE.requests()).anyMatch(r -> r.method().equals("DELETE")
                && r.path().equals("/v1/subscriptions/" + sub.subscription()));
        JsonNode answer = refund.json();
        assertThat(answer.get("gives_access").asBoolean()).isFalse();
        assertThat(answer.get("status").asText()).isEqualTo("expired");
        SubscriptionsApiTest.assertMoney(answer.get("total_revenue_in_usd"), "0");
        JsonNode transaction = admin().get(subscriptionPath(app, sub.id()) + "/transactions").json()
                .get("items").get(0);
        assertThat(transaction.get("refunded_at").isNull()).isFalse();
        RECEIVER.await(e -> e.path("type").asText().equals("CANCELLATION")
                && e.path("app_user_id").asText().equals(sub.customer())
                && e.path("cancel_reason").asText().equals("CUSTOMER_SUPPORT"));
        List<String> before = queued(admin(), app, integration);

        // Stripe's webhooks about the same changes arrive afterwards.
        SubscriptionsWorld.deliver(server(), app, StripeObjects.event(uniqueId("evt_"), "charge.refunded", now(),
                STRIPE.object(sub.charge())));
        SubscriptionsWorld.deliver(server(), app, StripeObjects.event(uniqueId("evt_"),
                "customer.subscription.deleted", now(), STRIPE.object(sub.subscription())));

        assertThat(queued(admin(), app, integration)).containsExactlyInAnyOrderElementsOf(before);
        assertThat(admin().post(subscriptionPath(app, sub.id()) + "/actions/refund", "").json().get("code")
                .asText()).as("nothing left to refund").isEqualTo("nothing_to_refund");
    }

    @Test
    void aTransactionRefundLeavesTheSubscriptionAndAPurchaseRefundRevokesIt() {
        StripeApp app = SubscriptionsWorld.app(admin());
        SubscriptionsWorld.Sub sub = subscribe(app);
        SubscriptionsWorld.OneTime once = SubscriptionsWorld.buyOnce(server(), app, now() - 60);

        HttpResponse transaction = admin().post(subscriptionPath(app, sub.id()) + "/transactions/" + sub.invoice()
                + "/actions/refund", "");
        HttpResponse purchase = admin().post(purchasePath(app, once.id()) + "/actions/refund", "");

        assertThat(transaction.status()).as(transaction.toString()).isEqualTo(200);
        assertThat(transaction.json().get("object").asText()).isEqualTo("subscription_transaction");
        assertThat(transaction.json().get("refunded_at").isNull()).isFalse();
        assertThat(STRIPE.requests()).noneMatch(r -> r.path().equals("/v1/subscriptions/" + sub.subscription())
                && !r.method().equals("GET"));
        assertThat(admin().get(subscriptionPath(app, sub.id())).json().get("auto_renewal_status").asText())
                .isEqualTo("will_renew");
        assertThat(purchase.status()).as(purchase.toString()).isEqualTo(200);
        assertThat(purchase.json().get("status").asText()).isEqualTo("refunded");
        SubscriptionsApiTest.assertMoney(purchase.json().get("revenue_in_usd"), "0");
        assertThat(STRIPE.requestsTo("/v1/refunds")).anyMatch(r -> r.form().get("payment_intent")
                .contains(once.paymentIntent()));
    }

    @Test
    void aKeyWithoutThePermissionIsToldWhichToAddAndNothingChanges() {
        StripeApp app = SubscriptionsWorld.app(admin());
        SubscriptionsWorld.Sub sub = subscribe(app);
        SubscriptionsWorld.OneTime once = SubscriptionsWorld.buyOnce(server(), app, now() - 60);
        JsonNode before = admin().get(subscriptionPath(app, sub.id())).json();
        STRIPE.denyPermission("rak_subscription_write").denyPermission("rak_refund_write");

        HttpResponse cancel = admin().post(subscriptionPath(app, sub.id()) + "/actions/cancel", Map.of());
        HttpResponse refund = admin().post(purchasePath(app, once.id()) + "/actions/refund", "");

        assertThat(cancel.status()).isEqualTo(422);
        assertThat(cancel.json().get("code").asText()).isEqualTo("stripe_permission_missing");
        assertThat(cancel.json().get("type").asText()).isEqualTo("unprocessable_entity_error");
        assertThat(cancel.json().get("retryable").asBoolean()).isFalse();
        assertThat(cancel.json().get("message").asText()).contains("Subscriptions: Write");
        assertThat(cancel.json().get("stripe_permission").asText()).isEqualTo("Subscriptions: Write");
        assertThat(refund.status()).isEqualTo(422);
        assertThat(refund.json().get("message").asText()).contains("Refunds: Write");
        assertThat(admin().get(subscriptionPath(app, sub.id())).json()).isEqualTo(before);
        assertThat(admin().get(purchasePath(app, once.id())).json().get("status").asText()).isEqualTo("owned");
        assertThat(STRIPE.object(sub.subscription()).get("cancel_at_period_end").asBoolean()).isFalse();
    }

    @Test
    void aRefundRefusedAfterTheCancellationSaysSoAndTheSameCallFinishesIt() {
        StripeApp app = SubscriptionsWorld.app(admin());
        SubscriptionsWorld.Sub sub = subscribe(app);
        STRIPE.denyPermission("rak_refund_write");

        HttpResponse refused = admin().post(subscriptionPath(app, sub.id()) + "/actions/refund", "");

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.json().get("code").asText()).isEqualTo("stripe_permission_missing");
        assertThat(refused.json().get("message").asText()).contains("canceled in Stripe", "Refunds: Write");
        assertThat(admin().get(subscriptionPath(app, sub.id())).json().get("status").asText())
                .as("the cancellation Stripe made is shown").isEqualTo("expired");
        STRIPE.allowPermission("rak_refund_write");
        HttpResponse again = admin().post(subscriptionPath(app, sub.id()) + "/actions/refund", "");
        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        SubscriptionsApiTest.assertMoney(again.json().get("total_revenue_in_usd"), "0");
    }

    @Test
    void stripeDownIsARetryable424AndNothingChanges() {
        StripeApp app = SubscriptionsWorld.app(admin());
        SubscriptionsWorld.Sub sub = subscribe(app);
        JsonNode before = admin().get(subscriptionPath(app, sub.id())).json();
        STRIPE.down(true);

        HttpResponse cancel = admin().post(subscriptionPath(app, sub.id()) + "/actions/cancel", Map.of());
        HttpResponse refund = admin().post(subscriptionPath(app, sub.id()) + "/actions/refund", "");

        for (HttpResponse response : List.of(cancel, refund)) {
            assertThat(response.status()).as(response.toString()).isEqualTo(424);
            assertThat(response.json().get("code").asText()).isEqualTo("stripe_api_error");
            assertThat(response.json().get("retryable").asBoolean()).isTrue();
            assertThat(response.json().get("message").asText()).contains("retry later");
        }
        STRIPE.down(false);
        assertThat(admin().get(subscriptionPath(app, sub.id())).json()).isEqualTo(before);
    }

    private SubscriptionsWorld.Sub subscribe(StripeApp app) {
        long start = now() - 2 * DAY;
        return SubscriptionsWorld.subscribe(server(), app, start, start + 30 * DAY);
    }

    private static RecordedRequest only(List<RecordedRequest> requests) {
        assertThat(requests).hasSize(1);
        return requests.get(0);
    }
}
