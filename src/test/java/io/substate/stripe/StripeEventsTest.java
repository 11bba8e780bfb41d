package io.substate.stripe;

import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

class StripeEventsTest {
    static final String VALID = """
            {"id":"evt_1","object":"event","type":"customer.subscription.updated","created":1700000000,
             "livemode":true,"api_version":"2025-03-31.basil","account":"acct_9","unknown_field":[1,2],
             "data":{"object":{"id":"sub_1","object":"subscription"},"previous_attributes":{"status":"trialing"}}}""";

    @Test
    void readsTheEnvelope() {
        StripeEvent event = StripeEvents.parse(VALID);

        assertThat(event.id()).isEqualTo("evt_1");
        assertThat(event.type()).isEqualTo("customer.subscription.updated");
        assertThat(event.created()).isEqualTo(1_700_000_000L);
        assertThat(event.livemode()).isTrue();
        assertThat(event.apiVersion()).isEqualTo("2025-03-31.basil");
        assertThat(event.account()).isEqualTo("acct_9");
        assertThat(event.object().get("id").asText()).isEqualTo("sub_1");
        assertThat(event.previousAttributes().get("status").asText()).isEqualTo("trialing");
    }

    @Test
    void optionalFieldsMayBeNullOrAbsent() {
        StripeEvent event = StripeEvents.parse("""
                {"id":"evt_2","object":"event","type":"charge.refunded","created":1,"livemode":false,
                 "api_version":null,"data":{"object":{}}}""");

        assertThat(event.apiVersion()).isNull();
        assertThat(event.account()).isNull();
        assertThat(event.previousAttributes()).isNull();
        assertThat(event.livemode()).isFalse();
    }

    @Test
    void invalidJsonSaysWhere() {
        String message = invalid("{\"id\": \"evt_1\",\n \"object\": }");

        assertThat(message).contains("not valid JSON", "line 2");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            empty body               |                                                      | empty
            array                    | []                                                   | not an object
            not an event             | {"object":"charge"}                                  | "object" is "charge"
            no object field          | {"id":"evt_1"}                                       | "object" is missing
            missing id               | {"object":"event"}                                   | "id" is missing
            numeric id               | {"object":"event","id":5}                            | "id" is 5
            id without evt_          | {"object":"event","id":"ch_1"}                       | start with "evt_"
            missing type             | {"object":"event","id":"evt_1"}                      | "type" is missing
            type null                | {"object":"event","id":"evt_1","type":null}          | "type" is null
            created missing          | {"object":"event","id":"evt_1","type":"x"}           | "created" is missing
            created as string        | {"object":"event","id":"evt_1","type":"x","created":"1"} | "created" is "1"
            created fractional       | {"object":"event","id":"evt_1","type":"x","created":1.5} | "created" is 1.5
            livemode missing         | {"object":"event","id":"evt_1","type":"x","created":1}   | "livemode" is missing
            livemode as string       | {"object":"event","id":"evt_1","type":"x","created":1,"livemode":"true"} | "livemode" is "true"
            data missing             | {"object":"event","id":"evt_1","type":"x","created":1,"livemode":true}  | "data" is missing
            data.object missing      | {"object":"event","id":"evt_1","type":"x","created":1,"livemode":true,"data":{}} | "data.object" is missing
            data.object is a string  | {"object":"event","id":"evt_1","type":"x","created":1,"livemode":true,"data":{"object":"sub_1"}} | "data.object" is "sub_1"
            api_version is a number  | {"object":"event","id":"evt_1","type":"x","created":1,"livemode":true,"data":{"object":{}},"api_version":3} | "api_version" is 3
            """)
    void refusesMalformedEnvelopesWithAPreciseMessage(String name, String body, String expected) {
        assertThat(invalid(body)).contains(expected);
    }

    @Test
    void acceptsExactlyTheSixDocumentedTypes() {
        assertThat(StripeEvents.ACCEPTED_TYPES).containsExactly(
                "customer.subscription.updated", "customer.subscription.deleted", "charge.refunded",
                "invoice.updated", "customer.subscription.created", "checkout.session.completed");
        assertThat(StripeEvents.isAccepted("invoice.updated")).isTrue();
        assertThat(StripeEvents.isAccepted("invoice.paid")).isFalse();
        assertThat(StripeEvents.isAccepted(null)).isFalse();
    }

    private static String invalid(String body) {
        Throwable thrown = catchThrowable(() -> StripeEvents.parse(body));
        assertThat(thrown).isInstanceOf(ApiException.class);
        assertThat(((ApiException) thrown).errorCode()).isEqualTo(ErrorCode.INVALID_EVENT);
        return thrown.getMessage();
    }
}
