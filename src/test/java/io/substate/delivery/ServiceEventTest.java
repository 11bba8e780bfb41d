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
    void eventKeysAreTheNamesWithoutTheirDefaultAffixes() {
        assertThat(ServiceEvent.key(event("INITIAL_PURCHASE", "TRIAL"))).isEqualTo("trial_started");
        assertThat(ServiceEvent.key(event("CANCELLATION", "NORMAL").put("cancel_reason", "CUSTOMER_SUPPORT")))
                .isEqualTo("refund");
        assertThat(ServiceEvent.key(event("SUBSCRIPTION_EXTENDED", "NORMAL"))).isEqualTo("subscription_extended");
        for (String key : ServiceEvent.NAME_KEYS) {
            assertThat(key).matches("[a-z_]+");
        }
        assertThat(ServiceEvent.eventNames("{\"renewal\":\"Renewed\"}")).containsExactly(
                java.util.Map.entry("renewal", "Renewed"));
        assertThat(ServiceEvent.eventNames(null)).isEmpty();
    }

    @Test
    void attributesBecomeUserPropertiesWithTheReservedOnesUnderTheServicesNames() {
        ObjectNode event = event("RENEWAL", "NORMAL");
        ObjectNode attributes = event.putObject("subscriber_attributes");
        attributes.putObject("$email").put("value", "ana@example.com").put("updated_at_ms", 1L);
        attributes.putObject("$displayName").put("value", "Ana").put("updated_at_ms", 1L);
        attributes.putObject("$phoneNumber").put("value", "+1555").put("updated_at_ms", 1L);
        attributes.putObject("$idfa").put("value", "ID-FA").put("updated_at_ms", 1L);
        attributes.putObject("age").put("value", "24").put("updated_at_ms", 1L);
        attributes.putObject("deleted").putNull("value").put("updated_at_ms", 1L);

        ObjectNode standard = ServiceEvent.userProperties(event, ServiceEvent.RESERVED);
        assertThat(Json.write(standard)).isEqualTo("{\"email\":\"ana@example.com\",\"name\":\"Ana\","
                + "\"phone\":\"+1555\",\"idfa\":\"ID-FA\",\"age\":\"24\"}");
        ObjectNode mixpanel = ServiceEvent.userProperties(event, ServiceEvent.MIXPANEL_RESERVED);
        assertThat(mixpanel.get("$email").asText()).isEqualTo("ana@example.com");
        assertThat(mixpanel.get("$name").asText()).isEqualTo("Ana");
        assertThat(mixpanel.get("$phone").asText()).isEqualTo("+1555");
        assertThat(mixpanel.has("email")).isFalse();
        assertThat(ServiceEvent.userProperties(event("RENEWAL", "NORMAL"), ServiceEvent.RESERVED)).isEmpty();
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
