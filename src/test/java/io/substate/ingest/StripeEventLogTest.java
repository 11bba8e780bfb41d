package io.substate.ingest;

import io.substate.storage.Database;
import io.substate.storage.GroupCommit;
import io.substate.stripe.StripeEvent;
import io.substate.stripe.StripeEvents;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The log's per-batch memory of parked events, inside a group-commit transaction as the webhook path uses it. */
@ParameterizedClass
@EnumSource(TestDb.class)
class StripeEventLogTest {
    @Parameter
    TestDb db;

    Database database;
    GroupCommit commits;

    @BeforeEach
    void open() {
        database = db.openNewDatabase();
        commits = new GroupCommit(database.jdbi(), 1);
        TestDb.insertProjectAndApp(database.jdbi());
    }

    @AfterEach
    void close() {
        commits.close();
        database.close();
    }

    StripeEvent event(String id) {
        return StripeEvents.parse(StripeObjects.event(id, "customer.subscription.updated", 1_700_000_000L,
                StripeObjects.subscription("sub_1").json()));
    }

    @Test
    void anEventParkedEarlierInTheSameTransactionIsSeenByALaterUnit() {
        List<Object> seen = commits.execute("k", h -> {
            boolean before = StripeEventStore.anyParked(h, "app1");
            StripeEvent event = event("evt_parked_1");
            StripeEventStore.insert(h, "app1", event, "{}", 1, StripeEventStatus.PARKED, "purchase_not_found", "m",
                    "sub_1", null);
            boolean remembered = StripeEventStore.anyParked(h, "app1");
            StripeEventStore.forgetAnyParked(h, "app1");
            boolean after = StripeEventStore.anyParked(h, "app1");
            List<String> waiting = StripeEventStore.parkedFor(h, "app1", "sub_1").stream()
                    .map(LoggedStripeEvent::eventId).toList();
            return List.of(before, remembered, after, waiting);
        });

        assertThat(seen).containsExactly(false, false, true, List.of("evt_parked_1"));
        boolean nextTransaction = commits.execute("k", h -> StripeEventStore.anyParked(h, "app1"));
        boolean otherApp = commits.execute("k", h -> StripeEventStore.anyParked(h, "app_other"));
        assertThat(nextTransaction).isTrue();
        assertThat(otherApp).isFalse();
    }

    @Test
    void eventsAreListedAndReplayedByStatusThroughTheirOwnIndexes() {
        StripeEventRepository log = new StripeEventRepository(database.jdbi());
        String[][] rows = {{"evt_a", "failed"}, {"evt_b", "processed"}, {"evt_c", "parked"}, {"evt_d", "failed"},
                {"evt_e", "stale"}};
        commits.execute("k", h -> {
            for (int i = 0; i < rows.length; i++) {
                StripeEventStore.insert(h, "app1", event(rows[i][0]), "{}", 1_000 + i, StripeEventStatus.of(rows[i][1]),
                        null, null, "sub_1", null);
            }
            return null;
        });

        assertThat(log.list("app1", StripeEventStatus.FAILED, null, 10)).extracting(LoggedStripeEvent::eventId)
                .containsExactly("evt_d", "evt_a");
        assertThat(log.list("app1", StripeEventStatus.PROCESSED, null, 10)).extracting(LoggedStripeEvent::eventId)
                .containsExactly("evt_b");
        assertThat(log.list("app1", null, null, 10)).hasSize(5);
        assertThat(log.idsWithStatus("app1", StripeEventStatus.FAILED, 10)).containsExactlyInAnyOrder("evt_a", "evt_d");
        assertThat(log.idsWithStatus("app1", StripeEventStatus.PARKED, 10)).containsExactly("evt_c");
        assertThatThrownBy(() -> StripeEventStatus.of("failed' OR '1'='1"))
                .isInstanceOf(IllegalArgumentException.class);
        if (db == TestDb.SQLITE) {
            String plan = database.jdbi().withHandle(h -> String.join(" ", h.createQuery("EXPLAIN QUERY PLAN SELECT "
                    + "event_id FROM stripe_events WHERE app_id = 'app1' AND status = 'failed' "
                    + "ORDER BY received_at DESC").map((rs, ctx) -> rs.getString("detail")).list()));
            assertThat(plan).contains("stripe_events_failed");
        }
    }
}
