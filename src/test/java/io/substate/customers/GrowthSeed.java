package io.substate.customers;

import static io.substate.testing.StripeEventBuilder.sign;
import static io.substate.testing.StripeObjects.event;

import io.substate.storage.Dialect;
import io.substate.testing.Api;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * Seeds a database for bench/growth.sh: one project with a Stripe app (the one the webhook and subscriber benchmarks
 * then use) and a given number of customers, each with an alias, three attributes and a Stripe subscription, with
 * the chart facts, outgoing events and Stripe event rows the real code leaves.
 *
 * <p>Fast because only four template customers go through the server (signed Stripe events to the webhook endpoint,
 * an anonymous App User ID identified into the customer, attributes through the v1 route): every other customer is
 * a copy of one of them, made by one set-based INSERT … SELECT per table over a series of numbers (PostgreSQL's
 * {@code generate_series}, SQLite's recursive CTE) in one transaction. Each copy gets its own internal ids (the
 * template's with {@code g<n>} appended) and its own Stripe ids and App User IDs (every text that holds the
 * template's marker {@code growthT<k>} has it replaced by {@code growthT<k>g<n>}). Copied Stripe event rows have the
 * empty payload {@code retention/RetentionWorker} leaves on events older than the retention period.
 *
 * <p>Templates: T0 monthly, active, first invoice paid; T1 monthly, two invoices paid, auto-renew turned off (still
 * active); T2 monthly, one invoice paid, then ended (expired: the churn charts see it); T3 yearly, active. Live mode.
 *
 * <p>Usage (test classpath, see bench/growth.sh): {@code GrowthSeed <jdbc-url> <customers> <info-file>}; the
 * encryption key is {@link TestDb#ENCRYPTION_KEY}. Writes the project's ids and keys to the info file as shell
 * assignments, then checks a copied customer through {@code GET /v1/subscribers}.
 */
public final class GrowthSeed {
    static final String SECRET = "whsec_growth_benchmark";
    private static final long DAY = 86_400;
    private static final int TEMPLATES = 4;
    /** In the order of their foreign keys; each with the column that ties its rows to a template. */
    private static final List<String[]> TABLES = List.of(
            new String[] {"customers", "id"},
            new String[] {"customer_aliases", "customer_id"},
            new String[] {"customer_attributes", "customer_id"},
            new String[] {"purchases", "customer_id"},
            new String[] {"purchase_transactions", "customer_id"},
            new String[] {"subscription_spans", "purchase_id"},
            new String[] {"stripe_object_refs", "purchase_id"},
            new String[] {"stripe_events", "purchase_id"},
            new String[] {"outgoing_events", "customer_id"});

    private GrowthSeed() {}

    /** The seeded project: its app (whose webhook secret is {@link #SECRET}) and how many customers it has. */
    record Seeded(StripeApp app, long customers, int copies) {}

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int customers = Integer.parseInt(args[1]);
        Path info = Path.of(args[2]);
        TestDb db = url.startsWith("jdbc:postgresql") ? TestDb.POSTGRESQL : TestDb.SQLITE;
        try (TestServer server = TestServer.start(db, Map.of("SUBSTATE_DATABASE_URL", url,
                "SUBSTATE_ENCRYPTION_KEY", TestDb.ENCRYPTION_KEY))) {
            Seeded seeded = seed(server, customers);
            String sample = "cus_growthT0" + (seeded.copies() > 0 ? "g" + seeded.copies() : "");
            check(server, seeded.app(), sample, "premium");
            check(server, seeded.app(), "$RCAnonymousID:growthT3" + (seeded.copies() > 0 ? "g1" : ""), "premium");
            StripeApp app = seeded.app();
            System.out.printf("project %s: %,d customers; %s read back through GET /v1/subscribers%n",
                    app.projectId(), seeded.customers(), sample);
            Files.writeString(info, "GROWTH_PROJECT_ID=" + app.projectId() + "\nGROWTH_APP_ID=" + app.appId()
                    + "\nGROWTH_PUBLIC_KEY=" + app.publicKey() + "\nGROWTH_WEBHOOK_SECRET=" + SECRET
                    + "\nGROWTH_CUSTOMERS=" + seeded.customers() + "\nGROWTH_SAMPLE=" + sample + "\n");
        }
        System.exit(0);
    }

    /** A new project on the server's database with {@code customers} customers (a multiple of four). */
    static Seeded seed(TestServer server, int customers) throws SQLException {
        Api admin = server.admin();
        StripeApp app = Fixtures.stripeApp(admin, Map.of("webhook_secret", SECRET, "track_new_purchases", true,
                "app_user_id_detection", "stripe_customer_id",
                "management_url", "https://billing.stripe.com/p/login/bench"));
        // The product of bench/SignedWebhooks.java's subscriptions, so the subscriber benchmark's customers have
        // an entitlement, and the templates' product.
        Fixtures.entitlement(admin, app, "pro", "prod_bench", "subscription");
        Fixtures.entitlement(admin, app, "premium", "prod_growth", "subscription");
        long started = System.nanoTime();
        List<String> templates = templates(server, app);
        System.out.printf("templates through the server: %.1f s%n", (System.nanoTime() - started) / 1e9);
        Jdbi jdbi = server.substate().database().jdbi();
        boolean postgres = server.substate().database().dialect() == Dialect.POSTGRESQL;
        started = System.nanoTime();
        int copies = Math.max(0, customers - TEMPLATES) / TEMPLATES;
        if (copies > 0) {
            jdbi.useTransaction(h -> copy(h.getConnection(), postgres, templates, copies));
        }
        System.out.printf("copied %,d customers: %.1f s%n", copies * TEMPLATES, (System.nanoTime() - started) / 1e9);
        if (postgres) {
            // What autovacuum does after a bulk load (statistics, visibility map). The server never analyzes a SQLite
            // database (storage/PlannerStatistics), so neither does the seed there.
            started = System.nanoTime();
            jdbi.useHandle(h -> h.execute("VACUUM ANALYZE"));
            System.out.printf("VACUUM ANALYZE: %.1f s%n", (System.nanoTime() - started) / 1e9);
        }
        long count = jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM customers WHERE project_id = :p")
                .bind("p", app.projectId()).mapTo(Long.class).one());
        return new Seeded(app, count, copies);
    }

    /** The copy's subscriber object must name the entitlement its template's subscription unlocks. */
    private static void check(TestServer server, StripeApp app, String appUserId, String entitlement) {
        HttpResponse read = server.anonymous().withToken(app.publicKey()).get("/v1/subscribers/"
                + java.net.URLEncoder.encode(appUserId, java.nio.charset.StandardCharsets.UTF_8));
        if (read.status() != 200 || !read.json().path("subscriber").path("entitlements").has(entitlement)) {
            throw new IllegalStateException("seeded customer " + appUserId + " not read back: " + read);
        }
    }

    /** Makes the four template customers through the server; answers their internal ids. */
    private static List<String> templates(TestServer server, StripeApp app) {
        long now = System.currentTimeMillis() / 1000;
        long month = 30 * DAY;
        // T0: monthly, active.
        long t0 = now - 20 * DAY;
        send(server, app, "customer.subscription.created", sub(0).created(t0).period(t0, t0 + month).json(), t0);
        send(server, app, "invoice.updated", invoice(0, 1, "subscription_create", 999, t0, t0 + month).json(), t0);
        // T1: monthly, renewed once, auto-renew turned off.
        long t1 = now - 45 * DAY;
        send(server, app, "customer.subscription.created", sub(1).created(t1).period(t1, t1 + month).json(), t1);
        send(server, app, "invoice.updated", invoice(1, 1, "subscription_create", 999, t1, t1 + month).json(), t1);
        send(server, app, "invoice.updated", invoice(1, 2, "subscription_cycle", 999, t1 + month, t1 + 2 * month)
                .json(), t1 + month);
        send(server, app, "customer.subscription.updated", sub(1).created(t1).period(t1 + month, t1 + 2 * month)
                .cancelAtPeriodEnd(true).json(), now - 2 * DAY);
        // T2: monthly, paid once, ended at its period's end.
        long t2 = now - 70 * DAY;
        send(server, app, "customer.subscription.created", sub(2).created(t2).period(t2, t2 + month).json(), t2);
        send(server, app, "invoice.updated", invoice(2, 1, "subscription_create", 999, t2, t2 + month).json(), t2);
        send(server, app, "customer.subscription.deleted", sub(2).created(t2).period(t2, t2 + month).status("canceled")
                .canceled(t2 + month, "cancellation_requested").json(), t2 + month);
        // T3: yearly, active.
        long t3 = now - 100 * DAY;
        send(server, app, "customer.subscription.created", sub(3).created(t3).period(t3, t3 + 365 * DAY)
                .interval("year", 1).amount(9999, "usd").json(), t3);
        send(server, app, "invoice.updated", invoice(3, 1, "subscription_create", 9999, t3, t3 + 365 * DAY)
                .price("price_growth_yearly", "prod_growth", "year").json(), t3);
        List<String> ids = new ArrayList<>();
        for (int k = 0; k < TEMPLATES; k++) {
            Api sdk = server.anonymous().withToken(app.publicKey());
            String anonymous = "$RCAnonymousID:growthT" + k;
            String customer = "cus_growthT" + k;
            expect(sdk.withHeader("X-Platform", "ios").get("/v1/subscribers/"
                    + java.net.URLEncoder.encode(anonymous, java.nio.charset.StandardCharsets.UTF_8)), 201);
            expect(sdk.post("/v1/subscribers/identify", Map.of("app_user_id", anonymous, "new_app_user_id", customer)),
                    200);
            long at = (now - DAY) * 1000;
            expect(sdk.post("/v1/subscribers/" + customer + "/attributes", Map.of("attributes", Map.of(
                    "$email", Map.of("value", customer + "@example.com", "updated_at_ms", at),
                    "$displayName", Map.of("value", "Customer " + customer, "updated_at_ms", at),
                    "signup_source", Map.of("value", k % 2 == 0 ? "web" : "ios", "updated_at_ms", at)))), 200);
            ids.add(server.substate().database().jdbi().withHandle(h -> h.createQuery(
                            "SELECT customer_id FROM customer_aliases WHERE project_id = :p AND app_user_id = :a")
                    .bind("p", app.projectId()).bind("a", customer).mapTo(String.class).one()));
        }
        return ids;
    }

    private static StripeObjects.SubscriptionBuilder sub(int k) {
        return StripeObjects.subscription("sub_growthT" + k).customer("cus_growthT" + k)
                .price("price_growth_monthly", "prod_growth").amount(999, "usd").livemode(true);
    }

    private static StripeObjects.InvoiceBuilder invoice(int k, int n, String reason, long amount, long start, long end) {
        return StripeObjects.invoice("in_growthT" + k + "_" + n).subscription("sub_growthT" + k)
                .customer("cus_growthT" + k).billingReason(reason).amount(amount, "usd").created(start)
                .linePeriod(start, end).price("price_growth_monthly", "prod_growth", "month")
                .payment("ch_growthT" + k + "_" + n, "pi_growthT" + k + "_" + n).livemode(true);
    }

    private static void send(TestServer server, StripeApp app, String type, com.fasterxml.jackson.databind.JsonNode object,
            long at) {
        String payload = event("evt_" + object.get("id").asText() + "_" + type.replace('.', '_') + "_" + at,
                type, at, object);
        HttpResponse response = server.anonymous().postStripe(app.webhookPath(), payload, sign(payload, SECRET));
        if (response.status() != 200 || !response.body().contains("processed")) {
            throw new IllegalStateException("template event not processed: " + response + "\n" + payload);
        }
    }

    private static void expect(HttpResponse response, int status) {
        if (response.status() != status) {
            throw new IllegalStateException("template setup failed: " + response);
        }
    }

    /**
     * Copies each template's rows {@code copies} times, table by table: ids get {@code g<n>} appended, every other
     * text has the template's marker made the copy's, Stripe event payloads are left empty (pruned).
     */
    private static void copy(Connection c, boolean postgres, List<String> templates, int copies) throws SQLException {
        String series = postgres ? "generate_series(1, " + copies + ") AS s(n)"
                : "(WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < " + copies
                        + ") SELECT n FROM r) AS s";
        try (Statement st = c.createStatement()) {
            if (postgres) {
                renice(st);
            } else {
                // Index pages that stay in the cache are written to the WAL once, not at every spill.
                st.execute("PRAGMA cache_size = -512000");
            }
            for (int k = 0; k < templates.size(); k++) {
                String marker = "growthT" + k;
                String customer = templates.get(k);
                List<String> purchases = new ArrayList<>();
                try (ResultSet rs = st.executeQuery("SELECT id FROM purchases WHERE customer_id = '" + customer + "'")) {
                    while (rs.next()) {
                        purchases.add("'" + rs.getString(1) + "'");
                    }
                }
                for (String[] table : TABLES) {
                    String tied = table[1].equals("purchase_id") ? String.join(", ", purchases) : "'" + customer + "'";
                    List<String> columns = new ArrayList<>();
                    List<String> values = new ArrayList<>();
                    try (ResultSet rs = c.getMetaData().getColumns(null, null, table[0], null)) {
                        while (rs.next()) {
                            String column = rs.getString("COLUMN_NAME");
                            columns.add(column);
                            values.add(value(table[0], column, rs.getInt("DATA_TYPE"), marker));
                        }
                    }
                    long t = System.nanoTime();
                    int rows = st.executeUpdate("INSERT INTO " + table[0] + " (" + String.join(", ", columns)
                            + ") SELECT " + String.join(", ", values) + " FROM " + table[0] + " t, " + series
                            + " WHERE t." + table[1] + " IN (" + tied + ")");
                    System.out.printf("  %s %-22s %,10d rows %6.1f s%n", marker, table[0], rows,
                            (System.nanoTime() - t) / 1e9);
                }
            }
        }
    }

    /**
     * The seed runs at the lowest priority beside benchmarks (bench/growth.sh runs it with nice 19); on PostgreSQL the
     * work is done by this connection's backend process, which gets that priority too (the server runs on this
     * machine).
     */
    private static void renice(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            new ProcessBuilder("renice", "-n", "19", "-p", rs.getString(1)).inheritIO().start().waitFor();
        } catch (java.io.IOException | InterruptedException e) {
            System.out.println("PostgreSQL's backend keeps its priority: " + e);
        }
    }

    private static String value(String table, String column, int type, String marker) {
        String suffix = "'g' || CAST(s.n AS TEXT)";
        if (column.equals("id") && !table.equals("purchase_transactions") || column.equals("customer_id")
                || column.equals("purchase_id")) {
            return "t." + column + " || " + suffix;
        }
        if (table.equals("stripe_events") && column.equals("payload")) {
            return "''";
        }
        boolean text = type == Types.VARCHAR || type == Types.LONGVARCHAR || type == Types.CLOB
                || type == Types.NVARCHAR || type == Types.CHAR;
        return text ? "REPLACE(t." + column + ", '" + marker + "', '" + marker + "' || " + suffix + ")" : "t." + column;
    }
}
