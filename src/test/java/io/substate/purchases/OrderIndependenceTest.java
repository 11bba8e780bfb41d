package io.substate.purchases;

import static io.substate.purchases.Lifecycles.DAY;
import static io.substate.purchases.Lifecycles.HOUR;
import static io.substate.purchases.Lifecycles.P1;
import static io.substate.purchases.Lifecycles.P2;
import static io.substate.purchases.Lifecycles.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.substate.purchases.Lifecycles.Lifecycle;
import io.substate.purchases.PurchaseState.Kind;
import io.substate.purchases.StripeEventJson.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The state machine's promise (PurchaseStateMachine): any permutation and duplication of a lifecycle's events ends in
 * the state of in-order delivery. Every permutation is tried for up to 7 events, 200 seeded random ones beyond;
 * duplicates are inserted at random. A renewal's subscription and invoice events, in every order, send one RENEWAL,
 * when the period is paid.
 */
class OrderIndependenceTest {
    static final int MAX_EXHAUSTIVE = 7;
    static final int RANDOM_PERMUTATIONS = 200;

    static Stream<Arguments> lifecycles() {
        List<Arguments> cases = new ArrayList<>();
        long seed = 20_251_127L;
        for (String name : Lifecycles.names()) {
            for (Shape shape : Shape.values()) {
                cases.add(Arguments.of(name, shape, seed++));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} ({1}) seed={2}")
    @MethodSource("lifecycles")
    void everyOrderWithDuplicatesEndsInTheInOrderState(String name, Shape shape, long seed) {
        Lifecycle lifecycle = Lifecycles.build(name, shape);
        List<StripeFact> facts = lifecycle.bodies().stream().map(StripeEventJson::fact).toList();
        List<String> inOrderEvents = new ArrayList<>();
        PurchaseState inOrder = applyAll(lifecycle, facts, d -> inOrderEvents.add(d.type()));
        assertThat(inOrderEvents).as("events of in-order delivery").isEqualTo(lifecycle.inOrderEvents());
        lifecycle.finalState().accept(inOrder);

        Random random = new Random(seed);
        List<List<StripeFact>> orders = facts.size() <= MAX_EXHAUSTIVE ? permutations(facts) : randomOrders(facts, random);
        for (List<StripeFact> order : orders) {
            List<StripeFact> delivered = withDuplicates(order, random);
            PurchaseState result = applyAll(lifecycle, delivered, d -> {});
            assertThat(result.comparable())
                    .as("delivery order %s", delivered.stream().map(StripeFact::eventId).toList())
                    .isEqualTo(inOrder.comparable());
        }
    }

    /**
     * A renewal's facts after a paid first period: in every order, with duplicates, exactly {@code renewals} RENEWAL,
     * sent at the first delivery by which all of {@code paidBy} (the facts that prove the period and its payment) have
     * arrived, with the paid period's price and number.
     */
    record Renewal(String name, List<String> facts, Set<Integer> paidBy, int renewals, long price) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> renewals() {
        List<Arguments> cases = new ArrayList<>();
        long seed = 20_261_206L;
        for (Shape shape : Shape.values()) {
            StripeEventJson s = new StripeEventJson(shape);
            List<Renewal> renewals = List.of(
                    new Renewal("created, finalized, paid", List.of(
                            s.sub(P1, "active", P1, P2).latestInvoice("in_2").json(),
                            s.invoice("in_2", P1, "subscription_cycle", P1, P2).json(),
                            s.invoice("in_2", P1 + 1, "subscription_cycle", P1, P2).open().json(),
                            s.invoice("in_2", P1 + HOUR, "subscription_cycle", P1, P2).paid(1099).json()),
                            Set.of(3), 1, 1099),
                    new Renewal("payment failed, past_due, then paid", List.of(
                            s.sub(P1, "active", P1, P2).latestInvoice("in_2").json(),
                            s.invoice("in_2", P1 + HOUR, "subscription_cycle", P1, P2).failed(1).json(),
                            s.sub(P1 + HOUR, "past_due", P1, P2).latestInvoice("in_2").json(),
                            s.invoice("in_2", P1 + 2 * DAY, "subscription_cycle", P1, P2).paid(999).json(),
                            s.sub(P1 + 2 * DAY, "active", P1, P2).latestInvoice("in_2").json()),
                            Set.of(3), 1, 999),
                    new Renewal("100% coupon: a zero-amount invoice", List.of(
                            s.sub(P1, "active", P1, P2).latestInvoice("in_2").json(),
                            s.invoice("in_2", P1, "subscription_cycle", P1, P2).open().json(),
                            s.invoice("in_2", P1, "subscription_cycle", P1, P2).paid(0).json()),
                            Set.of(0, 2), 1, 0),
                    new Renewal("past_due, never paid", List.of(
                            s.sub(P1, "active", P1, P2).latestInvoice("in_2").json(),
                            s.invoice("in_2", P1 + HOUR, "subscription_cycle", P1, P2).failed(1).json(),
                            s.sub(P1 + HOUR, "past_due", P1, P2).latestInvoice("in_2").json(),
                            s.invoice("in_2", P1 + 3 * DAY, "subscription_cycle", P1, P2).failed(2).json()),
                            Set.of(), 0, 0));
            for (Renewal renewal : renewals) {
                cases.add(Arguments.of(renewal, shape, seed++));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} ({1}) seed={2}")
    @MethodSource("renewals")
    void everyOrderOfARenewalsFactsSendsOneRenewalWhenThePeriodIsPaid(Renewal renewal, Shape shape, long seed) {
        StripeEventJson s = new StripeEventJson(shape);
        List<StripeFact> paidFirstPeriod = List.of(
                StripeEventJson.fact(s.sub(T0, "active", T0, P1).type("customer.subscription.created")
                        .latestInvoice("in_1").json()),
                StripeEventJson.fact(s.invoice("in_1", T0, "subscription_create", T0, P1).paid(999).json()));
        List<StripeFact> facts = renewal.facts().stream().map(StripeEventJson::fact).toList();
        Set<String> paidBy = renewal.paidBy().stream().map(i -> facts.get(i).eventId()).collect(Collectors.toSet());
        Random random = new Random(seed);
        for (List<StripeFact> order : permutations(facts)) {
            List<StripeFact> delivered = withDuplicates(order, random);
            PurchaseState state = applyAll(Kind.SUBSCRIPTION, StripeEventJson.SUB, paidFirstPeriod, d -> {});
            Set<String> seen = new HashSet<>();
            List<OutgoingEventDraft> renewals = new ArrayList<>();
            for (StripeFact fact : delivered) {
                seen.add(fact.eventId());
                Transition transition = PurchaseStateMachine.apply(state, fact);
                state = transition.next();
                List<OutgoingEventDraft> sent = transition.events().stream()
                        .filter(e -> e.type().equals("RENEWAL")).toList();
                String when = "delivering " + fact.eventId() + " in " + delivered.stream().map(StripeFact::eventId)
                        .toList();
                boolean paidNow = !paidBy.isEmpty() && seen.containsAll(paidBy);
                assertThat(sent.isEmpty() || paidNow).as("sent before the period is paid, " + when).isTrue();
                assertThat(!paidNow || !sent.isEmpty() || !renewals.isEmpty())
                        .as("not sent once the period is paid, " + when).isTrue();
                renewals.addAll(sent);
            }
            assertThat(renewals).as("renewals of %s", delivered.stream().map(StripeFact::eventId).toList())
                    .hasSize(renewal.renewals());
            for (OutgoingEventDraft sent : renewals) {
                assertThat(sent.priceMinor()).isEqualTo(renewal.price());
                assertThat(sent.renewalNumber()).isEqualTo(2);
                assertThat(sent.transactionId()).isEqualTo("in_2");
                assertThat(sent.purchasedAtMs()).isEqualTo(P1 * 1000);
                assertThat(sent.expirationAtMs()).isEqualTo(P2 * 1000);
            }
        }
    }

    private static PurchaseState applyAll(Kind kind, String token, List<StripeFact> facts,
            Consumer<OutgoingEventDraft> events) {
        PurchaseState state = PurchaseState.empty(kind, token, false);
        for (StripeFact fact : facts) {
            Transition transition = PurchaseStateMachine.apply(state, fact);
            transition.events().forEach(events);
            state = transition.next();
        }
        return state;
    }

    private static PurchaseState applyAll(Lifecycle lifecycle, List<StripeFact> facts,
            Consumer<OutgoingEventDraft> events) {
        return applyAll(lifecycle.kind(), lifecycle.token(), facts, events);
    }

    private static List<StripeFact> withDuplicates(List<StripeFact> order, Random random) {
        List<StripeFact> delivered = new ArrayList<>(order);
        int duplicates = 1 + random.nextInt(3);
        for (int i = 0; i < duplicates; i++) {
            StripeFact again = order.get(random.nextInt(order.size()));
            delivered.add(random.nextInt(delivered.size() + 1), again);
        }
        return delivered;
    }

    private static List<List<StripeFact>> randomOrders(List<StripeFact> facts, Random random) {
        List<List<StripeFact>> orders = new ArrayList<>();
        for (int i = 0; i < RANDOM_PERMUTATIONS; i++) {
            List<StripeFact> order = new ArrayList<>(facts);
            Collections.shuffle(order, random);
            orders.add(order);
        }
        return orders;
    }

    static <T> List<List<T>> permutations(List<T> items) {
        if (items.size() <= 1) {
            return List.of(List.copyOf(items));
        }
        List<List<T>> result = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<T> rest = new ArrayList<>(items);
            T head = rest.remove(i);
            for (List<T> tail : permutations(rest)) {
                List<T> permutation = new ArrayList<>();
                permutation.add(head);
                permutation.addAll(tail);
                result.add(permutation);
            }
        }
        return result;
    }
}
