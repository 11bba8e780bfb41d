package io.substate.purchases;

import static org.assertj.core.api.Assertions.assertThat;

import io.substate.purchases.PurchaseState.Kind;
import io.substate.purchases.StripeEventJson.Shape;
import java.util.List;
import java.util.function.Consumer;

/**
 * Realistic Stripe lifecycles, each as the events Stripe sends in the order it creates them. Public for the HTTP tests
 * that deliver them out of order to running servers ({@code operations/LoadBalancedInstancesTest}).
 */
public final class Lifecycles {
    static final long T0 = 1_700_000_000L;
    static final long HOUR = 3_600L;
    static final long DAY = 86_400L;
    static final long MONTH = 30 * DAY;
    static final long P1 = T0 + MONTH;
    static final long P2 = P1 + MONTH;
    static final long P3 = P2 + MONTH;

    /** A lifecycle: its events in order, the events in-order delivery must produce, and checks on the final state. */
    public record Lifecycle(String name, Kind kind, String token, List<String> bodies, List<String> inOrderEvents,
            Consumer<PurchaseState> finalState) {
        @Override
        public String toString() {
            return name;
        }
    }

    public static List<String> names() {
        return List.of("trial→conversion→renewal", "paid→cancel at period end→uncancel", "paid→cancel_at→ended",
                "product change", "billing issue→recovery", "billing issue→unpaid", "past_due→canceled",
                "incomplete→incomplete_expired", "incomplete→active", "renewal then full refund",
                "one-time then refund", "deleted", "trial→3 renewals→cancel→ended (long)",
                "renewal then two partial refunds", "renewal, two partial refunds, then full refund",
                "one-time, partial refund, then full refund");
    }

    public static Lifecycle build(String name, Shape shape) {
        StripeEventJson s = new StripeEventJson(shape);
        return switch (name) {
            case "trial→conversion→renewal" -> {
                long trialEnd = T0 + 7 * DAY;
                yield sub(name, List.of(
                        s.sub(T0, "trialing", T0, trialEnd).trial(T0, trialEnd).type("customer.subscription.created")
                                .latestInvoice("in_trial").json(),
                        s.invoice("in_trial", T0, "subscription_create", T0, trialEnd).paid(0).json(),
                        s.sub(trialEnd, "active", trialEnd, trialEnd + MONTH).trial(T0, trialEnd).latestInvoice("in_1")
                                .json(),
                        s.invoice("in_1", trialEnd, "subscription_cycle", trialEnd, trialEnd + MONTH).paid(999).json(),
                        s.sub(trialEnd + MONTH, "active", trialEnd + MONTH, trialEnd + 2 * MONTH).trial(T0, trialEnd)
                                .latestInvoice("in_2").json(),
                        s.invoice("in_2", trialEnd + MONTH, "subscription_cycle", trialEnd + MONTH,
                                trialEnd + 2 * MONTH).paid(999).json()),
                        List.of("INITIAL_PURCHASE", "RENEWAL", "RENEWAL"),
                        state -> {
                            assertThat(state.status()).isEqualTo("active");
                            assertThat(state.periodType()).isEqualTo(PurchaseState.PeriodType.NORMAL);
                            assertThat(state.originalPurchasedAt()).isEqualTo(T0 * 1000);
                            assertThat(state.purchasedAt()).isEqualTo((trialEnd + MONTH) * 1000);
                            assertThat(state.expiresAt()).isEqualTo((trialEnd + 2 * MONTH) * 1000);
                            assertThat(state.renewalNumber()).isEqualTo(3);
                            assertThat(state.latestInvoiceId()).isEqualTo("in_2");
                        });
            }
            case "paid→cancel at period end→uncancel" -> sub(name, List.of(
                    s.sub(T0, "active", T0, P1).type("customer.subscription.created").latestInvoice("in_1").json(),
                    s.invoice("in_1", T0, "subscription_create", T0, P1).paid(999).json(),
                    s.sub(T0 + 5 * DAY, "active", T0, P1).cancelAtPeriodEnd(T0 + 5 * DAY).latestInvoice("in_1").json(),
                    s.sub(T0 + 9 * DAY, "active", T0, P1).latestInvoice("in_1").json()),
                    List.of("INITIAL_PURCHASE", "CANCELLATION", "UNCANCELLATION"),
                    state -> {
                        assertThat(state.unsubscribeDetectedAt()).isNull();
                        assertThat(state.grantsAccess(T0 * 1000 + 1)).isTrue();
                        assertThat(state.expiresAt()).isEqualTo(P1 * 1000);
                    });
            case "paid→cancel_at→ended" -> sub(name, List.of(
                    s.sub(T0, "active", T0, P1).type("customer.subscription.created").json(),
                    s.invoice("in_1", T0, "subscription_create", T0, P1).paid(999).json(),
                    s.sub(T0 + 3 * DAY, "active", T0, P1).cancelAt(T0 + 20 * DAY, T0 + 3 * DAY).json(),
                    s.sub(T0 + 20 * DAY, "canceled", T0, P1).cancelAt(T0 + 20 * DAY, T0 + 3 * DAY)
                            .ended(T0 + 20 * DAY, T0 + 3 * DAY).reason("cancellation_requested")
                            .type("customer.subscription.deleted").json()),
                    List.of("INITIAL_PURCHASE", "CANCELLATION", "EXPIRATION"),
                    state -> {
                        assertThat(state.status()).isEqualTo("canceled");
                        assertThat(state.expiresAt()).isEqualTo((T0 + 20 * DAY) * 1000);
                        assertThat(state.unsubscribeDetectedAt()).isEqualTo((T0 + 3 * DAY) * 1000);
                        assertThat(state.grantsAccess(T0 * 1000 + 1)).isFalse();
                    });
            case "product change" -> sub(name, List.of(
                    s.sub(T0, "active", T0, P1).type("customer.subscription.created").json(),
                    s.invoice("in_1", T0, "subscription_create", T0, P1).paid(999).json(),
                    s.sub(T0 + 10 * DAY, "active", T0, P1).product("prod_platinum", "price_platinum", 1999).json(),
                    s.invoice("in_pr", T0 + 10 * DAY, "subscription_update", T0 + 10 * DAY, P1)
                            .product("prod_platinum", "price_platinum").paid(667).json(),
                    s.sub(P1, "active", P1, P2).product("prod_platinum", "price_platinum", 1999).json(),
                    s.invoice("in_2", P1, "subscription_cycle", P1, P2).product("prod_platinum", "price_platinum")
                            .paid(1999).json()),
                    List.of("INITIAL_PURCHASE", "PRODUCT_CHANGE", "RENEWAL"),
                    state -> {
                        assertThat(state.productId()).isEqualTo("prod_platinum");
                        assertThat(state.priceId()).isEqualTo("price_platinum");
                        assertThat(state.priceAmountMinor()).isEqualTo(1999);
                        assertThat(state.expiresAt()).isEqualTo(P2 * 1000);
                    });
            case "billing issue→recovery" -> sub(name, List.of(
                    s.sub(T0, "active", T0, P1).type("customer.subscription.created").json(),
                    s.invoice("in_1", T0, "subscription_create", T0, P1).paid(999).json(),
                    s.sub(P1, "active", P1, P2).json(),
                    s.invoice("in_2", P1 + HOUR, "subscription_cycle", P1, P2).failed(1).json(),
                    s.sub(P1 + HOUR, "past_due", P1, P2).json(),
                    s.invoice("in_2", P1 + 2 * DAY, "subscription_cycle", P1, P2).paid(999).json(),
                    s.sub(P1 + 2 * DAY, "active", P1, P2).json()),
                    // The renewal is announced when its invoice is paid, after the failed attempt.
                    List.of("INITIAL_PURCHASE", "BILLING_ISSUE", "RENEWAL"),
                    state -> {
                        assertThat(state.status()).isEqualTo("active");
                        assertThat(state.billingIssuesDetectedAt()).isNull();
                        assertThat(state.grantsAccess(P1 * 1000 + 1)).isTrue();
                    });
            case "billing issue→unpaid" -> sub(name, List.of(
                    s.sub(T0, "active", T0, P1).type("customer.subscription.created").json(),
                    s.invoice("in_1", T0, "subscription_create", T0, P1).paid(999).json(),
                    s.sub(P1, "active", P1, P2).json(),
                    s.invoice("in_2", P1 + HOUR, "subscription_cycle", P1, P2).failed(1).json(),
                    s.sub(P1 + HOUR, "past_due", P1, P2).json(),
                    s.invoice("in_2", P1 + 3 * DAY, "subscription_cycle", P1, P2).failed(2).json(),
                    s.sub(P1 + 7 * DAY, "unpaid", P1, P2).json()),
                    // The second period was never paid: no RENEWAL.
                    List.of("INITIAL_PURCHASE", "BILLING_ISSUE", "EXPIRATION"),
                    state -> {
                        assertThat(state.status()).isEqualTo("unpaid");
                        assertThat(state.billingIssuesDetectedAt()).isEqualTo((P1 + HOUR) * 1000);
                        assertThat(state.expiresAt()).isEqualTo((P1 + 7 * DAY) * 1000);
                        assertThat(state.grantsAccess(P1 * 1000 + 1)).isFalse();
                    });
            case "past_due→canceled" -> sub(name, List.of(
                    s.sub(T0, "active", T0, P1).type("customer.subscription.created").json(),
                    s.invoice("in_1", T0, "subscription_create", T0, P1).paid(999).json(),
                    s.sub(P1, "active", P1, P2).json(),
                    s.invoice("in_2", P1 + HOUR, "subscription_cycle", P1, P2).failed(1).json(),
                    s.sub(P1 + HOUR, "past_due", P1, P2).json(),
                    s.sub(P1 + 7 * DAY, "canceled", P1, P2).ended(P1 + 7 * DAY, P1 + 7 * DAY).reason("payment_failed")
                            .type("customer.subscription.deleted").json()),
                    // The second period was never paid: no RENEWAL.
                    List.of("INITIAL_PURCHASE", "BILLING_ISSUE", "EXPIRATION"),
                    state -> {
                        assertThat(state.status()).isEqualTo("canceled");
                        assertThat(state.expiresAt()).isEqualTo((P1 + 7 * DAY) * 1000);
                        assertThat(state.unsubscribeDetectedAt()).isEqualTo((P1 + 7 * DAY) * 1000);
                    });
            case "incomplete→incomplete_expired" -> sub(name, List.of(
                    s.sub(T0, "incomplete", T0, P1).type("customer.subscription.created").json(),
                    s.invoice("in_1", T0, "subscription_create", T0, P1).failed(1).json(),
                    s.sub(T0 + 23 * HOUR, "incomplete_expired", T0, P1).ended(T0 + 23 * HOUR, T0 + 23 * HOUR)
                            .type("customer.subscription.deleted").json()),
                    List.of(),
                    state -> {
                        assertThat(state.status()).isEqualTo("incomplete_expired");
                        assertThat(state.purchasedAt()).isNull();
                        assertThat(state.grantsAccess(T0 * 1000 + 1)).isFalse();
                    });
            case "incomplete→active" -> sub(name, List.of(
                    s.sub(T0, "incomplete", T0, P1).type("customer.subscription.created").json(),
                    s.invoice("in_1", T0, "subscription_create", T0, P1).failed(1).json(),
                    s.invoice("in_1", T0 + HOUR, "subscription_create", T0, P1).paid(999).json(),
                    s.sub(T0 + HOUR, "active", T0, P1).json()),
                    List.of("INITIAL_PURCHASE"),
                    state -> {
                        assertThat(state.status()).isEqualTo("active");
                        assertThat(state.billingIssuesDetectedAt()).isNull();
                        assertThat(state.grantsAccess(T0 * 1000 + 1)).isTrue();
                    });
            case "renewal then full refund" -> sub(name, List.of(
                    s.sub(T0, "active", T0, P1).type("customer.subscription.created").json(),
                    s.invoice("in_1", T0, "subscription_create", T0, P1).paid(999).json(),
                    s.sub(P1, "active", P1, P2).latestInvoice("in_2").json(),
                    s.invoice("in_2", P1, "subscription_cycle", P1, P2).paid(999).json(),
                    s.refund(P1 + 2 * DAY, "ch_2", "in_2", "pi_2", 999, 999)),
                    List.of("INITIAL_PURCHASE", "RENEWAL", "CANCELLATION"),
                    state -> {
                        assertThat(state.refundedAt()).isEqualTo((P1 + 2 * DAY) * 1000);
                        assertThat(state.status()).isEqualTo("active");
                        assertThat(state.grantsAccess(P1 * 1000 + 1)).isFalse();
                    });
            case "one-time then refund" -> new Lifecycle(name, Kind.ONE_TIME, "cs_once", List.of(
                    s.checkout(T0, "cs_once", "pi_once", "paid", 4900),
                    s.refund(T0 + DAY, "ch_once", null, "pi_once", 4900, 4900)),
                    List.of("NON_RENEWING_PURCHASE", "CANCELLATION"),
                    state -> {
                        assertThat(state.status()).isEqualTo("refunded");
                        assertThat(state.refundedAt()).isEqualTo((T0 + DAY) * 1000);
                        assertThat(state.paymentIntentId()).isEqualTo("pi_once");
                        assertThat(state.grantsAccess(T0 * 1000 + 1)).isFalse();
                    });
            case "deleted" -> sub(name, List.of(
                    s.sub(T0, "active", T0, P1).type("customer.subscription.created").json(),
                    s.invoice("in_1", T0, "subscription_create", T0, P1).paid(999).json(),
                    s.sub(T0 + 10 * DAY, "canceled", T0, P1).ended(T0 + 10 * DAY, T0 + 10 * DAY)
                            .reason("cancellation_requested").type("customer.subscription.deleted").json()),
                    List.of("INITIAL_PURCHASE", "EXPIRATION"),
                    state -> {
                        assertThat(state.status()).isEqualTo("canceled");
                        assertThat(state.expiresAt()).isEqualTo((T0 + 10 * DAY) * 1000);
                    });
            case "trial→3 renewals→cancel→ended (long)" -> {
                long te = T0 + 7 * DAY;
                yield sub(name, List.of(
                        s.sub(T0, "trialing", T0, te).trial(T0, te).type("customer.subscription.created").json(),
                        s.sub(te, "active", te, te + MONTH).trial(T0, te).json(),
                        s.invoice("in_1", te, "subscription_cycle", te, te + MONTH).paid(999).json(),
                        s.sub(te + MONTH, "active", te + MONTH, te + 2 * MONTH).trial(T0, te).json(),
                        s.invoice("in_2", te + MONTH, "subscription_cycle", te + MONTH, te + 2 * MONTH).paid(999)
                                .json(),
                        s.sub(te + 2 * MONTH, "active", te + 2 * MONTH, te + 3 * MONTH).trial(T0, te).json(),
                        s.invoice("in_3", te + 2 * MONTH, "subscription_cycle", te + 2 * MONTH, te + 3 * MONTH)
                                .paid(999).json(),
                        s.sub(te + 2 * MONTH + DAY, "active", te + 2 * MONTH, te + 3 * MONTH).trial(T0, te)
                                .cancelAtPeriodEnd(te + 2 * MONTH + DAY).json(),
                        s.sub(te + 3 * MONTH, "canceled", te + 2 * MONTH, te + 3 * MONTH).trial(T0, te)
                                .cancelAtPeriodEnd(te + 2 * MONTH + DAY).ended(te + 3 * MONTH, te + 2 * MONTH + DAY)
                                .type("customer.subscription.deleted").json()),
                        List.of("INITIAL_PURCHASE", "RENEWAL", "RENEWAL", "RENEWAL", "CANCELLATION", "EXPIRATION"),
                        state -> {
                            assertThat(state.renewalNumber()).isEqualTo(4);
                            assertThat(state.status()).isEqualTo("canceled");
                            assertThat(state.unsubscribeDetectedAt()).isEqualTo((te + 2 * MONTH + DAY) * 1000);
                        });
            }
            // charge.refunded carries the charge's cumulative amount_refunded: 300, then 700 of 999.
            case "renewal then two partial refunds" -> sub(name, List.of(
                    s.sub(T0, "active", T0, P1).type("customer.subscription.created").json(),
                    s.invoice("in_1", T0, "subscription_create", T0, P1).paid(999).json(),
                    s.sub(P1, "active", P1, P2).latestInvoice("in_2").json(),
                    s.invoice("in_2", P1, "subscription_cycle", P1, P2).paid(999).json(),
                    s.refund(P1 + DAY, "ch_2", "in_2", "pi_2", 999, 300),
                    s.refund(P1 + 2 * DAY, "ch_2", "in_2", "pi_2", 999, 700)),
                    List.of("INITIAL_PURCHASE", "RENEWAL"),
                    state -> {
                        assertThat(state.refundedAt()).isNull();
                        assertThat(state.status()).isEqualTo("active");
                        assertThat(state.grantsAccess(P1 * 1000 + 1)).isTrue();
                        assertThat(state.history().refunds()).containsExactly(new PurchaseState.Refund("ch_2",
                                "pi_2", expectedInvoice(shape, "in_2"), 700, "usd", P1 + DAY, true));
                    });
            case "renewal, two partial refunds, then full refund" -> sub(name, List.of(
                    s.sub(T0, "active", T0, P1).type("customer.subscription.created").json(),
                    s.invoice("in_1", T0, "subscription_create", T0, P1).paid(999).json(),
                    s.sub(P1, "active", P1, P2).latestInvoice("in_2").json(),
                    s.invoice("in_2", P1, "subscription_cycle", P1, P2).paid(999).json(),
                    s.refund(P1 + DAY, "ch_2", "in_2", "pi_2", 999, 300),
                    s.refund(P1 + 2 * DAY, "ch_2", "in_2", "pi_2", 999, 700),
                    s.refund(P1 + 3 * DAY, "ch_2", "in_2", "pi_2", 999, 999)),
                    List.of("INITIAL_PURCHASE", "RENEWAL", "CANCELLATION"),
                    state -> {
                        // Access ends at the full refund, exactly as if the partial refunds had not happened.
                        assertThat(state.refundedAt()).isEqualTo((P1 + 3 * DAY) * 1000);
                        assertThat(state.grantsAccess(P1 * 1000 + 1)).isFalse();
                        assertThat(state.history().refunds()).containsExactly(new PurchaseState.Refund("ch_2",
                                "pi_2", expectedInvoice(shape, "in_2"), 999, "usd", P1 + 3 * DAY, false));
                    });
            case "one-time, partial refund, then full refund" -> new Lifecycle(name, Kind.ONE_TIME, "cs_once", List.of(
                    s.checkout(T0, "cs_once", "pi_once", "paid", 4900),
                    s.refund(T0 + DAY, "ch_once", null, "pi_once", 4900, 1000),
                    s.refund(T0 + 2 * DAY, "ch_once", null, "pi_once", 4900, 4900)),
                    List.of("NON_RENEWING_PURCHASE", "CANCELLATION"),
                    state -> {
                        assertThat(state.status()).isEqualTo("refunded");
                        assertThat(state.refundedAt()).isEqualTo((T0 + 2 * DAY) * 1000);
                        assertThat(state.history().refunds()).singleElement()
                                .satisfies(r -> assertThat(r.amountRefunded()).isEqualTo(4900))
                                .satisfies(r -> assertThat(r.partial()).isFalse());
                    });
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Only pre-basil charges name their invoice. */
    private static String expectedInvoice(Shape shape, String invoiceId) {
        return shape == Shape.PREBASIL ? invoiceId : null;
    }

    private static Lifecycle sub(String name, List<String> bodies, List<String> events, Consumer<PurchaseState> check) {
        return new Lifecycle(name, Kind.SUBSCRIPTION, StripeEventJson.SUB, bodies, events, check);
    }
}
