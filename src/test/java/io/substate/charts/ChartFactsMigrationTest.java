package io.substate.charts;

import static org.assertj.core.api.Assertions.assertThat;

import io.substate.storage.Dialect;
import io.substate.testing.TestDb;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * V9 on a database holding chart facts written before it: refunded transactions become fully refunded ones, and the
 * new span columns get what the writer would have written, resubscriptions included (the migration's SQL and
 * {@link Resubscriptions} are two renderings of one rule). Times are days, in ms.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class ChartFactsMigrationTest {
    private static final long DAY = 86_400_000L;

    @Parameter
    TestDb db;

    @Test
    void v9ComputesFullyRefundedRunStartsAndResubscriptionsOfExistingRows() {
        String url = db.newDatabaseUrl();
        Flyway.configure().dataSource(url, null, null).locations(Dialect.of(url).migrations()).target("8").load()
                .migrate();
        Jdbi jdbi = Jdbi.create(url);
        jdbi.useHandle(h -> {
            h.execute("INSERT INTO projects (id, name, secret_api_key, transfer_behavior, created_at) "
                    + "VALUES ('proj1', 'P', 'sk_1', 'transfer', 0)");
            h.execute("INSERT INTO apps (id, project_id, name, type, public_api_key, created_at) "
                    + "VALUES ('app1', 'proj1', 'Web', 'stripe', 'strp_1', 0)");
            for (String customer : new String[] {"cus1", "cus2", "cus3"}) {
                h.execute("INSERT INTO customers (id, project_id, original_app_user_id, first_seen, last_seen, "
                        + "created_at) VALUES (?, 'proj1', ?, 0, 0, 0)", customer, customer);
            }
            // cus1: a restart of its own (p1), a trial converting then renewing at another price (p2), one started
            // while p2 was active (p3), two starting at one instant (purB5 sorts before pura4 in byte order), and a
            // sandbox subscription that neither expires nor resubscribes for charts.
            purchase(h, "p1", "cus1", true);
            span(h, "p1", 0, false, 0, 10, true, false);
            span(h, "p1", 1, false, 20, 30, true, true);
            purchase(h, "p2", "cus1", true);
            span(h, "p2", 0, true, 35, 40, false, false);
            span(h, "p2", 1, false, 40, 50, false, false);
            span(h, "p2", 2, false, 50, 60, true, false);
            purchase(h, "p3", "cus1", true);
            span(h, "p3", 0, false, 45, 70, true, false);
            purchase(h, "pura4", "cus1", true);
            span(h, "pura4", 0, false, 80, 90, true, false);
            purchase(h, "purB5", "cus1", true);
            span(h, "purB5", 0, false, 80, 90, true, false);
            purchase(h, "p6", "cus1", false);
            span(h, "p6", 0, false, 91, 92, true, false);
            span(h, "p6", 1, false, 95, 99, true, true);
            // cus2 and an ownerless purchase: their own restarts only.
            purchase(h, "q1", "cus2", true);
            span(h, "q1", 0, false, 0, 10, true, false);
            span(h, "q1", 1, false, 20, 30, true, true);
            purchase(h, "o1", null, true);
            span(h, "o1", 0, false, 0, 10, true, false);
            span(h, "o1", 1, false, 15, 25, true, true);
            // cus3: a production expiry, then a sandbox start.
            purchase(h, "r1", "cus3", true);
            span(h, "r1", 0, false, 0, 10, true, false);
            purchase(h, "r2", "cus3", false);
            span(h, "r2", 0, false, 20, 30, true, false);
            transaction(h, "p1", "in_full", 1000, 1000);
            transaction(h, "p1", "in_none", 1000, 0);
        });

        Flyway.configure().dataSource(url, null, null).locations(Dialect.of(url).migrations()).load().migrate();

        Map<String, String> expected = new TreeMap<>(Map.ofEntries(
                Map.entry("p1/0", "run"), Map.entry("p1/1", "run resubscribes"),
                Map.entry("p2/0", "-"), Map.entry("p2/1", "run resubscribes"), Map.entry("p2/2", "-"),
                Map.entry("p3/0", "run"),
                Map.entry("purB5/0", "run resubscribes"), Map.entry("pura4/0", "run"),
                Map.entry("p6/0", "run"), Map.entry("p6/1", "run"),
                Map.entry("q1/0", "run"), Map.entry("q1/1", "run resubscribes"),
                Map.entry("o1/0", "run"), Map.entry("o1/1", "run resubscribes"),
                Map.entry("r1/0", "run"), Map.entry("r2/0", "run")));
        assertThat(spans(jdbi)).isEqualTo(expected);
        List<String> fullyRefunded = jdbi.withHandle(h -> h.createQuery(
                "SELECT id FROM purchase_transactions WHERE fully_refunded").mapTo(String.class).list());
        assertThat(fullyRefunded).containsExactly("in_full");

        // The writer's matching agrees: it finds nothing to change.
        jdbi.useTransaction(h -> {
            for (String customer : new String[] {"cus1", "cus2", "cus3"}) {
                ChartFactsStore.matchResubscriptions(h, customer);
            }
        });
        assertThat(spans(jdbi)).isEqualTo(expected);

        // And so does matching several customers with one read (a PostgreSQL batch's, at its commit), from scratch.
        jdbi.useHandle(h -> h.execute("UPDATE subscription_spans SET resubscribes = FALSE "
                + "WHERE purchase_id IN (SELECT id FROM purchases WHERE customer_id IS NOT NULL)"));
        assertThat(spans(jdbi)).containsEntry("p1/1", "run").containsEntry("q1/1", "run");
        jdbi.useTransaction(h -> ChartFactsStore.matchResubscriptions(h, Set.of("cus1", "cus2", "cus3")));
        assertThat(spans(jdbi)).isEqualTo(expected);
    }

    @Test
    void v18GivesExistingTransactionsTheirOwnerAndTheOwnersFirstSeen() {
        String url = db.newDatabaseUrl();
        Flyway.configure().dataSource(url, null, null).locations(Dialect.of(url).migrations()).target("14").load()
                .migrate();
        Jdbi jdbi = Jdbi.create(url);
        jdbi.useHandle(h -> {
            h.execute("INSERT INTO projects (id, name, secret_api_key, transfer_behavior, created_at) "
                    + "VALUES ('proj1', 'P', 'sk_1', 'transfer', 0)");
            h.execute("INSERT INTO apps (id, project_id, name, type, public_api_key, created_at) "
                    + "VALUES ('app1', 'proj1', 'Web', 'stripe', 'strp_1', 0)");
            h.execute("INSERT INTO customers (id, project_id, original_app_user_id, first_seen, last_seen, created_at) "
                    + "VALUES ('cus1', 'proj1', 'cus1', ?, 0, 0), ('cus2', 'proj1', 'cus2', ?, 0, 0)",
                    5 * DAY, 7 * DAY);
            purchase(h, "p1", "cus1", true);
            purchase(h, "p2", "cus2", true);
            purchase(h, "o1", null, true);
            transaction(h, "p1", "in_1", 1000, 0);
            transaction(h, "p1", "in_2", 1000, 0);
            transaction(h, "p2", "in_3", 1000, 0);
            transaction(h, "o1", "in_4", 1000, 0);
        });

        Flyway.configure().dataSource(url, null, null).locations(Dialect.of(url).migrations()).load().migrate();

        Map<String, String> cohorts = new TreeMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT id, customer_id, cohort_at FROM purchase_transactions")
                .map((rs, ctx) -> Map.entry(rs.getString("id"), rs.getString("customer_id") + "@"
                        + rs.getObject("cohort_at")))
                .forEach(e -> cohorts.put(e.getKey(), e.getValue())));
        assertThat(cohorts).isEqualTo(Map.of("in_1", "cus1@" + 5 * DAY, "in_2", "cus1@" + 5 * DAY,
                "in_3", "cus2@" + 7 * DAY, "in_4", "null@null"));
    }

    private static Map<String, String> spans(Jdbi jdbi) {
        Map<String, String> result = new TreeMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT purchase_id, seq, starts_run, resubscribes FROM subscription_spans")
                .map((rs, ctx) -> {
                    String flags = ((rs.getBoolean("starts_run") ? "run " : "")
                            + (rs.getBoolean("resubscribes") ? "resubscribes" : "")).strip();
                    return Map.entry(rs.getString("purchase_id") + "/" + rs.getInt("seq"),
                            flags.isEmpty() ? "-" : flags);
                })
                .forEach(e -> result.put(e.getKey(), e.getValue())));
        return result;
    }

    private static void purchase(Handle h, String id, String customer, boolean livemode) {
        h.execute("INSERT INTO purchases (id, project_id, app_id, customer_id, store_token, kind, status, period_type, "
                + "livemode, state_json, created_at, updated_at) VALUES (?, 'proj1', 'app1', ?, ?, 'subscription', "
                + "'active', 'NORMAL', ?, '{}', 0, 0)", id, customer, "sub_" + id, livemode);
    }

    /** A span as V6 wrote it: ends_run and restarts as {@link ChartFacts} computed them. */
    private static void span(Handle h, String purchase, int seq, boolean trial, long startDay, long endDay,
            boolean endsRun, boolean restarts) {
        boolean livemode = h.createQuery("SELECT livemode FROM purchases WHERE id = ?").bind(0, purchase)
                .mapTo(Boolean.class).one();
        h.execute("INSERT INTO subscription_spans (purchase_id, seq, project_id, livemode, is_trial, starts_at, "
                        + "ends_at, start_day, end_day, currency, amount_minor, monthly_minor, ends_run, restarts, converted, "
                        + "will_renew) VALUES (?, ?, 'proj1', ?, ?, ?, ?, ?, ?, 'USD', 1000, 1000, ?, ?, ?, FALSE)",
                purchase, seq, livemode, trial, startDay * DAY, endDay * DAY, startDay, endDay, endsRun && !trial,
                restarts, trial);
    }

    private static void transaction(Handle h, String purchase, String id, long amount, long refunded) {
        h.execute("INSERT INTO purchase_transactions (purchase_id, id, project_id, livemode, paid_at, paid_day, "
                + "currency, amount_minor, refunded_amount_minor, refunded_at, is_trial_conversion) "
                + "VALUES (?, ?, 'proj1', TRUE, 0, 0, 'USD', ?, ?, NULL, FALSE)", purchase, id, amount, refunded);
    }
}
