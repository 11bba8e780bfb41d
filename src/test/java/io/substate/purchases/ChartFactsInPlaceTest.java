package io.substate.purchases;

import static org.assertj.core.api.Assertions.assertThat;

import io.substate.charts.ChartFactsStore;
import io.substate.purchases.Lifecycles.Lifecycle;
import io.substate.purchases.StripeEventJson.Shape;
import io.substate.storage.Database;
import io.substate.testing.TestDb;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Chart facts written change by change (spans updated in place when they keep their count, rewritten otherwise)
 * hold exactly the rows written at once from the final state: every lifecycle, both API shapes, in order and in
 * seeded random orders, sandbox and production.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class ChartFactsInPlaceTest {
    @Parameter
    TestDb db;

    Database database;
    int purchases;

    @BeforeEach
    void open() {
        database = db.openNewDatabase();
        TestDb.insertProjectAndApp(database.jdbi());
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void factsWrittenChangeByChangeEqualFactsWrittenAtOnce() {
        Random random = new Random(20_261_127L);
        int updatedInPlace = 0;
        for (String name : Lifecycles.names()) {
            for (Shape shape : Shape.values()) {
                Lifecycle lifecycle = Lifecycles.build(name, shape);
                List<StripeFact> inOrder = lifecycle.bodies().stream().map(StripeEventJson::fact).toList();
                List<StripeFact> shuffled = new ArrayList<>(inOrder);
                Collections.shuffle(shuffled, random);
                for (List<StripeFact> order : List.of(inOrder, shuffled)) {
                    for (boolean livemode : List.of(false, true)) {
                        updatedInPlace += compare(lifecycle, order, livemode);
                    }
                }
            }
        }
        // The comparison must have exercised the in-place path, not only rewrites.
        assertThat(updatedInPlace).isGreaterThan(10);
    }

    /** Returns how many changes kept the span count (took the in-place path). */
    private int compare(Lifecycle lifecycle, List<StripeFact> order, boolean livemode) {
        return database.jdbi().inTransaction(h -> {
            PurchaseState empty = PurchaseState.empty(lifecycle.kind(), lifecycle.token(), livemode);
            StoredPurchase stepwise = PurchaseStore.insert(h, "proj1", "app1", null, lifecycle.token() + "_steps" + (++purchases),
                    empty, 0);
            int inPlace = 0;
            for (StripeFact fact : order) {
                PurchaseState previous = stepwise.state();
                StoredPurchase next = stepwise.withState(PurchaseStateMachine.apply(previous, fact).next());
                int before = spans(h, stepwise.id()).size();
                ChartFactsStore.write(h, next, previous);
                if (before > 0 && before == spans(h, next.id()).size() && !previous.equals(next.state())) {
                    inPlace++;
                }
                stepwise = next;
            }
            StoredPurchase atOnce = PurchaseStore.insert(h, "proj1", "app1", null, lifecycle.token() + "_once" + purchases,
                    empty, 0).withState(stepwise.state());
            ChartFactsStore.write(h, atOnce, empty);

            assertThat(spans(h, stepwise.id())).as("spans of %s, %s", lifecycle, order)
                    .isEqualTo(spans(h, atOnce.id()));
            assertThat(transactions(h, stepwise.id())).as("transactions of %s", lifecycle)
                    .isEqualTo(transactions(h, atOnce.id()));
            return inPlace;
        });
    }

    private static List<Map<String, Object>> spans(Handle h, String purchaseId) {
        return h.createQuery("SELECT * FROM subscription_spans WHERE purchase_id = :p ORDER BY seq")
                .bind("p", purchaseId).mapToMap().list().stream().map(ChartFactsInPlaceTest::withoutPurchase).toList();
    }

    private static List<Map<String, Object>> transactions(Handle h, String purchaseId) {
        return h.createQuery("SELECT * FROM purchase_transactions WHERE purchase_id = :p ORDER BY id")
                .bind("p", purchaseId).mapToMap().list().stream().map(ChartFactsInPlaceTest::withoutPurchase).toList();
    }

    private static Map<String, Object> withoutPurchase(Map<String, Object> row) {
        Map<String, Object> copy = new java.util.TreeMap<>(row);
        copy.remove("purchase_id");
        return copy;
    }
}
