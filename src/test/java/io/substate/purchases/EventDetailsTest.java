package io.substate.purchases;

import static io.substate.purchases.Lifecycles.P1;
import static io.substate.purchases.Lifecycles.T0;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import io.substate.purchases.PurchaseState.InvoicePayment;
import io.substate.purchases.PurchaseState.Kind;
import io.substate.purchases.StripeEventJson.Shape;
import io.substate.purchases.StripeFact.InvoiceFact;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The invoice details kept for outgoing events: merged in any order, and read from states stored before them. */
class EventDetailsTest {
    final StripeEventJson stripe = new StripeEventJson(Shape.BASIL);

    InvoiceFact paidInvoice(long created) {
        ObjectNode event = (ObjectNode) Json.read(stripe.invoice("in_1", created, "subscription_create", T0, P1)
                .paid(1190).json());
        ObjectNode invoice = (ObjectNode) event.path("data").path("object");
        invoice.put("total", 1190);
        invoice.putArray("total_taxes").addObject().put("amount", 190);
        invoice.putObject("customer_address").put("country", "de");
        return (InvoiceFact) StripeEventJson.fact(Json.write(event));
    }

    @Test
    void aFeeReadOnceIsKeptWhateverOrderTheInvoiceReportsArriveIn() {
        InvoiceFact withFee = paidInvoice(T0).withFee(65, 1190);
        InvoiceFact later = paidInvoice(T0 + 60);
        List<InvoicePayment> oneOrder = EventDetails.merge(EventDetails.merge(List.of(), withFee), later);
        List<InvoicePayment> otherOrder = EventDetails.merge(EventDetails.merge(List.of(), later), withFee);

        assertThat(oneOrder).isEqualTo(otherOrder).hasSize(1);
        InvoicePayment payment = oneOrder.get(0);
        assertThat(payment.created()).isEqualTo(T0 + 60);
        assertThat(payment.fee()).isEqualTo(65);
        assertThat(payment.tax()).isEqualTo(190);
        assertThat(payment.countryCode()).isEqualTo("DE");
        assertThat(EventDetails.merge(oneOrder, later)).as("idempotent").isEqualTo(oneOrder);
    }

    @Test
    void statesStoredBeforeTheDetailsReadWithoutThemAndTheirEventsCarryNulls() throws Exception {
        PurchaseState state = PurchaseState.empty(Kind.SUBSCRIPTION, StripeEventJson.SUB, false);
        state = PurchaseStateMachine.apply(state, StripeEventJson.fact(
                stripe.sub(T0, "active", T0, P1).latestInvoice("in_1").json())).next();
        state = PurchaseStateMachine.apply(state, paidInvoice(T0)).next();
        assertThat(state.payments()).hasSize(1);
        assertThat(StateCodec.read(StateCodec.write(state))).isEqualTo(state);

        // As an earlier version stored it: no payments.
        ObjectNode old = (ObjectNode) Json.read(StateCodec.write(state));
        old.remove("payments");
        PurchaseState read = StateCodec.read(Json.write(old));
        assertThat(read.payments()).isEmpty();
        assertThat(read.comparable()).isEqualTo(state.comparable().withPayments(List.of()));

        Transition cancel = PurchaseStateMachine.apply(read, StripeEventJson.fact(
                stripe.sub(T0 + 10, "active", T0, P1).latestInvoice("in_1").cancelAtPeriodEnd(T0 + 10).json()));
        assertThat(cancel.events()).extracting(OutgoingEventDraft::type).containsExactly("CANCELLATION");
        EventDetails details = cancel.events().get(0).details();
        assertThat(details.taxPercentage()).isNull();
        assertThat(details.countryCode()).isNull();
        assertThat(details.gracePeriodExpirationAtMs()).isNull();
    }

    @Test
    void checkoutsStoredBeforeTheDetailsReadWithNulls() throws Exception {
        PurchaseState state = PurchaseState.empty(Kind.ONE_TIME, "cs_1", false);
        Transition bought = PurchaseStateMachine.apply(state, StripeEventJson.fact(
                stripe.checkout(T0, "cs_1", "pi_1", "paid", 4999)));
        assertThat(bought.events()).extracting(OutgoingEventDraft::type).containsExactly("NON_RENEWING_PURCHASE");
        assertThat(bought.events().get(0).details().taxPercentage()).as("no tax computed").isEqualTo(0.0);

        ObjectNode old = (ObjectNode) Json.read(StateCodec.write(bought.next()));
        ObjectNode checkout = (ObjectNode) old.path("history").path("checkout");
        for (String field : List.of("amountTax", "offerCode", "countryCode", "fee", "feeBase")) {
            assertThat(checkout.has(field)).as(field).isTrue();
            checkout.remove(field);
        }
        PurchaseState read = StateCodec.read(Json.write(old));
        assertThat(read.history().checkout().amountTax()).isNull();
        assertThat(read.history().checkout().sessionId()).isEqualTo("cs_1");
        assertThat(read.emitted()).isEqualTo(bought.next().emitted());
    }

    @Test
    void fractionsAreRoundedToFourDecimalsAndUnknownWithoutAnAmount() {
        assertThat(EventDetails.fraction(190L, 1190L)).isEqualTo(0.1597);
        assertThat(EventDetails.fraction(0L, 1190L)).isEqualTo(0.0);
        assertThat(EventDetails.fraction(10L, 0L)).isNull();
        assertThat(EventDetails.fraction(null, 1190L)).isNull();
    }
}
