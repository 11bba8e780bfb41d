package io.substate.purchases;

import static io.substate.purchases.Lifecycles.DAY;
import static io.substate.purchases.Lifecycles.HOUR;
import static io.substate.purchases.Lifecycles.MONTH;
import static io.substate.purchases.Lifecycles.P1;
import static io.substate.purchases.Lifecycles.P2;
import static io.substate.purchases.Lifecycles.T0;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import io.substate.purchases.PurchaseState.Kind;
import io.substate.purchases.PurchaseState.PeriodType;
import io.substate.purchases.StripeEventJson.Shape;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** One test per rule of PurchaseStateMachine, asserting the next state and the events. */
class PurchaseStateMachineTest {
    final StripeEventJson stripe = new StripeEventJson(Shape.BASIL);
    PurchaseState state = PurchaseState.empty(Kind.SUBSCRIPTION, StripeEventJson.SUB, false);
    Outcome lastOutcome;

    List<OutgoingEventDraft> deliver(String body) {
        Transition transition = PurchaseStateMachine.apply(state, StripeEventJson.fact(body));
        state = transition.next();
        lastOutcome = transition.outcome();
        return transition.events();
    }

    List<String> types(List<OutgoingEventDraft> events) {
        return events.stream().map(OutgoingEventDraft::type).toList();
    }

    void paidSubscription() {
        deliver(stripe.sub(T0, "active", T0, P1).latestInvoice("in_1").json());
        deliver(stripe.invoice("in_1", T0, "subscription_create", T0, P1).paid(999).json());
    }

    @Test
    void trialingStartsATrialWithPriceZeroUntilTrialEnd() {
        long trialEnd = T0 + 7 * DAY;
        List<OutgoingEventDraft> events = deliver(
                stripe.sub(T0, "trialing", T0, trialEnd).trial(T0, trialEnd).json());

        assertThat(types(events)).containsExactly("INITIAL_PURCHASE");
        OutgoingEventDraft initial = events.get(0);
        assertThat(initial.periodType()).isEqualTo("TRIAL");
        assertThat(initial.priceMinor()).isZero();
        assertThat(initial.expirationAtMs()).isEqualTo(trialEnd * 1000);
        assertThat(initial.purchasedAtMs()).isEqualTo(T0 * 1000);
        assertThat(initial.renewalNumber()).isEqualTo(1);
        assertThat(initial.originalTransactionId()).isEqualTo(StripeEventJson.SUB);
        assertThat(initial.causedAtSeconds()).isEqualTo(T0);
        assertThat(state.periodType()).isEqualTo(PeriodType.TRIAL);
        assertThat(state.expiresAt()).isEqualTo(trialEnd * 1000);
        assertThat(state.grantsAccess(T0 * 1000)).isTrue();
        assertThat(state.grantsAccess(trialEnd * 1000)).isFalse();
    }

    @Test
    void trialConversionIsARenewalMarkedAsConversion() {
        long trialEnd = T0 + 7 * DAY;
        deliver(stripe.sub(T0, "trialing", T0, trialEnd).trial(T0, trialEnd).json());

        List<OutgoingEventDraft> converted = deliver(
                stripe.sub(trialEnd, "active", trialEnd, trialEnd + MONTH).trial(T0, trialEnd).json());
        // As RevenueCat: the conversion is announced when the first payment succeeds, not when the trial ends.
        assertThat(converted).isEmpty();
        List<OutgoingEventDraft> events = deliver(stripe.invoice("in_1", trialEnd, "subscription_cycle", trialEnd,
                trialEnd + MONTH).paid(999).json());

        assertThat(types(events)).containsExactly("RENEWAL");
        assertThat(events.get(0).isTrialConversion()).isTrue();
        assertThat(events.get(0).periodType()).isEqualTo("NORMAL");
        assertThat(events.get(0).priceMinor()).isEqualTo(999);
        assertThat(events.get(0).renewalNumber()).isEqualTo(2);
        assertThat(state.periodType()).isEqualTo(PeriodType.NORMAL);
        assertThat(state.expiresAt()).isEqualTo((trialEnd + MONTH) * 1000);
    }

    @Test
    void firstPaidActiveIsANormalInitialPurchase() {
        List<OutgoingEventDraft> events = deliver(stripe.sub(T0, "active", T0, P1).json());

        assertThat(types(events)).containsExactly("INITIAL_PURCHASE");
        assertThat(events.get(0).periodType()).isEqualTo("NORMAL");
        assertThat(events.get(0).priceMinor()).isEqualTo(999);
        assertThat(events.get(0).currency()).isEqualTo("usd");
        assertThat(state.productId()).isEqualTo("prod_gold");
        assertThat(state.priceId()).isEqualTo("price_gold_monthly");
        assertThat(state.interval()).isEqualTo("month");
        assertThat(state.stripeCustomerId()).isEqualTo(StripeEventJson.CUSTOMER);
        assertThat(state.purchasedAt()).isEqualTo(T0 * 1000);
        assertThat(state.expiresAt()).isEqualTo(P1 * 1000);
    }

    /**
     * What the webhook pipeline does for a new subscription whose paid first invoice it read (with the fee) before
     * the transaction: the invoice applied first announces nothing (no status yet), the subscription then announces
     * the one INITIAL_PURCHASE naming that invoice, and the invoice's own event later adds nothing.
     */
    @Test
    void aPaidFirstInvoiceAppliedBeforeItsSubscriptionIsAnnouncedOnceWithTheInvoicesAmountAndFee() {
        StripeFact.InvoiceFact read = ((StripeFact.InvoiceFact) StripeEventJson.fact(
                stripe.invoice("in_1", T0, "subscription_create", T0, P1).paid(1190).json())).withFee(65, 1190);
        Transition byInvoice = PurchaseStateMachine.apply(state, read);
        state = byInvoice.next();
        List<OutgoingEventDraft> bySnapshot = deliver(stripe.sub(T0, "active", T0, P1).latestInvoice("in_1").json());
        List<OutgoingEventDraft> byInvoiceEvent = deliver(
                stripe.invoice("in_1", T0 + 1, "subscription_create", T0, P1).paid(1190).json());

        assertThat(byInvoice.events()).isEmpty();
        assertThat(types(bySnapshot)).containsExactly("INITIAL_PURCHASE");
        assertThat(bySnapshot.get(0).transactionId()).isEqualTo("in_1");
        assertThat(bySnapshot.get(0).priceMinor()).isEqualTo(1190);
        assertThat(bySnapshot.get(0).details().commissionPercentage()).isEqualTo(0.0546);
        assertThat(bySnapshot.get(0).details().takehomePercentage()).isEqualTo(0.9454);
        assertThat(byInvoiceEvent).isEmpty();
        assertThat(state.renewalNumber()).isEqualTo(1);
    }

    @Test
    void aNewPeriodIsOneRenewalWhetherTheInvoiceOrTheSnapshotReportsItFirst() {
        paidSubscription();

        List<OutgoingEventDraft> byInvoice = deliver(
                stripe.invoice("in_2", P1, "subscription_cycle", P1, P2).paid(1099).json());
        List<OutgoingEventDraft> bySnapshot = deliver(stripe.sub(P1, "active", P1, P2).json());

        assertThat(types(byInvoice)).containsExactly("RENEWAL");
        assertThat(byInvoice.get(0).priceMinor()).isEqualTo(1099);
        assertThat(byInvoice.get(0).transactionId()).isEqualTo("in_2");
        assertThat(byInvoice.get(0).isTrialConversion()).isFalse();
        assertThat(bySnapshot).isEmpty();
        assertThat(state.expiresAt()).isEqualTo(P2 * 1000);
        assertThat(state.purchasedAt()).isEqualTo(P1 * 1000);
        assertThat(state.originalPurchasedAt()).isEqualTo(T0 * 1000);
        assertThat(state.renewalNumber()).isEqualTo(2);
        assertThat(state.latestInvoiceId()).isEqualTo("in_2");
    }

    @Test
    void cancelAtPeriodEndIsAnUnsubscribeThatKeepsAccessToThePeriodEnd() {
        paidSubscription();

        List<OutgoingEventDraft> events = deliver(
                stripe.sub(T0 + 5 * DAY, "active", T0, P1).cancelAtPeriodEnd(T0 + 4 * DAY).json());

        assertThat(types(events)).containsExactly("CANCELLATION");
        assertThat(events.get(0).cancelReason()).isEqualTo("UNSUBSCRIBE");
        assertThat(state.unsubscribeDetectedAt()).isEqualTo((T0 + 4 * DAY) * 1000); // Stripe's canceled_at
        assertThat(state.grantsAccess(P1 * 1000 - 1)).isTrue();
        assertThat(state.grantsAccess(P1 * 1000)).isFalse();
    }

    @Test
    void cancelAtEndsAccessAtThatTimeWhenEarlierThanThePeriodEnd() {
        paidSubscription();

        List<OutgoingEventDraft> events = deliver(
                stripe.sub(T0 + DAY, "active", T0, P1).cancelAt(T0 + 10 * DAY, T0 + DAY).json());

        assertThat(types(events)).containsExactly("CANCELLATION");
        assertThat(state.expiresAt()).isEqualTo((T0 + 10 * DAY) * 1000);
    }

    @Test
    void unsettingTheCancellationIsAnUncancellation() {
        paidSubscription();
        deliver(stripe.sub(T0 + DAY, "active", T0, P1).cancelAtPeriodEnd(T0 + DAY).json());

        List<OutgoingEventDraft> events = deliver(stripe.sub(T0 + 2 * DAY, "active", T0, P1).json());

        assertThat(types(events)).containsExactly("UNCANCELLATION");
        assertThat(state.unsubscribeDetectedAt()).isNull();
    }

    @Test
    void aPriceOrProductChangeIsAProductChange() {
        paidSubscription();

        List<OutgoingEventDraft> events = deliver(stripe.sub(T0 + DAY, "active", T0, P1)
                .product("prod_platinum", "price_platinum", 1999).json());

        assertThat(types(events)).containsExactly("PRODUCT_CHANGE");
        assertThat(events.get(0).priceMinor()).isEqualTo(1999); // the price of the plan it changed to
        assertThat(events.get(0).currency()).isEqualTo("usd");
        assertThat(events.get(0).productId()).isEqualTo("prod_gold");
        assertThat(events.get(0).newProductId()).isEqualTo("prod_platinum");
        assertThat(state.productId()).isEqualTo("prod_platinum");
        assertThat(state.priceAmountMinor()).isEqualTo(1999);
    }

    @Test
    void aFailedPaymentIsOneBillingIssuePerStreakKeepingAccessUntilRecovery() {
        paidSubscription();
        deliver(stripe.sub(P1, "active", P1, P2).json());

        List<OutgoingEventDraft> failed = deliver(
                stripe.invoice("in_2", P1 + HOUR, "subscription_cycle", P1, P2).failed(1).json());
        List<OutgoingEventDraft> pastDue = deliver(stripe.sub(P1 + HOUR, "past_due", P1, P2).json());
        List<OutgoingEventDraft> failedAgain = deliver(
                stripe.invoice("in_2", P1 + 3 * DAY, "subscription_cycle", P1, P2).failed(2).json());

        assertThat(types(failed)).containsExactly("BILLING_ISSUE");
        assertThat(pastDue).isEmpty();
        assertThat(failedAgain).isEmpty();
        assertThat(state.billingIssuesDetectedAt()).isEqualTo((P1 + HOUR) * 1000);
        assertThat(state.grantsAccess((P1 + 4 * DAY) * 1000)).isTrue();

        deliver(stripe.invoice("in_2", P1 + 4 * DAY, "subscription_cycle", P1, P2).paid(999).json());
        assertThat(state.billingIssuesDetectedAt()).isNull();

        List<OutgoingEventDraft> nextStreak = deliver(stripe.sub(P2 + HOUR, "past_due", P2, P2 + MONTH).json());
        // The third period moved forward unpaid: a billing issue, not (yet) a renewal.
        assertThat(types(nextStreak)).containsExactly("BILLING_ISSUE");
        assertThat(state.billingIssuesDetectedAt()).isEqualTo((P2 + HOUR) * 1000);
    }

    @Test
    void aPastDuePeriodWhoseInvoiceIsOpenIsRenewedOnlyWhenPaid() {
        paidSubscription();

        List<OutgoingEventDraft> moved = deliver(stripe.sub(P1, "past_due", P1, P2).latestInvoice("in_2").json());
        List<OutgoingEventDraft> open = deliver(
                stripe.invoice("in_2", P1 + HOUR, "subscription_cycle", P1, P2).failed(1).json());

        assertThat(types(moved)).containsExactly("BILLING_ISSUE");
        assertThat(open).isEmpty();
        assertThat(state.grantsAccess(P1 * 1000 + 1)).isTrue(); // past_due keeps access while Stripe retries

        List<OutgoingEventDraft> paid = deliver(
                stripe.invoice("in_2", P1 + 3 * DAY, "subscription_cycle", P1, P2).paid(1099).json());
        List<OutgoingEventDraft> active = deliver(stripe.sub(P1 + 3 * DAY, "active", P1, P2).json());

        assertThat(types(paid)).containsExactly("RENEWAL");
        OutgoingEventDraft renewal = paid.get(0);
        assertThat(renewal.priceMinor()).isEqualTo(1099);
        assertThat(renewal.transactionId()).isEqualTo("in_2");
        assertThat(renewal.renewalNumber()).isEqualTo(2);
        assertThat(renewal.purchasedAtMs()).isEqualTo(P1 * 1000);
        assertThat(renewal.expirationAtMs()).isEqualTo(P2 * 1000);
        assertThat(renewal.causedAtSeconds()).isEqualTo(P1 + 3 * DAY);
        assertThat(active).isEmpty();
    }

    @Test
    void aStateStoredWhenUnpaidPeriodsWereAnnouncedLoadsAndDoesNotAnnounceThePeriodAgainWhenPaid() throws Exception {
        paidSubscription();
        deliver(stripe.sub(P1, "past_due", P1, P2).json());
        // As the earlier release stored it: the unpaid period was already announced, so lastPeriodEnd is its end.
        ObjectNode json = Json.MAPPER.valueToTree(state);
        ((ObjectNode) json.get("emitted")).put("lastPeriodEnd", P2);
        state = StateCodec.read(Json.write(json));
        assertThat(state.emitted().lastPeriodEnd()).isEqualTo(P2);

        List<OutgoingEventDraft> paid = deliver(
                stripe.invoice("in_2", P1 + DAY, "subscription_cycle", P1, P2).paid(999).json());
        List<OutgoingEventDraft> next = deliver(
                stripe.invoice("in_3", P2, "subscription_cycle", P2, P2 + MONTH).paid(999).json());

        assertThat(paid).isEmpty();
        assertThat(types(next)).containsExactly("RENEWAL");
        assertThat(next.get(0).renewalNumber()).isEqualTo(3);
    }

    @Test
    void aPastDuePeriodNeverPaidIsNeverARenewal() {
        paidSubscription();
        deliver(stripe.sub(P1, "past_due", P1, P2).json());
        deliver(stripe.invoice("in_2", P1 + HOUR, "subscription_cycle", P1, P2).failed(1).json());

        List<OutgoingEventDraft> events = deliver(stripe.sub(P1 + 7 * DAY, "canceled", P1, P2)
                .ended(P1 + 7 * DAY, P1 + 7 * DAY).reason("payment_failed").type("customer.subscription.deleted")
                .json());

        assertThat(types(events)).containsExactly("EXPIRATION");
        assertThat(events.get(0).priceMinor()).isEqualTo(999); // the last paid period's price
    }

    @Test
    void aPlanSwitchWithoutAnInvoiceIsAProductChangeButNoRenewal() {
        paidSubscription();
        long yearEnd = T0 + DAY + 365 * DAY;

        List<OutgoingEventDraft> switched = deliver(stripe.sub(T0 + DAY, "active", T0 + DAY, yearEnd)
                .product("prod_gold", "price_gold_yearly", 9999).json());

        assertThat(types(switched)).containsExactly("PRODUCT_CHANGE");
        assertThat(switched.get(0).priceMinor()).isEqualTo(9999); // the new plan's price: no invoice paid for it
        assertThat(state.expiresAt()).isEqualTo(yearEnd * 1000);

        List<OutgoingEventDraft> paid = deliver(stripe.invoice("in_y", T0 + DAY, "subscription_update", T0 + DAY,
                yearEnd).product("prod_gold", "price_gold_yearly").paid(9001).json());

        assertThat(types(paid)).containsExactly("RENEWAL");
        assertThat(paid.get(0).priceMinor()).isEqualTo(9001);
        assertThat(paid.get(0).expirationAtMs()).isEqualTo(yearEnd * 1000);
        assertThat(paid.get(0).renewalNumber()).isEqualTo(2);
    }

    @Test
    void aZeroAmountInvoiceSettlesThePeriodSoItIsARenewalWithPriceZero() {
        paidSubscription();

        List<OutgoingEventDraft> moved = deliver(stripe.sub(P1, "active", P1, P2).json());
        List<OutgoingEventDraft> paid = deliver(
                stripe.invoice("in_2", P1, "subscription_cycle", P1, P2).paid(0).json());

        assertThat(moved).isEmpty();
        assertThat(types(paid)).containsExactly("RENEWAL");
        assertThat(paid.get(0).priceMinor()).isZero();
        assertThat(paid.get(0).transactionId()).isEqualTo("in_2");
    }

    @Test
    void eventsWithoutAPaymentOfTheirOwnCarryTheCurrentPeriodsPrice() {
        deliver(stripe.sub(T0, "active", T0, P1).latestInvoice("in_1").json());
        deliver(stripe.invoice("in_1", T0, "subscription_create", T0, P1).paid(799).json()); // with a coupon

        OutgoingEventDraft cancellation = deliver(stripe.sub(T0 + DAY, "active", T0, P1).cancelAtPeriodEnd(T0 + DAY)
                .json()).get(0);
        OutgoingEventDraft uncancellation = deliver(stripe.sub(T0 + 2 * DAY, "active", T0, P1).json()).get(0);
        deliver(stripe.sub(P1, "active", P1, P2).json());
        OutgoingEventDraft billingIssue = deliver(
                stripe.invoice("in_2", P1 + HOUR, "subscription_cycle", P1, P2).failed(1).json()).get(0);
        OutgoingEventDraft expiration = deliver(stripe.sub(P1 + 9 * DAY, "unpaid", P1, P2).json()).get(0);

        assertThat(List.of(cancellation, uncancellation, billingIssue, expiration))
                .extracting(OutgoingEventDraft::type, OutgoingEventDraft::priceMinor, OutgoingEventDraft::currency)
                .containsExactly(
                        Tuple.tuple("CANCELLATION", 799L, "usd"),
                        Tuple.tuple("UNCANCELLATION", 799L, "usd"),
                        Tuple.tuple("BILLING_ISSUE", 799L, "usd"),
                        Tuple.tuple("EXPIRATION", 799L, "usd"));
    }

    @Test
    void aCancellationDuringATrialCarriesPriceZero() {
        long trialEnd = T0 + 7 * DAY;
        deliver(stripe.sub(T0, "trialing", T0, trialEnd).trial(T0, trialEnd).json());

        List<OutgoingEventDraft> events = deliver(stripe.sub(T0 + DAY, "trialing", T0, trialEnd).trial(T0, trialEnd)
                .cancelAtPeriodEnd(T0 + DAY).json());

        assertThat(types(events)).containsExactly("CANCELLATION");
        assertThat(events.get(0).priceMinor()).isZero();
        assertThat(events.get(0).periodType()).isEqualTo("TRIAL");
    }

    @Test
    void pastDueAloneIsABillingIssue() {
        paidSubscription();

        List<OutgoingEventDraft> events = deliver(stripe.sub(T0 + DAY, "past_due", T0, P1).json());

        assertThat(types(events)).containsExactly("BILLING_ISSUE");
        assertThat(state.status()).isEqualTo("past_due");
        assertThat(state.grantsAccess(T0 * 1000 + 1)).isTrue();
    }

    @Test
    void unpaidExpiresWithABillingError() {
        paidSubscription();

        List<OutgoingEventDraft> events = deliver(stripe.sub(T0 + 9 * DAY, "unpaid", T0, P1).json());

        // No BILLING_ISSUE once access is gone: the expiration already says it, with its reason.
        assertThat(types(events)).containsExactly("EXPIRATION");
        assertThat(state.billingIssuesDetectedAt()).isEqualTo((T0 + 9 * DAY) * 1000);
        OutgoingEventDraft expiration = events.get(0);
        assertThat(expiration.expirationReason()).isEqualTo("BILLING_ERROR");
        assertThat(state.expiresAt()).isEqualTo((T0 + 9 * DAY) * 1000);
        assertThat(state.grantsAccess(T0 * 1000 + 1)).isFalse();
    }

    @Test
    void deletedSubscriptionExpiresAtEndedAtAsAnUnsubscribe() {
        paidSubscription();

        List<OutgoingEventDraft> events = deliver(stripe.sub(T0 + 3 * DAY, "canceled", T0, P1)
                .ended(T0 + 3 * DAY, T0 + 3 * DAY).type("customer.subscription.deleted").json());

        assertThat(types(events)).containsExactly("EXPIRATION");
        assertThat(events.get(0).expirationReason()).isEqualTo("UNSUBSCRIBE");
        assertThat(events.get(0).expirationAtMs()).isEqualTo((T0 + 3 * DAY) * 1000);
        assertThat(state.grantsAccess(T0 * 1000 + 1)).isFalse();
    }

    @Test
    void fullRefundOfTheLatestPeriodRevokesAccessWithANegativePrice() {
        paidSubscription();

        List<OutgoingEventDraft> events = deliver(stripe.refund(T0 + DAY, "ch_1", null, "pi_1", 999, 999));

        assertThat(types(events)).containsExactly("CANCELLATION");
        assertThat(events.get(0).cancelReason()).isEqualTo("CUSTOMER_SUPPORT");
        assertThat(events.get(0).priceMinor()).isEqualTo(-999);
        assertThat(state.refundedAt()).isEqualTo((T0 + DAY) * 1000);
        assertThat(state.grantsAccess(T0 * 1000 + 1)).isFalse();
    }

    @Test
    void partialRefundsAndRefundsOfOlderPeriodsChangeNothing() {
        StripeEventJson prebasil = new StripeEventJson(Shape.PREBASIL);
        deliver(prebasil.sub(T0, "active", T0, P1).json());
        deliver(prebasil.invoice("in_1", T0, "subscription_create", T0, P1).paid(999).json());
        deliver(prebasil.invoice("in_2", P1, "subscription_cycle", P1, P2).paid(999).json());

        assertThat(deliver(prebasil.refund(P1 + DAY, "ch_2", "in_2", "pi_2", 999, 500))).isEmpty(); // partial
        assertThat(deliver(prebasil.refund(P1 + DAY, "ch_1", "in_1", "pi_1", 999, 999))).isEmpty();
        assertThat(state.refundedAt()).isNull();
        assertThat(state.grantsAccess(P1 * 1000 + 1)).isTrue();
    }

    @Test
    void partialRefundsAreRecordedForRevenueButChangeNoOtherFieldAndEmitNothing() {
        paidSubscription();
        deliver(stripe.invoice("in_2", P1, "subscription_cycle", P1, P2).paid(999).json());
        PurchaseState before = state;

        // Cumulative amounts out of order, and one delivered twice.
        assertThat(deliver(stripe.refund(P1 + 2 * DAY, "ch_2", null, "pi_2", 999, 700))).isEmpty();
        assertThat(deliver(stripe.refund(P1 + DAY, "ch_2", null, "pi_2", 999, 300))).isEmpty();
        assertThat(deliver(stripe.refund(P1 + 2 * DAY, "ch_2", null, "pi_2", 999, 700))).isEmpty();

        assertThat(withoutHistory(state)).isEqualTo(withoutHistory(before));
        assertThat(state.history().refunds())
                .containsExactly(new PurchaseState.Refund("ch_2", "pi_2", null, 700, "usd", P1 + DAY, true));
        assertThat(state.grantsAccess(P1 * 1000 + 1)).isTrue();
    }

    @Test
    void aFullRefundAfterPartialOnesRevokesOnceAndALateCumulativeAmountChangesNothing() {
        paidSubscription();
        deliver(stripe.refund(T0 + DAY, "ch_1", null, "pi_1", 999, 400));

        List<OutgoingEventDraft> full = deliver(stripe.refund(T0 + 3 * DAY, "ch_1", null, "pi_1", 999, 999));
        PurchaseState refunded = state;
        List<OutgoingEventDraft> late = deliver(stripe.refund(T0 + 2 * DAY, "ch_1", null, "pi_1", 999, 700));

        assertThat(types(full)).containsExactly("CANCELLATION");
        assertThat(full.get(0).priceMinor()).isEqualTo(-999);
        assertThat(late).isEmpty();
        assertThat(state).isEqualTo(refunded);
        assertThat(state.refundedAt()).isEqualTo((T0 + 3 * DAY) * 1000);
    }

    @Test
    void aRefundStoredBeforePartialRefundsWereKeptStillReadsAsAFullRefund() throws Exception {
        paidSubscription();
        deliver(stripe.refund(T0 + DAY, "ch_1", null, "pi_1", 999, 999));
        ObjectNode json = Json.MAPPER.valueToTree(state);
        ObjectNode entry =
                (ObjectNode) json.get("history").get("refunds").get(0);
        entry.remove("partial"); // as written by the earlier release
        assertThat(entry.fieldNames()).toIterable().containsExactlyInAnyOrder("chargeId", "paymentIntentId",
                "invoiceId", "amountRefunded", "currency", "created");

        state = Json.MAPPER.treeToValue(json, PurchaseState.class);
        assertThat(state.history().refunds().get(0).full()).isTrue();
        // Re-derived from that history (a later fact, here a duplicate of the refund), it still revokes.
        assertThat(deliver(stripe.refund(T0 + DAY, "ch_1", null, "pi_1", 999, 999))).isEmpty();
        assertThat(state.refundedAt()).isEqualTo((T0 + DAY) * 1000);
        assertThat(state.grantsAccess(T0 * 1000 + 1)).isFalse();
    }

    /** Every field but the history, as stored. */
    static JsonNode withoutHistory(PurchaseState s) {
        ObjectNode json = Json.MAPPER.valueToTree(s);
        json.remove("history");
        return json;
    }

    @Test
    void incompleteGrantsNothingAndEmitsNothing() {
        List<OutgoingEventDraft> created = deliver(stripe.sub(T0, "incomplete", T0, P1).json());
        List<OutgoingEventDraft> failed = deliver(
                stripe.invoice("in_1", T0, "subscription_create", T0, P1).failed(1).json());

        assertThat(created).isEmpty();
        assertThat(failed).isEmpty();
        assertThat(state.grantsAccess(T0 * 1000 + 1)).isFalse();
        assertThat(state.purchasedAt()).isNull();
    }

    @Test
    void anOlderSnapshotIsStaleAndIgnored() {
        deliver(stripe.sub(T0 + DAY, "active", T0, P1).cancelAtPeriodEnd(T0 + DAY).json());

        List<OutgoingEventDraft> events = deliver(stripe.sub(T0, "active", T0, P1).json());

        assertThat(lastOutcome).isEqualTo(Outcome.STALE);
        assertThat(events).isEmpty();
        assertThat(state.unsubscribeDetectedAt()).isEqualTo((T0 + DAY) * 1000);
        assertThat(state.lastSnapshotCreated()).isEqualTo(T0 + DAY);
    }

    @Test
    void withinTheSameSecondStatusPrecedenceDecides() {
        deliver(stripe.sub(T0, "past_due", T0, P1).json());

        deliver(stripe.sub(T0, "active", T0, P1).json());
        assertThat(lastOutcome).isEqualTo(Outcome.STALE);
        assertThat(state.status()).isEqualTo("past_due");

        deliver(stripe.sub(T0, "canceled", T0, P1).ended(T0, T0).json());
        assertThat(lastOutcome).isEqualTo(Outcome.PROCESSED);
        assertThat(state.status()).isEqualTo("canceled");
    }

    @Test
    void paidOneTimeCheckoutIsANonRenewingPurchaseAndItsRefundACancellation() {
        state = PurchaseState.empty(Kind.ONE_TIME, "cs_1", true);
        StripeFact.CheckoutFact checkout = ((StripeFact.CheckoutFact) StripeEventJson.fact(
                stripe.checkout(T0, "cs_1", "pi_1", "paid", 4900))).withLineItem("prod_book", "price_book", 4900L, "eur");

        Transition bought = PurchaseStateMachine.apply(state, checkout);
        state = bought.next();

        assertThat(types(bought.events())).containsExactly("NON_RENEWING_PURCHASE");
        assertThat(bought.events().get(0).productId()).isEqualTo("prod_book");
        assertThat(bought.events().get(0).priceMinor()).isEqualTo(4900);
        assertThat(bought.events().get(0).expirationAtMs()).isNull();
        assertThat(state.status()).isEqualTo("paid");
        assertThat(state.expiresAt()).isNull();
        assertThat(state.grantsAccess(Long.MAX_VALUE)).isTrue();

        List<OutgoingEventDraft> refunded = deliver(stripe.refund(T0 + DAY, "ch_1", null, "pi_1", 4900, 4900));
        assertThat(types(refunded)).containsExactly("CANCELLATION");
        assertThat(refunded.get(0).priceMinor()).isEqualTo(-4900);
        assertThat(refunded.get(0).cancelReason()).isEqualTo("CUSTOMER_SUPPORT");
        assertThat(state.status()).isEqualTo("refunded");
        assertThat(state.grantsAccess(T0 * 1000)).isFalse();
    }

    @Test
    void unpaidCheckoutGrantsNothing() {
        state = PurchaseState.empty(Kind.ONE_TIME, "cs_2", false);

        List<OutgoingEventDraft> events = deliver(stripe.checkout(T0, "cs_2", "pi_2", "unpaid", 4900));

        assertThat(events).isEmpty();
        assertThat(state.grantsAccess(T0 * 1000)).isFalse();
    }

    @Test
    void stateRoundTripsThroughJackson() throws Exception {
        List<String> bodies = new ArrayList<>(Lifecycles.build("billing issue→unpaid", Shape.PREBASIL).bodies());
        bodies.add(stripe.refund(P1 + DAY, "ch_2", "in_2", "pi_2", 999, 999));
        bodies.add(stripe.checkout(T0, "cs_x", null, "paid", 1));
        bodies.forEach(this::deliver);

        String json = Json.write(state);
        PurchaseState read = Json.MAPPER.readValue(json, PurchaseState.class);

        assertThat(read).isEqualTo(state);
        assertThat(Json.write(read)).isEqualTo(json);
        assertThat(json).contains("\"billingFailures\"", "\"emitted\"");
    }
}
