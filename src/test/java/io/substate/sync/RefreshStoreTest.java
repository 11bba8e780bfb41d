package io.substate.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.substate.storage.Database;
import io.substate.testing.TestDb;
import java.time.Duration;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The refresh's search for due subscriptions and its lease. The search for due subscriptions ({@link RefreshStore#dueCandidates}) reads a range of one app's
 * non-final subscriptions through the partial indexes of V25__refresh_due_by_app.sql, never the whole purchases table:
 * it runs every tick, and a full read of a million purchases took seconds. The index must be searched by app, not
 * skipped through (both planners can skip over a leading column they are not given). On PostgreSQL the plan checked
 * is the generic one, which a statement prepared by the driver may settle on.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class RefreshStoreTest {
    private static final long NOW = 1_800_000_000_000L;
    private static final int PURCHASES = 4_000;

    @Parameter
    TestDb db;

    Database database;

    @BeforeEach
    void open() {
        database = db.openNewDatabase();
        TestDb.insertProjectAndApp(database.jdbi());
        database.jdbi().useHandle(h -> {
            h.execute("INSERT INTO apps (id, project_id, name, type, public_api_key, created_at) "
                    + "VALUES ('app2', 'proj1', 'B', 'stripe', 'strp_2', 0)");
            // Two apps' subscriptions, a tenth of them final, most touched in the last few minutes, expiries spread
            // over months; as the refresh finds them, few are due.
            h.execute("INSERT INTO purchases (id, project_id, app_id, store_token, kind, status, period_type, "
                    + "livemode, state_json, created_at, updated_at, expires_at) "
                    + "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + PURCHASES + ") "
                    + "SELECT 'pur_' || i, 'proj1', CASE WHEN i % 2 = 0 THEN 'app1' ELSE 'app2' END, 'sub_' || i, "
                    + "'subscription', CASE WHEN i % 10 = 0 THEN 'canceled' ELSE 'active' END, 'normal', FALSE, "
                    + "'{}', 0, " + NOW + " - (i % 300) * 1000, " + NOW + " + CAST(i AS BIGINT) * 3600000 FROM n");
            h.execute("ANALYZE");
        });
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void theUntouchedSubscriptionsAreReadThroughTheirIndex() {
        RefreshStore.Cutoffs at = RefreshStore.Cutoffs.at(RefreshSchedule.of(Duration.ofHours(24), Duration.ofMinutes(1)),
                NOW);
        assertThat(plan(RefreshStore.UNTOUCHED, at.untouched("app1", 20))).doesNotContain(fullScan()).contains(
                db == TestDb.SQLITE ? "USING INDEX purchases_refresh_untouched (app_id=? AND updated_at<?)"
                        : "Index Cond: ((app_id = $1) AND (updated_at <= $2))");
    }

    @Test
    void theSubscriptionsAroundTheirExpiryAreReadThroughTheirIndex() {
        RefreshStore.Cutoffs at = RefreshStore.Cutoffs.at(RefreshSchedule.of(Duration.ofHours(24), Duration.ofMinutes(1)),
                NOW);
        assertThat(plan(RefreshStore.EXPIRING, at.expiring("app1", 20))).doesNotContain(fullScan()).contains(
                db == TestDb.SQLITE ? "USING INDEX purchases_refresh_expiring (app_id=? AND expires_at>? AND expires_at<?)"
                        : "Index Cond: ((app_id = $1) AND (expires_at >= $2) AND (expires_at <= $3))")
                .contains("purchases_refresh_expiring");
    }

    @Test
    void theSearchFindsTheDueSubscriptionsOfTheAppsGiven() {
        RefreshStore.Cutoffs at = RefreshStore.Cutoffs.at(RefreshSchedule.of(Duration.ofMinutes(2), Duration.ofMinutes(1)),
                NOW);
        // Untouched for two minutes: app1's (even i) with i % 300 >= 120, the oldest (298) first, then by id; within the
        // hour of its expiry only pur_1, app2's.
        List<String> due = database.jdbi().withHandle(h -> RefreshStore.dueCandidates(h, List.of("app1"), at, 5));
        assertThat(due).containsExactly("pur_1198", "pur_1498", "pur_1798", "pur_2098", "pur_2398");
    }

    @Test
    void theLeaseTakesOnlyTheCandidatesStillDueInTheOrderGiven() {
        RefreshStore.Cutoffs at = RefreshStore.Cutoffs.at(RefreshSchedule.of(Duration.ofMinutes(2), Duration.ofMinutes(1)),
                NOW);
        database.jdbi().useHandle(h -> {
            h.execute("UPDATE apps SET stripe_api_key = 'sk_test_x' WHERE id = 'app1'");
            h.execute("UPDATE purchases SET refresh_claimed_until = ? WHERE id = 'pur_1498'", NOW + 60_000);
        });
        // Touched 2 s ago; leased by another instance; final; of an app without a key: none is leased here.
        List<String> ids = List.of("pur_2398", "pur_2", "pur_1498", "pur_1190", "pur_1199", "pur_1798");
        assertThat(claim(ids, at)).containsExactly("pur_2398", "pur_1798");
        assertThat(claim(ids, at)).as("leased now").isEmpty();
        assertThat(claim(ids, RefreshStore.Cutoffs.at(RefreshSchedule.of(Duration.ofMinutes(2), Duration.ofMinutes(1)),
                NOW + Duration.ofMinutes(6).toMillis()))).as("after the leases ran out")
                .containsExactly("pur_2398", "pur_2", "pur_1498", "pur_1798");
    }

    private List<String> claim(List<String> ids, RefreshStore.Cutoffs at) {
        return database.jdbi().inTransaction(h -> RefreshStore.claim(h, database.dialect(), ids, at, at.now() + 300_000))
                .stream().map(RefreshStore.Claimed::purchaseId).toList();
    }

    private String fullScan() {
        return db == TestDb.SQLITE ? "SCAN purchases" : "Seq Scan";
    }

    private String plan(String sql, Object[] args) {
        try (Handle h = database.jdbi().open()) {
            if (db == TestDb.SQLITE) {
                var query = h.createQuery("EXPLAIN QUERY PLAN " + sql);
                for (int i = 0; i < args.length; i++) {
                    query.bind(i, args[i]);
                }
                return String.join("\n", query.map((rs, ctx) -> rs.getString("detail")).list());
            }
            StringBuilder numbered = new StringBuilder();
            int n = 0;
            for (char c : sql.toCharArray()) {
                numbered.append(c == '?' ? "$" + ++n : String.valueOf(c));
            }
            StringBuilder values = new StringBuilder();
            for (Object arg : args) {
                values.append(values.length() == 0 ? "" : ", ")
                        .append(arg instanceof String s ? "'" + s + "'" : String.valueOf(arg));
            }
            h.execute("SET plan_cache_mode = force_generic_plan");
            h.execute("PREPARE due AS " + numbered);
            return String.join("\n", h.createQuery("EXPLAIN EXECUTE due (" + values + ")").mapTo(String.class).list());
        }
    }
}
