package io.substate.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.common.Json;
import io.substate.purchases.StripeFact.CheckoutFact;
import io.substate.purchases.StripeFact.InvoiceFact;
import io.substate.purchases.StripeFact.RefundFact;
import io.substate.purchases.StripeFact.SubscriptionSnapshot;
import io.substate.purchases.StripeFact;
import io.substate.testing.Resources;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

class StripeFactsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"subscription.json", "prebasil_subscription.json"})
    void readsRealSubscriptionFixturesOfBothShapes(String fixture) {
        SubscriptionSnapshot snap = (SubscriptionSnapshot) fact("customer.subscription.updated", fixture);

        assertThat(snap.subscriptionId()).isEqualTo("sub_1Pgc6rB7WZ01zgkWNy0Cn5nw");
        assertThat(snap.customerId()).isEqualTo("cus_QXg1o8vcGmoR32");
        assertThat(snap.status()).isEqualTo("active");
        assertThat(snap.productId()).isEqualTo("prod_QXg1hqf4jFNsqG");
        assertThat(snap.priceId()).isEqualTo("price_1PgafmB7WZ01zgkW6dKueIc5");
        assertThat(snap.unitAmount()).isEqualTo(2000);
        assertThat(snap.interval()).isEqualTo("month");
        assertThat(snap.intervalCount()).isEqualTo(1);
        assertThat(snap.deleted()).isFalse();
        JsonNode raw = Json.read(Resources.text("stripe/" + fixture));
        // The period comes from the top level before basil and from the item since.
        JsonNode periodSource = raw.has("current_period_end") ? raw : raw.get("items").get("data").get(0);
        assertThat(snap.currentPeriodEnd()).isEqualTo(periodSource.get("current_period_end").asLong());
        assertThat(snap.currentPeriodStart()).isEqualTo(periodSource.get("current_period_start").asLong());
    }

    @Test
    void deletedEventMarksTheSnapshotDeleted() {
        SubscriptionSnapshot snap = (SubscriptionSnapshot) fact("customer.subscription.deleted", "subscription.json");

        assertThat(snap.deleted()).isTrue();
    }

    @Test
    void readsTheBasilInvoiceFixtureThroughItsParent() {
        InvoiceFact invoice = (InvoiceFact) fact("invoice.updated", "invoice.json");

        assertThat(invoice.invoiceId()).isEqualTo("in_1Pgc6tB7WZ01zgkWu9fdqL6I");
        assertThat(invoice.subscriptionId()).isEqualTo("subscription"); // the fixture's placeholder in parent
        assertThat(invoice.status()).isEqualTo("draft");
        assertThat(invoice.periodStart()).isEqualTo(1721954054L);
        assertThat(invoice.chargeId()).isNull();
    }

    @Test
    void readsThePrebasilInvoiceFixtureWithLinePrice() {
        InvoiceFact invoice = (InvoiceFact) fact("invoice.updated", "prebasil_invoice.json");

        assertThat(invoice.invoiceId()).isEqualTo("in_1Pgc6tB7WZ01zgkWu9fdqL6I");
        assertThat(invoice.subscriptionId()).isNull();
        assertThat(invoice.productId()).isEqualTo("prod_QXg1hqf4jFNsqG");
        assertThat(invoice.priceId()).isEqualTo("price_1PgafmB7WZ01zgkW02Hf9z6c");
    }

    @Test
    void readsTheInvoiceFieldsOutgoingEventsCarryFromBothShapes() {
        InvoiceFact plain = (InvoiceFact) fact("invoice.updated", "invoice.json");
        assertThat(plain.total()).isEqualTo(1000);
        assertThat(plain.tax()).as("no total_taxes: Stripe computed none").isNull();
        assertThat(plain.nextPaymentAttempt()).isEqualTo(1234567890L);
        assertThat(plain.offerCode()).isNull();
        assertThat(plain.countryCode()).isNull();
        assertThat(plain.fee()).isNull();
        assertThat(plain.withFee(30, 1000).fee()).isEqualTo(30);

        ObjectNode basil = (ObjectNode) Json.read(Resources.text("stripe/invoice.json"));
        basil.putArray("total_taxes").add(Json.object().put("amount", 80)).add(Json.object().put("amount", 20));
        basil.putArray("discounts").addObject().put("object", "discount").putObject("promotion_code")
                .put("object", "promotion_code").put("code", "SPRING");
        ((ObjectNode) basil.get("customer_address")).put("country", "us");
        InvoiceFact filled = (InvoiceFact) fact("invoice.updated", basil);
        assertThat(filled.tax()).isEqualTo(100);
        assertThat(filled.offerCode()).isEqualTo("SPRING");
        assertThat(filled.countryCode()).isEqualTo("US");
        assertThat(filled.discountId()).isNull();

        basil.putArray("discounts").add("di_1");
        InvoiceFact byId = (InvoiceFact) fact("invoice.updated", basil);
        assertThat(byId.offerCode()).as("events name basil discounts by id").isNull();
        assertThat(byId.discountId()).isEqualTo("di_1");
        assertThat(byId.withOfferCode("SPRING").offerCode()).isEqualTo("SPRING");

        ObjectNode prebasil = (ObjectNode) Json.read(Resources.text("stripe/prebasil_invoice.json"));
        prebasil.put("tax", 50);
        prebasil.putObject("discount").put("object", "discount").putNull("promotion_code")
                .putObject("coupon").put("id", "free_month").put("object", "coupon");
        InvoiceFact old = (InvoiceFact) fact("invoice.updated", prebasil);
        assertThat(old.tax()).isEqualTo(50);
        assertThat(old.offerCode()).as("the coupon's id when no promotion code was typed").isEqualTo("free_month");
    }

    @Test
    void readsTheCheckoutFieldsOutgoingEventsCarry() {
        CheckoutFact plain = (CheckoutFact) fact("checkout.session.completed", "checkout_session.json");
        assertThat(plain.amountTax()).isEqualTo(1424534716L);
        assertThat(plain.countryCode()).isNull();
        assertThat(plain.offerCode()).isNull();

        ObjectNode session = (ObjectNode) Json.read(Resources.text("stripe/checkout_session.json"));
        ((ObjectNode) session.get("customer_details").get("address")).put("country", "jp");
        session.putArray("discounts").addObject().put("coupon", "launch").putNull("promotion_code");
        CheckoutFact filled = (CheckoutFact) fact("checkout.session.completed", session);
        assertThat(filled.countryCode()).isEqualTo("JP");
        assertThat(filled.offerCode()).isEqualTo("launch");
        assertThat(filled.promotionCodeId()).isNull();
        session.putArray("discounts").addObject().putNull("coupon").put("promotion_code", "promo_1");
        CheckoutFact promoted = (CheckoutFact) fact("checkout.session.completed", session);
        assertThat(promoted.promotionCodeId()).isEqualTo("promo_1");
        assertThat(promoted.withOfferCode("LAUNCH50").offerCode()).isEqualTo("LAUNCH50");
        CheckoutFact withLine = filled.withLineItem("prod_a", "price_a", 500L, "usd").withFee(20, 500);
        assertThat(withLine.countryCode()).isEqualTo("JP");
        assertThat(withLine.fee()).isEqualTo(20);
        assertThat(withLine.feeBase()).isEqualTo(500);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"charge.json", "prebasil_charge.json"})
    void readsChargeFixtures(String fixture) {
        RefundFact refund = (RefundFact) fact("charge.refunded", fixture);

        assertThat(refund.chargeId()).isEqualTo("ch_1PgafuB7WZ01zgkWXYmPNZs8");
        assertThat(refund.amount()).isEqualTo(100);
        assertThat(refund.fullyRefunded()).isFalse();
        assertThat(refund.invoiceId()).isNull();
        assertThat(refund.withInvoiceId("in_x").invoiceId()).isEqualTo("in_x");
    }

    @Test
    void readsTheCheckoutFixtureAndTakesLineItemsLater() {
        CheckoutFact checkout = (CheckoutFact) fact("checkout.session.completed", "checkout_session.json");

        assertThat(checkout.sessionId()).isEqualTo("cs_test_a1YS1URlnyQCN5fUUduORoQ7Pw41PJqDWkIVQCpJPqkfIhd6tVY8XB1OLY");
        assertThat(checkout.mode()).isEqualTo("payment");
        assertThat(checkout.paymentIntentId()).isEqualTo("pi_1PgafyB7WZ01zgkWSjxsAJo3");
        assertThat(checkout.customerId()).isNull();
        assertThat(checkout.productId()).isNull();
        assertThat(checkout.paid()).isFalse();

        CheckoutFact filled = checkout.withLineItem("prod_a", "price_a", 500L, "usd");
        assertThat(filled.productId()).isEqualTo("prod_a");
        assertThat(filled.priceId()).isEqualTo("price_a");
        assertThat(filled.amountTotal()).isEqualTo(500);
        assertThat(filled.sessionId()).isEqualTo(checkout.sessionId());
    }

    @Test
    void expandedReferencesAreReadByTheirId() {
        ObjectNode invoice = Json.object().put("id", "in_1").put("object", "invoice").put("status", "paid");
        invoice.putObject("subscription").put("id", "sub_9").put("object", "subscription");
        invoice.putObject("customer").put("id", "cus_9");

        InvoiceFact fact = StripeFacts.fromInvoiceObject(invoice, "evt_x", 1, true);

        assertThat(fact.subscriptionId()).isEqualTo("sub_9");
        assertThat(fact.customerId()).isEqualTo("cus_9");
        assertThat(fact.livemode()).isTrue();
    }

    @Test
    void subscriptionObjectsFromTheApiBecomeSnapshots() {
        JsonNode object = Json.read(Resources.text("stripe/subscription.json"));

        SubscriptionSnapshot snap = StripeFacts.fromSubscriptionObject(object, "api_read_1", 42, false);

        assertThat(snap.eventId()).isEqualTo("api_read_1");
        assertThat(snap.created()).isEqualTo(42);
        assertThat(snap.metadata()).isEqualTo(Map.of());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            status number         | customer.subscription.updated | {"id":"sub_1","object":"subscription","status":5}                | data.object.status is 5, expected a string
            missing status        | customer.subscription.updated | {"id":"sub_1","object":"subscription"}                           | data.object.status is missing
            period as string      | customer.subscription.updated | {"id":"sub_1","status":"active","current_period_end":"soon"}     | data.object.current_period_end is "soon", expected an integer
            item period as text   | customer.subscription.updated | {"id":"sub_1","status":"active","items":{"data":[{"current_period_end":true}]}} | data.object.items.data[0].current_period_end is true
            items not a list      | customer.subscription.updated | {"id":"sub_1","status":"active","items":{"data":{}}}             | data.object.items.data is an object, expected an array
            cancel flag as string | customer.subscription.updated | {"id":"sub_1","status":"active","cancel_at_period_end":"yes"}    | data.object.cancel_at_period_end is "yes", expected true or false
            metadata value number | customer.subscription.updated | {"id":"sub_1","status":"active","metadata":{"k":1}}              | data.object.metadata.k is 1, expected a string
            wrong object          | customer.subscription.updated | {"id":"in_1","object":"invoice","status":"paid"}                 | data.object.object is "invoice"
            attempt_count text    | invoice.updated               | {"id":"in_1","attempt_count":"2"}                                 | data.object.attempt_count is "2", expected an integer
            subscription number   | invoice.updated               | {"id":"in_1","subscription":7}                                    | data.object.subscription is 7, expected an id string or an expanded object
            line price product    | invoice.updated               | {"id":"in_1","lines":{"data":[{"price":{"id":"p","product":[1]}}]}} | data.object.lines.data[0].price.product is an array
            amount as float       | charge.refunded               | {"id":"ch_1","amount":1.5}                                        | data.object.amount is 1.5, expected an integer
            charge missing id     | charge.refunded               | {"amount":1}                                                      | data.object.id is missing
            session mode number   | checkout.session.completed    | {"id":"cs_1","mode":1}                                            | data.object.mode is 1, expected a string
            """)
    void wronglyTypedFieldsNameTheirJsonPath(String name, String type, String object, String expected) {
        String body = "{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"" + type
                + "\",\"created\":1,\"livemode\":false,\"data\":{\"object\":" + object + "}}";

        Throwable thrown = catchThrowable(() -> StripeFacts.from(StripeEvents.parse(body)));

        assertThat(thrown).isInstanceOf(ApiException.class);
        assertThat(((ApiException) thrown).errorCode()).isEqualTo(ErrorCode.INVALID_EVENT);
        assertThat(thrown.getMessage()).contains(expected);
    }

    @Test
    void otherEventTypesCarryNoFact() {
        Throwable thrown = catchThrowable(() -> StripeFacts.from(StripeEvents.parse(
                "{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"invoice.paid\",\"created\":1,\"livemode\":false,"
                        + "\"data\":{\"object\":{}}}")));

        assertThat(((ApiException) thrown).errorCode()).isEqualTo(ErrorCode.UNSUPPORTED_EVENT_TYPE);
    }

    private static StripeFact fact(String type, ObjectNode object) {
        return factOf(type, Json.write(object));
    }

    private static StripeFact fact(String type, String fixture) {
        return factOf(type, Resources.text("stripe/" + fixture));
    }

    private static StripeFact factOf(String type, String object) {
        String body = "{\"id\":\"evt_fixture\",\"object\":\"event\",\"type\":\"" + type
                + "\",\"created\":1700000000,\"livemode\":false,\"api_version\":null,\"data\":{\"object\":" + object
                + "}}";
        StripeFact fact = StripeFacts.from(StripeEvents.parse(body));
        assertThat(fact.eventId()).isEqualTo("evt_fixture");
        assertThat(fact.created()).isEqualTo(1_700_000_000L);
        return fact;
    }
}
