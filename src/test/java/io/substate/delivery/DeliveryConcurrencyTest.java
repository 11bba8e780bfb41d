package io.substate.delivery;

import io.substate.storage.DatabaseLocal;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.Fixtures;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import io.substate.testing.WebhookReceiver.Received;
import io.substate.testing.WebhookReceiver.Reply;
import io.substate.testing.WebhookReceiver;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static io.substate.testing.StripeEventBuilder.sign;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static io.substate.testing.StripeObjects.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The delivery worker under a burst, on SQLite and PostgreSQL: many attempts in flight without a thread each, a
 * receiver that hangs holding only its own slots, settlements written many at a time, and connections kept alive.
 * Retries are 1 s apart; the timeout is long ({@link #TIMEOUT}) so that a hanging receiver stays hung for the test.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class DeliveryConcurrencyTest {
    static final String SECRET = "whsec_delivery_concurrency_test";
    static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final Map<TestDb, TestServer> SERVERS = new EnumMap<>(TestDb.class);

    @Parameter
    TestDb db;

    @AfterAll
    static void stopServers() {
        synchronized (SERVERS) {
            SERVERS.values().forEach(TestServer::close);
            SERVERS.clear();
        }
    }

    TestServer server() {
        synchronized (SERVERS) {
            return SERVERS.computeIfAbsent(db, d -> TestServer.start(d, Map.of(
                    "SUBSTATE_DELIVERY_RETRY_SCHEDULE", "1s,1s",
                    "SUBSTATE_DELIVERY_TIMEOUT", TIMEOUT.toSeconds() + "s")));
        }
    }

    /** A tracking app without a Stripe key: new subscriptions become purchases without any Stripe read. */
    StripeApp app() {
        Map<String, Object> settings = new HashMap<>();
        settings.put("webhook_secret", SECRET);
        settings.put("track_new_purchases", true);
        settings.put("app_user_id_detection", "stripe_customer_id");
        return Fixtures.stripeApp(server().admin(), settings);
    }

    String integration(StripeApp app, String name, String url) {
        HttpResponse created = server().admin().post("/v2/projects/" + app.projectId() + "/integrations/webhooks",
                Map.of("name", name, "url", url));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    /** {@code n} new subscriptions (one new customer each) sent 8 at a time; each customer's 200 time in ms. */
    Map<String, Long> burst(StripeApp app, int n) throws Exception {
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> sent = new ArrayList<>();
            long now = System.currentTimeMillis() / 1000;
            for (int i = 0; i < n; i++) {
                String customer = uniqueId("cus_");
                String payload = event(uniqueId("evt_"), "customer.subscription.created", now,
                        StripeObjects.subscription(uniqueId("sub_")).customer(customer)
                                .price("price_Basic", "prod_Basic").period(now - 10, now + 86400).json());
                sent.add(clients.submit(() -> {
                    HttpResponse response = server().anonymous().postStripe(app.webhookPath(), payload,
                            sign(payload, SECRET));
                    assertThat(response.status()).as(response.toString()).isEqualTo(200);
                    acknowledged.put(customer, System.currentTimeMillis());
                    return null;
                }));
            }
            for (Future<?> f : sent) {
                f.get();
            }
        } finally {
            clients.shutdown();
        }
        return acknowledged;
    }

    /** Each customer's first INITIAL_PURCHASE at {@code receiver}, once all have arrived. */
    static Map<String, Received> awaitAll(WebhookReceiver receiver, Set<String> customers, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(20)).until(() -> firstOf(receiver, customers).size()
                == customers.size());
        return firstOf(receiver, customers);
    }

    private static Map<String, Received> firstOf(WebhookReceiver receiver, Set<String> customers) {
        Map<String, Received> first = new HashMap<>();
        for (Received r : receiver.received()) {
            String customer = r.event().path("app_user_id").asText();
            if (customers.contains(customer) && r.event().path("type").asText().equals("INITIAL_PURCHASE")) {
                first.putIfAbsent(customer, r);
            }
        }
        return first;
    }

    @Test
    void aReceiverThatHangsHoldsOnlyItsOwnSlotsAndTheHealthyOneKeepsUp() throws Exception {
        StripeApp app = app();
        // Three times as many events as the old pool had sender threads: there, the hanging receiver took them all
        // and the healthy one waited for the timeout.
        int events = 3 * DeliveryWorker.DEFAULT_PER_INTEGRATION;
        try (WebhookReceiver hanging = WebhookReceiver.start((n, r) -> Reply.hang(TIMEOUT.toMillis() * 2));
                WebhookReceiver healthy = WebhookReceiver.healthy()) {
            integration(app, "Hangs", hanging.url());
            integration(app, "Healthy", healthy.url());
            long started = System.currentTimeMillis();

            Map<String, Long> acknowledged = burst(app, events);
            Map<String, Received> delivered = awaitAll(healthy, acknowledged.keySet(), TIMEOUT.dividedBy(2));

            long worstLag = acknowledged.entrySet().stream()
                    .mapToLong(e -> delivered.get(e.getKey()).receivedAtMillis() - e.getValue()).max().orElseThrow();
            assertThat(worstLag).as("the healthy receiver's worst lag, ms").isLessThan(TIMEOUT.toMillis() / 4);
            if (System.currentTimeMillis() - started < TIMEOUT.toMillis()) {
                // No attempt has timed out yet, so every request the hanging receiver got is still held.
                assertThat(hanging.received()).hasSizeLessThanOrEqualTo(DeliveryWorker.DEFAULT_PER_INTEGRATION);
            }
        }
    }

    @Test
    void aNewDeliveryIsLeasedToThisInstanceByTheTransactionThatCreatesItAndSentWithoutAClaim() throws Exception {
        StripeApp app = app();
        try (WebhookReceiver hanging = WebhookReceiver.start((n, r) -> Reply.hang(TIMEOUT.toMillis() * 2))) {
            String integrationId = integration(app, "Hangs", hanging.url());
            burst(app, 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> hanging.received().size() == 1);
            // A claim would have leased it from the moment of the claim, after the webhook's commit.
            assertThat(query("SELECT claimed_until - created_at FROM deliveries WHERE integration_id = ?",
                    integrationId)).containsExactly(Long.toString(TIMEOUT.plus(DeliveryWorker.LEASE_MARGIN).toMillis()));
        }
    }

    @Test
    void handedOverDeliveriesBeyondAnIntegrationsShareAreReleasedForAnyClaim() throws Exception {
        StripeApp app = app();
        int beyond = 8;
        try (WebhookReceiver hanging = WebhookReceiver.start((n, r) -> Reply.hang(TIMEOUT.toMillis() * 2))) {
            String integrationId = integration(app, "Hangs", hanging.url());
            burst(app, DeliveryWorker.DEFAULT_PER_INTEGRATION + beyond);
            await().atMost(Duration.ofSeconds(10)).until(() -> hanging.received().size()
                    == DeliveryWorker.DEFAULT_PER_INTEGRATION);
            // Not held under this instance's lease until it runs out: claimable as soon as the receiver has room.
            await().atMost(Duration.ofSeconds(10)).until(() -> query("SELECT COUNT(*) FROM deliveries "
                    + "WHERE integration_id = ? AND claimed_by IS NULL", integrationId).equals(List.of("" + beyond)));
            assertThat(query("SELECT COUNT(*) FROM deliveries WHERE integration_id = ? AND claimed_by IS NOT NULL",
                    integrationId)).containsExactly("" + DeliveryWorker.DEFAULT_PER_INTEGRATION);
        }
    }

    @Test
    void anIntegrationWithAllItsAttemptsAwaitingAnAnswerGetsNoNewLeasesUntilOneIsAnswered() throws Exception {
        StripeApp app = app();
        String integrationId;
        try (WebhookReceiver hanging = WebhookReceiver.start((n, r) -> Reply.hang(TIMEOUT.toMillis() * 2))) {
            integrationId = integration(app, "Hangs", hanging.url());
            assertThat(handoffTaking(integrationId)).containsExactly(integrationId);
            burst(app, DeliveryWorker.DEFAULT_PER_INTEGRATION);
            await().atMost(Duration.ofSeconds(10)).until(() -> hanging.received().size()
                    == DeliveryWorker.DEFAULT_PER_INTEGRATION);
            // Leasing the next one to this worker would only mean releasing it again (a write) when it cannot start.
            assertThat(handoffTaking(integrationId)).isEmpty();
        }
        // The receiver is gone: the attempts it held fail, so the integration has room again.
        await().atMost(Duration.ofSeconds(10)).until(() -> handoffTaking(integrationId).size() == 1);
    }

    private List<String> handoffTaking(String integrationId) {
        return server().substate().database().jdbi().withHandle(h -> DatabaseLocal.of(h, DeliveryHandoff.class)
                .orElseThrow().taking(List.of(integrationId)));
    }

    @Test
    void manyDeliveriesAreSettledWithOneAttemptRowEachAndTheirRetries() throws Exception {
        StripeApp app = app();
        int events = 60;
        Set<String> triedOnce = ConcurrentHashMap.newKeySet();
        try (WebhookReceiver healthy = WebhookReceiver.healthy();
                WebhookReceiver flaky = WebhookReceiver.start((n, r) ->
                        triedOnce.add(r.header("webhook-id")) ? Reply.status(500, "later") : Reply.ok());
                WebhookReceiver broken = WebhookReceiver.start((n, r) -> Reply.status(500, "down"))) {
            String ok = integration(app, "Healthy", healthy.url());
            String retried = integration(app, "Flaky", flaky.url());
            String failed = integration(app, "Broken", broken.url());

            burst(app, events);

            // Status, attempt count, attempt rows: the first attempt and two retries for the broken receiver.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                    settled(ok).equals(List.of("succeeded 1 1 unclaimed x" + events))
                            && settled(retried).equals(List.of("succeeded 2 2 unclaimed x" + events))
                            && settled(failed).equals(List.of("failed 3 3 unclaimed x" + events)));
            assertThat(attempts(retried)).containsOnly(List.of("500 retry", "200 done"));
            assertThat(attempts(failed)).containsOnly(List.of("500 retry", "500 retry", "500 done"));
            assertThat(attempts(ok)).containsOnly(List.of("200 done"));
        }
    }

    @Test
    void aBatchOfSettlementsChangesOnlyLeasedDeliveriesLogsEveryAttemptAndSkipsDeletedOnes() throws Exception {
        StripeApp app = app();
        try (WebhookReceiver hanging = WebhookReceiver.start((n, r) -> Reply.hang(TIMEOUT.toMillis() * 2))) {
            String integrationId = integration(app, "Hangs", hanging.url());
            burst(app, 3);
            // All three claimed and held by the server's worker while the receiver hangs.
            await().atMost(Duration.ofSeconds(10)).until(() -> hanging.received().size() == 3);
            List<String> deliveries = query("SELECT id || ' ' || claimed_by FROM deliveries WHERE integration_id = ? "
                    + "ORDER BY id", integrationId);
            String leased = deliveries.get(0).split(" ")[0];
            String ours = deliveries.get(1).split(" ")[0];
            String deleted = deliveries.get(2).split(" ")[0];
            String worker = deliveries.get(1).split(" ")[1];
            assertThat(update("DELETE FROM deliveries WHERE id = ?", deleted)).isEqualTo(1);
            HttpPoster.Result ok = new HttpPoster.Result(200, 3, "ok", null);
            long now = System.currentTimeMillis();
            server().substate().database().jdbi().useTransaction(h -> {
                DeliveryStore.settle(h, worker, List.of(new DeliveryStore.Settlement(ours, ok, now, null),
                        new DeliveryStore.Settlement(deleted, ok, now, null)));
                DeliveryStore.settle(h, "wrk_not_the_leaseholder", List.of(
                        new DeliveryStore.Settlement(leased, ok, now, null)));
            });

            assertThat(query("SELECT status || ' ' || attempt_count || ' ' || COALESCE(claimed_by, 'none') "
                    + "FROM deliveries WHERE id = ?", ours)).containsExactly("succeeded 1 none");
            assertThat(query("SELECT status || ' ' || attempt_count || ' ' || claimed_by FROM deliveries "
                    + "WHERE id = ?", leased)).containsExactly("pending 0 " + worker);
            assertThat(query("SELECT COUNT(*) FROM delivery_attempts WHERE delivery_id = ?", leased))
                    .as("an attempt is logged even when its lease was lost").containsExactly("1");
            assertThat(query("SELECT COUNT(*) FROM delivery_attempts WHERE delivery_id = ?", ours)).containsExactly("1");
            assertThat(query("SELECT COUNT(*) FROM delivery_attempts WHERE delivery_id = ?", deleted))
                    .containsExactly("0");
        }
    }

    @Test
    void connectionsToAReceiverAreKeptAliveAndReused() throws Exception {
        StripeApp app = app();
        int events = 200;
        try (WebhookReceiver receiver = WebhookReceiver.healthy()) {
            integration(app, "Healthy", receiver.url());
            Map<String, Long> acknowledged = burst(app, events);
            awaitAll(receiver, acknowledged.keySet(), Duration.ofSeconds(30));
            // A connection is opened only while every open one is busy: at most one per attempt in flight.
            assertThat(receiver.connections()).isLessThanOrEqualTo(DeliveryWorker.DEFAULT_PER_INTEGRATION)
                    .isLessThan(events / 4);
        }
    }

    /** The integration's deliveries grouped as "status attempt_count attempt-rows claimed xN". */
    List<String> settled(String integrationId) throws Exception {
        List<String> rows = query("SELECT d.status, d.attempt_count, (SELECT COUNT(*) FROM delivery_attempts a "
                + "WHERE a.delivery_id = d.id), CASE WHEN d.claimed_by IS NULL THEN 'unclaimed' ELSE 'claimed' END "
                + "FROM deliveries d WHERE d.integration_id = ?", integrationId);
        Map<String, Integer> counts = new java.util.TreeMap<>();
        rows.forEach(row -> counts.merge(row, 1, Integer::sum));
        return counts.entrySet().stream().map(e -> e.getKey() + " x" + e.getValue()).toList();
    }

    /** Each delivery's attempts in order, as "status_code retry|done". */
    List<List<String>> attempts(String integrationId) throws Exception {
        List<String> rows = query("SELECT a.delivery_id, a.status_code, CASE WHEN a.next_retry_at IS NULL THEN 'done' "
                + "ELSE 'retry' END FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id "
                + "WHERE d.integration_id = ? ORDER BY a.delivery_id, a.attempted_at, a.id", integrationId);
        Map<String, List<String>> byDelivery = new java.util.LinkedHashMap<>();
        for (String row : rows) {
            String[] parts = row.split(" ", 2);
            byDelivery.computeIfAbsent(parts[0], id -> new ArrayList<>()).add(parts[1]);
        }
        return new ArrayList<>(byDelivery.values());
    }

    int update(String sql, String parameter) throws Exception {
        try (Connection c = connect(); PreparedStatement statement = c.prepareStatement(sql)) {
            statement.setString(1, parameter);
            return statement.executeUpdate();
        }
    }

    Connection connect() throws Exception {
        Connection c = DriverManager.getConnection(server().databaseUrl());
        if (db == TestDb.SQLITE) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout = 10000");
            }
        }
        return c;
    }

    /** Each row's columns joined by spaces. */
    List<String> query(String sql, String parameter) throws Exception {
        try (Connection c = connect()) {
            try (PreparedStatement statement = c.prepareStatement(sql)) {
                statement.setString(1, parameter);
                List<String> rows = new ArrayList<>();
                try (ResultSet rs = statement.executeQuery()) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        StringBuilder row = new StringBuilder();
                        for (int i = 1; i <= columns; i++) {
                            row.append(i > 1 ? " " : "").append(rs.getString(i));
                        }
                        rows.add(row.toString());
                    }
                }
                return rows;
            }
        }
    }
}
