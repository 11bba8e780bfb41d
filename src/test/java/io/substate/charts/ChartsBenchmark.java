package io.substate.charts;

import io.substate.purchases.PurchaseState;
import io.substate.purchases.PurchaseState.History;
import io.substate.purchases.PurchaseState.Kind;
import io.substate.purchases.PurchaseState.PaidInvoice;
import io.substate.purchases.PurchaseState.PeriodType;
import io.substate.purchases.PurchaseState.Period;
import io.substate.purchases.PurchaseState.Refund;
import io.substate.purchases.StripeFact.CheckoutFact;
import io.substate.storage.Dialect;
import io.substate.testing.Api;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Times every chart ({@link ChartName}) over a year of daily points for a project with 100,000 purchases, on SQLite and PostgreSQL.
 * Run with {@code bench/charts.sh} (or this main on the test classpath; args: purchases, databases). With the system
 * property {@code bench.database} (a JDBC URL; one database kind) the project is added to that existing database,
 * whose secrets are sealed with {@link TestDb#ENCRYPTION_KEY}: bench/growth.sh runs it beside a million customers.
 *
 * <p>The load goes straight to the database (the webhook path is benchmarked elsewhere) but its chart facts are
 * made and written by the real code ({@link ChartFacts#of}, {@link ChartFactsStore}) from generated purchase
 * histories: two years of purchases, 10% one-time, subscriptions 70% monthly, 20% yearly, 10% weekly, 30% starting
 * with a 7-day trial (60% convert), renewals continuing with probability 0.92 (monthly), 0.6 (yearly), 0.96 (weekly),
 * 3% of payments refunded in full and 1% in part, 80% USD, 15% EUR, 5% GBP, 5% sandbox; a fifth of the purchases
 * belong to the customer of an earlier one. Each chart is requested over HTTP (JSON included): 3 warm-ups, then 15
 * timed runs.
 */
public final class ChartsBenchmark {
    private static final long DAY = 86_400;

    public static void main(String[] args) {
        int purchases = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        List<TestDb> dbs = args.length > 1 ? Arrays.stream(args[1].split(",")).map(s -> TestDb.valueOf(s.toUpperCase()))
                .toList() : List.of(TestDb.SQLITE, TestDb.POSTGRESQL);
        for (TestDb db : dbs) {
            String existing = System.getProperty("bench.database");
            Map<String, String> env = existing == null ? Map.of() : Map.of("SUBSTATE_DATABASE_URL", existing,
                    "SUBSTATE_ENCRYPTION_KEY", TestDb.ENCRYPTION_KEY);
            try (TestServer server = TestServer.start(db, env)) {
                StripeApp app = Fixtures.stripeApp(server.admin(), Map.of());
                long started = System.nanoTime();
                Counts counts = load(server.substate().database().jdbi(),
                        server.substate().database().dialect() == Dialect.POSTGRESQL, app, purchases);
                if (System.getProperty("bench.explain") != null) {
                    explain(server.substate().database().jdbi(),
                            server.substate().database().dialect() == Dialect.POSTGRESQL, app.projectId());
                }
                System.out.printf("%n== %s: loaded %,d purchases (%,d transactions, %,d spans) in %.1f s%n", db.label(),
                        purchases, counts.transactions, counts.spans, (System.nanoTime() - started) / 1e9);
                time(server.admin(), app.projectId());
            }
        }
        System.exit(0);
    }

    private record Counts(long transactions, long spans) {}

    private static void time(Api admin, String projectId) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        String year = "?start_date=" + today.minusDays(364) + "&end_date=" + today;
        System.out.printf("%-26s %8s %8s %8s%n", "chart (365 daily points)", "p50 ms", "p90 ms", "max ms");
        List<String> paths = new ArrayList<>();
        for (ChartName chart : ChartName.values()) {
            paths.add("/charts/" + chart.value() + year + "&resolution=day");
        }
        paths.add("/charts/revenue" + year + "&resolution=month");
        paths.add("/charts/cohort_explorer" + year + "&resolution=month");
        paths.add("/metrics/overview");
        long sumOfMedians = 0;
        for (String path : paths) {
            String url = "/v2/projects/" + projectId + path;
            for (int i = 0; i < 3; i++) {
                check(admin.get(url));
            }
            long[] ms = new long[15];
            for (int i = 0; i < ms.length; i++) {
                long t = System.nanoTime();
                check(admin.get(url));
                ms[i] = (System.nanoTime() - t) / 1_000_000;
            }
            Arrays.sort(ms);
            String label = path.startsWith("/charts/") ? path.substring(8, path.indexOf('?'))
                    + (path.endsWith("month") ? " (by month)" : "") : "overview";
            System.out.printf("%-26s %8d %8d %8d%n", label, ms[7], ms[13], ms[14]);
            sumOfMedians += ms[7];
        }
        System.out.printf("%-26s %8d%n", "all (sum of p50s)", sumOfMedians);
    }

    /**
     * Prints the plans of revenue over a year, of matching a customer's resubscriptions and of reading them, and of
     * a year of cohorts' revenue and of new customers' sandbox-only ones.
     */
    private static void explain(Jdbi jdbi, boolean postgres, String projectId) {
        long to = (System.currentTimeMillis() / 86_400_000L + 1) * 86_400_000L;
        long from = to - 365 * 86_400_000L;
        String prefix = postgres ? "EXPLAIN ANALYZE " : "EXPLAIN QUERY PLAN ";
        jdbi.useHandle(h -> {
            h.createQuery(prefix + "SELECT paid_day AS d, currency, COUNT(*) AS n, "
                            + "SUM(amount_minor) AS a, SUM(CASE WHEN fully_refunded THEN 1 ELSE 0 END) AS rn, "
                            + "SUM(refunded_amount_minor) AS ra FROM purchase_transactions WHERE project_id = :project "
                            + "AND livemode = :live AND paid_day >= :fromDay AND paid_day <= :lastDay "
                            + "GROUP BY paid_day, currency")
                    .bind("project", projectId).bind("live", true)
                    .bind("fromDay", from / 86_400_000L).bind("lastDay", (to - 1) / 86_400_000L)
                    .map((rs, ctx) -> rs.getString(postgres ? 1 : 4)).list().forEach(System.out::println);
            String customer = h.createQuery("SELECT customer_id FROM purchases WHERE project_id = :project LIMIT 1")
                    .bind("project", projectId).mapTo(String.class).one();
            h.createQuery(prefix + "SELECT s.purchase_id, s.seq, s.starts_at, s.ends_at, s.ends_run, s.starts_run, "
                            + "s.resubscribes FROM purchases p JOIN subscription_spans s ON s.purchase_id = p.id "
                            + "WHERE p.customer_id = :customer AND s.livemode = :live AND s.is_trial = :trial")
                    .bind("customer", customer).bind("live", true).bind("trial", false)
                    .map((rs, ctx) -> rs.getString(postgres ? 1 : 4)).list().forEach(System.out::println);
            h.createQuery(prefix + "SELECT start_day AS d, COUNT(*) AS n FROM subscription_spans "
                            + "WHERE project_id = :project AND resubscribes AND livemode AND start_day >= :from "
                            + "AND start_day < :to GROUP BY start_day")
                    .bind("project", projectId).bind("from", from / 86_400_000L).bind("to", to / 86_400_000L)
                    .map((rs, ctx) -> rs.getString(postgres ? 1 : 4)).list().forEach(System.out::println);
            h.createQuery(prefix + "SELECT cohort_at / 86400000 AS d, currency, "
                            + "SUM(amount_minor - refunded_amount_minor) AS a FROM purchase_transactions "
                            + "WHERE project_id = :project AND livemode = :live AND cohort_at >= :from "
                            + "AND cohort_at < :to GROUP BY cohort_at / 86400000, currency")
                    .bind("project", projectId).bind("live", true).bind("from", from).bind("to", to)
                    .map((rs, ctx) -> rs.getString(postgres ? 1 : 4)).list().forEach(System.out::println);
            h.createQuery(prefix + "SELECT c.first_seen / 86400000 AS d, COUNT(DISTINCT c.id) AS n FROM purchases s "
                            + "JOIN customers c ON c.id = s.customer_id WHERE s.project_id = :project "
                            + "AND s.livemode = :sandbox AND c.first_seen >= :from AND c.first_seen < :to "
                            + "AND NOT EXISTS (SELECT 1 FROM purchases l WHERE l.customer_id = c.id "
                            + "AND l.livemode = :live) "
                            + "GROUP BY c.first_seen / 86400000")
                    .bind("project", projectId).bind("sandbox", false).bind("live", true).bind("from", from)
                    .bind("to", to)
                    .map((rs, ctx) -> rs.getString(postgres ? 1 : 4)).list().forEach(System.out::println);
        });
    }

    private static void check(HttpResponse response) {
        if (response.status() != 200) {
            throw new IllegalStateException(response.toString());
        }
    }

    private static Counts load(Jdbi jdbi, boolean postgres, StripeApp app, int purchases) {
        SplittableRandom random = new SplittableRandom(42);
        long now = System.currentTimeMillis() / 1000;
        long transactions = 0;
        long spans = 0;
        int chunk = 5_000;
        List<String> customers = new ArrayList<>();
        Set<String> returning = new LinkedHashSet<>();
        for (int from = 0; from < purchases; from += chunk) {
            int first = from;
            int to = Math.min(purchases, from + chunk);
            long[] written = jdbi.inTransaction(h -> insertChunk(h, app, first, to, random, now, customers, returning));
            transactions += written[0];
            spans += written[1];
        }
        jdbi.useHandle(h -> h.execute("ANALYZE"));
        // Inserted spans count their own subscription's lapses; a customer with several is matched as the writer does.
        List<String> toMatch = new ArrayList<>(returning);
        for (int from = 0; from < toMatch.size(); from += chunk) {
            List<String> batch = toMatch.subList(from, Math.min(toMatch.size(), from + chunk));
            jdbi.useTransaction(h -> batch.forEach(c -> ChartFactsStore.matchResubscriptions(h, c)));
        }
        // What autovacuum does after a bulk load on PostgreSQL (statistics, and the visibility map that lets the
        // chart queries read only their covering indexes); SQLite only needs statistics.
        jdbi.useHandle(h -> h.execute(postgres ? "VACUUM ANALYZE" : "ANALYZE"));
        return new Counts(transactions, spans);
    }

    private static long[] insertChunk(Handle h, StripeApp app, int from, int to, SplittableRandom random, long now,
            List<String> known, Set<String> returning) {
        PreparedBatch customers = h.prepareBatch("INSERT INTO customers (id, project_id, original_app_user_id, "
                + "first_seen, last_seen, created_at) VALUES (:id, :project, :id, :seen, :seen, :seen)");
        PreparedBatch purchaseRows = h.prepareBatch("INSERT INTO purchases (id, project_id, app_id, customer_id, "
                + "store_token, kind, status, period_type, livemode, state_json, created_at, updated_at) VALUES "
                + "(:id, :project, :app, :customer, :token, :kind, :status, 'NORMAL', :live, '{}', :at, :at)");
        List<ChartFactsStore.Owned> facts = new ArrayList<>();
        long transactions = 0;
        long spans = 0;
        for (int n = from; n < to; n++) {
            String id = "purBench" + n;
            long start = now - random.nextLong(730 * DAY);
            boolean live = random.nextInt(100) >= 5;
            PurchaseState state = random.nextInt(10) == 0 ? oneTime(id, start, live, random)
                    : subscription(id, start, now, live, random);
            // A fifth of the purchases are a returning customer's (churn looks for their earlier expiries).
            String customer;
            if (!known.isEmpty() && random.nextInt(5) == 0) {
                customer = known.get(random.nextInt(known.size()));
                returning.add(customer);
            } else {
                customer = "cusBench" + n;
                known.add(customer);
                customers.bind("id", customer).bind("project", app.projectId()).bind("seen", start * 1000).add();
            }
            purchaseRows.bind("id", id).bind("project", app.projectId()).bind("app", app.appId())
                    .bind("customer", customer).bind("token", id).bind("kind", state.kind().name().toLowerCase())
                    .bind("status", String.valueOf(state.status())).bind("live", live).bind("at", start * 1000).add();
            ChartFacts derived = ChartFacts.of(state);
            facts.add(new ChartFactsStore.Owned(id, app.projectId(), live, customer, derived));
            transactions += derived.transactions().size();
            spans += derived.spans().size();
        }
        if (customers.size() > 0) {
            customers.execute();
        }
        purchaseRows.execute();
        ChartFactsStore.insert(h, facts);
        return new long[] {transactions, spans};
    }

    private static String currency(SplittableRandom random) {
        int r = random.nextInt(100);
        return r < 80 ? "usd" : r < 95 ? "eur" : "gbp";
    }

    private static PurchaseState oneTime(String id, long start, boolean live, SplittableRandom random) {
        long amount = 1000 + random.nextInt(9) * 1000L;
        String currency = currency(random);
        CheckoutFact checkout = new CheckoutFact("evt_" + id, start, live, "cs_" + id, "payment", "cus_" + id, null,
                "pi_" + id, "paid", amount, currency, Map.of(), null, "prod_Life", "price_Life", null, null, null, null,
                null, null);
        int refundDraw = random.nextInt(100);
        List<Refund> refunds = refundDraw < 4 ? List.of(new Refund("ch_" + id, "pi_" + id, null,
                refundDraw < 3 ? amount : amount / 2, currency, start + 3 * DAY, refundDraw >= 3)) : List.of();
        boolean revoked = refundDraw < 3;
        History history = new History(null, List.of(), List.of(), List.of(), null, refunds, checkout);
        return new PurchaseState(Kind.ONE_TIME, "cs_" + id, "prod_Life", "price_Life", amount, currency, null, null,
                revoked ? "refunded" : "paid", PeriodType.NORMAL, start * 1000, start * 1000, null, null,
                null, revoked ? (start + 3 * DAY) * 1000 : null, live, "cus_" + id, "pi_" + id, null, null,
                history, null);
    }

    private static PurchaseState subscription(String id, long start, long now, boolean live, SplittableRandom random) {
        int kind = random.nextInt(10);
        String interval = kind < 7 ? "month" : kind < 9 ? "year" : "week";
        long length = switch (interval) {
            case "year" -> 365 * DAY;
            case "week" -> 7 * DAY;
            default -> 30 * DAY;
        };
        double keep = switch (interval) {
            case "year" -> 0.6;
            case "week" -> 0.96;
            default -> 0.92;
        };
        long amount = switch (interval) {
            case "year" -> 4000 + random.nextInt(8) * 1000L;
            case "week" -> 199 + random.nextInt(3) * 100L;
            default -> 500 + random.nextInt(6) * 500L;
        };
        String currency = currency(random);
        List<Period> periods = new ArrayList<>();
        List<PaidInvoice> invoices = new ArrayList<>();
        List<Refund> refunds = new ArrayList<>();
        long t = start;
        boolean trial = random.nextInt(10) < 3;
        boolean ended = false;
        if (trial) {
            periods.add(new Period(t, t + 7 * DAY, true));
            t += 7 * DAY;
            ended = random.nextInt(10) < 4 && t <= now;
        }
        int n = 0;
        while (!ended && t <= now) {
            String invoice = "in_" + id + "_" + n;
            periods.add(new Period(t, t + length, false));
            invoices.add(new PaidInvoice(invoice, t, n == 0 ? "subscription_create" : "subscription_cycle", amount,
                    currency, t, t + length, "cus_" + id, "prod_Pro", "price_Pro", "ch_" + invoice, "pi_" + invoice));
            int refundDraw = random.nextInt(100);
            if (refundDraw < 4) {
                boolean partial = refundDraw >= 3;
                refunds.add(new Refund("ch_" + invoice, "pi_" + invoice, invoice, partial ? amount / 2 : amount,
                        currency, t + 2 * DAY, partial));
            }
            t += length;
            n++;
            ended = random.nextDouble() > keep;
        }
        Period last = periods.get(periods.size() - 1);
        boolean active = last.end() > now && !ended;
        String status = active ? (last.trial() ? "trialing" : "active") : "canceled";
        Long expires = last.end() * 1000;
        History history = new History(null, periods, invoices, List.of(), null, refunds, null);
        return new PurchaseState(Kind.SUBSCRIPTION, "sub_" + id, "prod_Pro", "price_Pro", amount, currency, interval, 1,
                status, last.trial() ? PeriodType.TRIAL : PeriodType.NORMAL, last.start() * 1000,
                periods.get(0).start() * 1000, expires, active ? null : expires, null, null, live, "cus_" + id, null,
                null, periods.size(), history, null);
    }
}
