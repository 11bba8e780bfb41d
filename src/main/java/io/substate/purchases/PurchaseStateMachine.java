package io.substate.purchases;

import io.substate.purchases.PurchaseState.History;
import io.substate.purchases.PurchaseState.Kind;
import io.substate.purchases.StripeFact.CheckoutFact;
import io.substate.purchases.StripeFact.InvoiceFact;
import io.substate.purchases.StripeFact.RefundFact;
import io.substate.purchases.StripeFact.SubscriptionSnapshot;

/**
 * The Stripe → purchase rules as a pure function: {@code (state, fact) → (next state, outcome, events)}.
 * No I/O, no clock: every time comes from Stripe.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li><b>Periods.</b> A period is granted by a {@code trialing}/{@code active}/{@code past_due} snapshot (its
 *       current period; its {@code trial_start..trial_end} too, which survives conversion) or by a paid
 *       {@code subscription_create}/{@code subscription_cycle} invoice with an amount (its first line's period).
 *       Periods are identified by their end. The first known period → INITIAL_PURCHASE (TRIAL with price 0 and
 *       expiry at {@code trial_end}, else NORMAL); every later period → one RENEWAL once it is paid (a paid invoice
 *       of any amount, a 100% coupon's zero included, whose first line bills that period), with the paid period's
 *       start, end, number and invoice amount, and {@code is_trial_conversion} when it follows a trial period (the
 *       trial converts when its first invoice is paid, as RevenueCat announces it). A period that moved forward
 *       unpaid ({@code past_due} with an open invoice, a plan switch without an invoice) still grants what Stripe
 *       grants, but is no RENEWAL until paid, and none if never paid. Invoice and snapshot reporting the same period
 *       make one RENEWAL. {@code renewal_number} counts periods (the initial purchase is 1).</li>
 *   <li><b>Prices.</b> Events that announce no payment of their own (CANCELLATION UNSUBSCRIBE, UNCANCELLATION,
 *       BILLING_ISSUE, PRODUCT_CHANGE, EXPIRATION) carry the current period's price: 0 in a trial, else what the
 *       period's own invoice charged for the current plan, else the last paid period's of that plan, else the
 *       plan's price.</li>
 *   <li><b>Cancellation.</b> {@code cancel_at_period_end} or {@code cancel_at} set → CANCELLATION UNSUBSCRIBE,
 *       {@code unsubscribeDetectedAt} = Stripe's {@code canceled_at} (the snapshot's time when absent), access kept to
 *       the period end (or {@code cancel_at} when earlier); both unset again → UNCANCELLATION.</li>
 *   <li><b>Product change.</b> A newer snapshot with another product or price → PRODUCT_CHANGE (old product in
 *       {@code product_id}, new in {@code new_product_id}).</li>
 *   <li><b>Billing issues.</b> Failure signals: an open/uncollectible invoice with {@code attempt_count > 0}, a
 *       {@code past_due}/{@code unpaid} snapshot. Recovery signals: a paid invoice, an {@code active}/{@code trialing}
 *       snapshot. {@code billingIssuesDetectedAt} = the earliest failure after the newest recovery; BILLING_ISSUE once
 *       per streak. {@code past_due} keeps access.</li>
 *   <li><b>Expiration.</b> {@code unpaid}, {@code canceled}, {@code incomplete_expired} or
 *       {@code customer.subscription.deleted} → EXPIRATION ({@code BILLING_ERROR} after payment failures,
 *       {@code unpaid}, {@code incomplete_expired} or Stripe's reason {@code payment_failed}; else UNSUBSCRIBE);
 *       {@code expiresAt} = {@code ended_at}, or the snapshot's time. Only a purchase that was ever granted expires
 *       with an event: {@code incomplete → incomplete_expired} emits nothing.</li>
 *   <li><b>Refunds.</b> Only full refunds change access and events; a partial refund is recorded (the charge's
 *       cumulative {@code amount_refunded}) for revenue alone. For a subscription, a full refund revokes access ({@code refundedAt} set,
 *       CANCELLATION CUSTOMER_SUPPORT with the negative refunded amount) when it refunds the newest period: its
 *       invoice ({@code charge.invoice} pre-basil, or set by the caller, or matched through a paid invoice's charge or
 *       payment intent) is the newest period's invoice; when no invoice can be known, when it happened at or after
 *       the newest period began. A later paid period grants access again. A one-time purchase is revoked by any full
 *       refund routed to it.</li>
 *   <li><b>One-time.</b> A paid {@code mode=payment} Checkout Session → NON_RENEWING_PURCHASE; status
 *       {@code paid}, then {@code refunded}; no expiry.</li>
 *   <li><b>Incomplete</b> grants nothing and emits nothing (no period is recorded for it).</li>
 * </ul>
 *
 * <h2>Order independence</h2>
 * Stripe neither orders nor dedupes events. The state keeps a {@link History} in which every fact is merged
 * commutatively and idempotently, and every visible field is recomputed from that history alone; so any permutation
 * and duplication of the same facts ends in the same {@link PurchaseState#comparable()} state:
 * <ul>
 *   <li>the current view is the newest snapshot by ({@code created}, status precedence incomplete &lt; trialing &lt;
 *       active &lt; past_due &lt; unpaid &lt; canceled = incomplete_expired, deleted, period end, event id). An
 *       older snapshot is {@link Outcome#STALE}: it does not change the view, though the periods and billing
 *       signals it proves are still recorded (in-order delivery would have recorded them too);</li>
 *   <li>periods are a set keyed by end; paid invoices and refunds are sets keyed by Stripe id (a charge's refund
 *       reports merge into one entry: full if any report is, the largest cumulative amount);</li>
 *   <li>billing signals are ordered by (time, kind: active snapshot &lt; failed invoice &lt; past_due snapshot &lt;
 *       paid invoice); only the newest recovery and the failures after it are kept;</li>
 *   <li>{@code unsubscribeDetectedAt} comes from Stripe's {@code canceled_at}, not from when we heard of it.</li>
 *   <li>invoice payments ({@link PurchaseState#payments()}, what events carry beyond the lifecycle) are a set keyed by
 *       invoice id: the newest report by ({@code created}, text), keeping a fee an older report had.</li>
 * </ul>
 * Events are the one order-dependent output: they announce what changed at each step, guarded by
 * {@link PurchaseState.Emitted} so each period, cancellation, streak, refund and expiration is announced once.
 * Facts about another kind of purchase (a snapshot for a one-time purchase) change nothing.
 */
public final class PurchaseStateMachine {
    private PurchaseStateMachine() {}

    public static Transition apply(PurchaseState current, StripeFact fact) {
        History before = current.history();
        History after = before;
        Outcome outcome = Outcome.PROCESSED;
        SubscriptionSnapshot replaced = null;
        boolean subscription = current.kind() == Kind.SUBSCRIPTION;
        if (fact instanceof SubscriptionSnapshot snapshot) {
            if (subscription) {
                if (HistoryMerge.isNewer(snapshot, before.snapshot())) {
                    replaced = before.snapshot();
                } else {
                    outcome = Outcome.STALE;
                }
                after = HistoryMerge.add(before, snapshot);
            }
        } else if (fact instanceof InvoiceFact invoice) {
            if (subscription) {
                after = HistoryMerge.add(before, invoice);
            }
        } else if (fact instanceof RefundFact refund) {
            after = HistoryMerge.add(before, refund);
        } else if (fact instanceof CheckoutFact checkout) {
            after = HistoryMerge.add(before, checkout);
        }
        PurchaseState derived = PurchaseDerivation.derive(current, after)
                .withPayments(subscription ? EventDetails.merge(current.payments(), fact) : current.payments());
        EventEmission.Result result = EventEmission.emit(derived, replaced, fact.created());
        return new Transition(result.next(), outcome, EventDetails.fill(result.next(), result.events()));
    }
}
