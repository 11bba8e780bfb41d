package io.substate.delivery;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** RevenueCat's integration event names and Slack's messages, from the outgoing event's fields. */
class ServiceEventTest {
    static ObjectNode event(String type, String periodType) {
        ObjectNode event = Json.object();
        event.put("type", type);
        event.put("period_type", periodType);
        event.put("app_user_id", "user_1");
        event.put("product_id", "pro_monthly");
        event.put("environment", "PRODUCTION");
        event.put("price", 9.99);
        event.put("price_in_purchased_currency", 8.5);
        event.put("currency", "EUR");
        return event;
    }

    @Test
    void namesAreRevenueCatsWithTrialsAndRefundsToldApart() {
        assertThat(ServiceEvent.name(event("INITIAL_PURCHASE", "NORMAL"))).isEqualTo("rc_initial_purchase_event");
        assertThat(ServiceEvent.name(event("INITIAL_PURCHASE", "TRIAL"))).isEqualTo("rc_trial_started_event");
        assertThat(ServiceEvent.name(event("RENEWAL", "NORMAL"))).isEqualTo("rc_renewal_event");
        assertThat(ServiceEvent.name(event("RENEWAL", "NORMAL").put("is_trial_conversion", true)))
                .isEqualTo("rc_trial_converted_event");
        assertThat(ServiceEvent.name(event("CANCELLATION", "NORMAL"))).isEqualTo("rc_cancellation_event");
        assertThat(ServiceEvent.name(event("CANCELLATION", "TRIAL"))).isEqualTo("rc_trial_cancelled_event");
        assertThat(ServiceEvent.name(event("CANCELLATION", "NORMAL").put("cancel_reason", "CUSTOMER_SUPPORT")))
                .isEqualTo("rc_refund_event");
        assertThat(ServiceEvent.name(event("BILLING_ISSUE", "NORMAL"))).isEqualTo("rc_billing_issue_event");
        assertThat(ServiceEvent.name(event("NON_RENEWING_PURCHASE", "NORMAL")))
                .isEqualTo("rc_non_renewing_purchase_event");
        assertThat(ServiceEvent.name(event("TEST", "NORMAL"))).isEqualTo("rc_test_event");
    }

    @Test
    void theDedupIdIsAUuidStableForOneDeliveryAndDifferentForAnother() {
        assertThat(ServiceEvent.dedupId("dlv_a")).isEqualTo(ServiceEvent.dedupId("dlv_a"))
                .isNotEqualTo(ServiceEvent.dedupId("dlv_b")).hasSize(36);
    }

    @Test
    void slackSaysWhatHappenedInWordsWithThePricePaid() {
        assertThat(SlackSender.text(event("INITIAL_PURCHASE", "NORMAL")))
                .isEqualTo("`user_1` subscribed to `pro_monthly` for 8.50 EUR");
        assertThat(SlackSender.text(event("INITIAL_PURCHASE", "TRIAL")))
                .isEqualTo("`user_1` started a trial of `pro_monthly`");
        assertThat(SlackSender.text(event("CANCELLATION", "NORMAL").put("cancel_reason", "UNSUBSCRIBE")))
                .isEqualTo("`user_1` cancelled `pro_monthly` (unsubscribe)");
        assertThat(SlackSender.text(event("PRODUCT_CHANGE", "NORMAL").put("new_product_id", "pro_yearly")))
                .isEqualTo("`user_1` changed from `pro_monthly` to `pro_yearly`");
        assertThat(SlackSender.text(event("EXPIRATION", "NORMAL").put("environment", "SANDBOX").putNull(
                "expiration_reason"))).isEqualTo("`user_1`'s `pro_monthly` expired (sandbox)");
    }
}
