package io.substate.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import io.substate.storage.Database;
import io.substate.storage.GroupCommit;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

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
            boolean before = StripeEventLog.anyParked(h, "app1");
            StripeEvent event = event("evt_parked_1");
            StripeEventLog.insert(h, "app1", event, "{}", 1, "parked", "purchase_not_found", "m", "sub_1", null);
            boolean remembered = StripeEventLog.anyParked(h, "app1");
            StripeEventLog.forgetAnyParked(h, "app1");
            boolean after = StripeEventLog.anyParked(h, "app1");
            List<String> waiting = StripeEventLog.parkedFor(h, "app1", "sub_1").stream()
                    .map(LoggedStripeEvent::eventId).toList();
            return List.of(before, remembered, after, waiting);
        });

        assertThat(seen).containsExactly(false, false, true, List.of("evt_parked_1"));
        boolean nextTransaction = commits.execute("k", h -> StripeEventLog.anyParked(h, "app1"));
        boolean otherApp = commits.execute("k", h -> StripeEventLog.anyParked(h, "app_other"));
        assertThat(nextTransaction).isTrue();
        assertThat(otherApp).isFalse();
    }
}
