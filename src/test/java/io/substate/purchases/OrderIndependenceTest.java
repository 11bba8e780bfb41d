package io.substate.purchases;

import static org.assertj.core.api.Assertions.assertThat;

import io.substate.purchases.Lifecycles.Lifecycle;
import io.substate.purchases.StripeEventJson.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The state machine's promise (PurchaseStateMachine): any permutation and duplication of a lifecycle's events ends in the state of in-order delivery. Every
 * permutation is tried for up to 7 events, 200 seeded random ones beyond; duplicates are inserted at random.
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

    private static PurchaseState applyAll(Lifecycle lifecycle, List<StripeFact> facts,
            Consumer<OutgoingEventDraft> events) {
        PurchaseState state = PurchaseState.empty(lifecycle.kind(), lifecycle.token(), false);
        for (StripeFact fact : facts) {
            Transition transition = PurchaseStateMachine.apply(state, fact);
            transition.events().forEach(events);
            state = transition.next();
        }
        return state;
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
