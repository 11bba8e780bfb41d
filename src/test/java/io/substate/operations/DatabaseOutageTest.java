package io.substate.operations;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.testing.Api;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TcpProxy;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

import static io.substate.testing.StripeEventBuilder.sign;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The database goes away under a serving instance, with readiness probes and webhooks arriving (README,
 * "Deployment"): requests are answered 503 {@code database_unavailable} with {@code Retry-After} within a bound
 * instead of each waiting, {@code /health/live} keeps answering at once, every webhook acknowledged is kept, and the
 * server serves again by itself within seconds of the database's return.
 *
 * <p>PostgreSQL is reached through a {@link TcpProxy} that stalls (forwards nothing: a network dropping packets) or
 * refuses (a database down). SQLite cannot lose its network; another process holding its write lock is its outage:
 * writes are refused in time while reads go on.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class DatabaseOutageTest {
    static final String SECRET = "whsec_outage_test_secret";
    /** {@code SUBSTATE_DATABASE_TIMEOUT} and {@code SUBSTATE_DATABASE_QUERY_TIMEOUT} of the servers here. */
    static final Map<String, String> TIMEOUTS = Map.of("SUBSTATE_DATABASE_TIMEOUT", "2s",
            "SUBSTATE_DATABASE_QUERY_TIMEOUT", "2s");
    /**
     * Every answer while the database is away comes within this: at most a query timeout plus its 2 s margin (a
     * statement already on the wire), or the database timeout (anything else), with room for a busy machine. Before,
     * requests waited 10 s for a connection (SQLite: 3 × 10 s for the lock) and were answered 500.
     */
    static final long ANSWER_BOUND_MS = 8_000;
    /** After the database is back, the server serves again within this. */
    static final long RECOVERY_BOUND_MS = 15_000;

    @Parameter
    TestDb db;

    record Answer(String eventId, int status, String code, String retryAfter, long millis) {}

    @Test
    void aNetworkStallIsAnswered503InTimeAndTheServerRecoversWhenItEnds() throws Exception {
        Assumptions.assumeTrue(db == TestDb.POSTGRESQL, "SQLite has no network to stall");
        try (TcpProxy proxy = TcpProxy.postgresql()) {
            outage(proxy.through(db.newDatabaseUrl()), proxy::stall, proxy::forward, true);
        }
    }

    @Test
    void aDatabaseDownIsAnswered503InTimeAndTheServerRecoversWhenItIsBack() throws Exception {
        Assumptions.assumeTrue(db == TestDb.POSTGRESQL, "see the test below for SQLite");
        try (TcpProxy proxy = TcpProxy.postgresql()) {
            outage(proxy.through(db.newDatabaseUrl()), proxy::refuse, proxy::forward, true);
        }
    }

    @Test
    void aWriteLockHeldElsewhereIsAnswered503InTimeAndWritesGoOnWhenItIsReleased() throws Exception {
        Assumptions.assumeTrue(db == TestDb.SQLITE, "PostgreSQL's outages are the tests above");
        String url = db.newDatabaseUrl();
        Connection[] holder = new Connection[1];
        outage(url, () -> {
            try {
                holder[0] = DriverManager.getConnection(url + "?busy_timeout=10000");
                try (Statement s = holder[0].createStatement()) {
                    s.execute("BEGIN EXCLUSIVE"); // as a backup tool or a stray sqlite3 shell would
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, () -> {
            try {
                if (holder[0] != null) {
                    holder[0].close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, false);
    }

    /**
     * Webhooks keep arriving one after another, probes twice a second, liveness ten times; the database goes away
     * ({@code cut}) for a while and comes back ({@code restore}).
     */
    private void outage(String databaseUrl, Runnable cut, Runnable restore, boolean readsFail) throws Exception {
        try {
            outageLogged(databaseUrl, cut, restore, readsFail);
        } finally {
            dispatcherLogger.detachAppender(dispatcherLog);
        }
    }

    private final Logger dispatcherLogger = (Logger) LoggerFactory.getLogger("io.substate.delivery.DeliveryWorker");
    private final ListAppender<ILoggingEvent> dispatcherLog = new ListAppender<>();

    /** What the delivery worker logged, from the cut on: "LEVEL message". */
    private List<String> dispatcherLines() {
        synchronized (dispatcherLog) { // AppenderBase appends under its own lock
            return dispatcherLog.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                    .map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
        }
    }

    private void outageLogged(String databaseUrl, Runnable cut, Runnable restore, boolean readsFail)
            throws Exception {
        Map<String, String> env = new HashMap<>(TIMEOUTS);
        env.put("SUBSTATE_DATABASE_URL", databaseUrl);
        try (TestServer server = TestServer.start(db, env)) {
            Api admin = server.admin();
            Api anonymous = server.anonymous();
            StripeApp app = Fixtures.stripeApp(admin, Map.of("webhook_secret", SECRET, "track_new_purchases", true,
                    "app_user_id_detection", "stripe_customer_id"));
            String projectPath = "/v2/projects/" + app.projectId();
            ExecutorService threads = Executors.newFixedThreadPool(4);
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong slowestLive = new AtomicLong();
            AtomicLong slowestReady = new AtomicLong();
            ConcurrentLinkedQueue<Answer> webhooks = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<String> readyStatuses = new ConcurrentLinkedQueue<>();
            Map<String, String> payloads = new java.util.concurrent.ConcurrentHashMap<>();
            try {
                List<Future<?>> background = new ArrayList<>();
                background.add(threads.submit(() -> {
                    while (running.get()) {
                        slowestLive.accumulateAndGet(timed(() -> anonymous.get("/health/live"), 200), Math::max);
                        pause(100);
                    }
                }));
                background.add(threads.submit(() -> {
                    while (running.get()) {
                        long start = System.nanoTime();
                        HttpResponse ready = anonymous.get("/health/ready");
                        slowestReady.accumulateAndGet(elapsed(start), Math::max);
                        readyStatuses.add(ready.status() + " " + ready.header("Retry-After"));
                        pause(500);
                    }
                }));
                background.add(threads.submit(() -> {
                    while (running.get()) {
                        String eventId = uniqueId("evt_");
                        String payload = subscriptionCreated(eventId);
                        payloads.put(eventId, payload);
                        webhooks.add(post(anonymous, app, eventId, payload));
                        pause(50);
                    }
                }));
                long warming = System.nanoTime();
                while (webhooks.size() < 5) { // the first ones are slow on a busy machine
                    assertThat(elapsed(warming)).as("webhooks answered before the outage").isLessThan(60_000);
                    pause(100);
                }
                assertThat(webhooks).allSatisfy(w -> assertThat(w.status()).isEqualTo(200));

                // The delivery dispatcher polls the database every 200 ms: one warning for the outage, not one a poll.
                dispatcherLog.start();
                dispatcherLogger.addAppender(dispatcherLog);
                cut.run();
                long cutAt = System.nanoTime();
                pause(1_000);
                // What clients see while the database is away: a clear, retryable 503 within the bound.
                List<Answer> during = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    String eventId = uniqueId("evt_");
                    String payload = subscriptionCreated(eventId);
                    payloads.put(eventId, payload);
                    during.add(post(anonymous, app, eventId, payload));
                    if (readsFail) {
                        long start = System.nanoTime();
                        HttpResponse read = admin.get(projectPath);
                        during.add(new Answer(null, read.status(), code(read), read.header("Retry-After"),
                                elapsed(start)));
                    } else {
                        assertThat(admin.get(projectPath).status()).as("reads go on (WAL)").isEqualTo(200);
                    }
                }
                assertThat(during).allSatisfy(answer -> {
                    assertThat(answer.status()).as(answer.toString()).isEqualTo(503);
                    assertThat(answer.code()).isEqualTo("database_unavailable");
                    assertThat(answer.retryAfter()).isNotBlank();
                    assertThat(answer.millis()).as(answer.toString()).isLessThan(ANSWER_BOUND_MS);
                });
                if (readsFail) {
                    HttpResponse ready = anonymous.get("/health/ready");
                    assertThat(ready.status()).isEqualTo(503);
                    assertThat(ready.json().get("reason").asText()).isNotBlank();
                }
                pause(Math.max(0, 6_000 - elapsed(cutAt)));

                restore.run();
                long restoredAt = System.nanoTime();
                String retried = during.get(0).eventId();
                // Serving again (a webhook Stripe retries is applied; the API reads) within the bound.
                while (post(anonymous, app, retried, payloads.get(retried)).status() != 200
                        || admin.get(projectPath).status() != 200) {
                    assertThat(elapsed(restoredAt)).as("serving again after the database is back")
                            .isLessThan(RECOVERY_BOUND_MS);
                    pause(200);
                }
                long recoveredMs = elapsed(restoredAt);
                while (anonymous.get("/health/ready").status() != 200) {
                    assertThat(elapsed(restoredAt)).as("ready again").isLessThan(RECOVERY_BOUND_MS);
                    pause(200);
                }
                System.out.println("DatabaseOutageTest " + db + ": serving again " + recoveredMs
                        + " ms after the database came back");
                if (readsFail) {
                    while (dispatcherLines().stream().noneMatch(line -> line.startsWith("INFO Dispatching webhook "
                            + "deliveries works again"))) {
                        assertThat(elapsed(restoredAt)).as("the dispatcher's recovery logged: " + dispatcherLines())
                                .isLessThan(RECOVERY_BOUND_MS);
                        pause(100);
                    }
                    assertThat(dispatcherLines()).filteredOn(line -> line.startsWith("WARN")).singleElement()
                            .asString().startsWith("WARN Dispatching webhook deliveries failed: ");
                }
                pause(1_000);
                running.set(false);
                for (Future<?> task : background) {
                    task.get(60, TimeUnit.SECONDS);
                }

                List<Answer> all = new ArrayList<>(webhooks);
                all.addAll(during);
                // Nothing but 200 and 503 (never a 500), every refusal a clear one, every answer in time.
                assertThat(all).allSatisfy(answer -> {
                    assertThat(answer.status()).as(answer.toString()).isIn(200, 503);
                    if (answer.status() == 503) {
                        assertThat(answer.code()).isEqualTo("database_unavailable");
                        assertThat(answer.retryAfter()).isNotBlank();
                    }
                    assertThat(answer.millis()).as(answer.toString()).isLessThan(ANSWER_BOUND_MS);
                });
                assertThat(all).filteredOn(answer -> answer.status() == 503).isNotEmpty();
                // Every webhook acknowledged is in the event log; Stripe's retries of the refused ones apply them.
                for (Answer answer : all) {
                    if (answer.eventId() == null) {
                        continue;
                    }
                    if (answer.status() != 200) {
                        assertThat(post(anonymous, app, answer.eventId(), payloads.get(answer.eventId())).status())
                                .isEqualTo(200);
                    }
                    assertThat(admin.get(projectPath + "/apps/" + app.appId() + "/stripe_events/"
                            + answer.eventId()).status()).as(answer.eventId()).isEqualTo(200);
                }
                assertThat(slowestLive.get()).as("/health/live throughout").isLessThan(1_000);
                assertThat(slowestReady.get()).as("/health/ready throughout").isLessThan(1_000);
                if (readsFail) {
                    assertThat(readyStatuses).anyMatch(status -> status.startsWith("503 "));
                }
                assertThat(readyStatuses).allMatch(status -> status.startsWith("200") || status.equals("503 5"));
            } finally {
                running.set(false);
                threads.shutdownNow();
                restore.run();
            }
        }
    }

    private static Answer post(Api anonymous, StripeApp app, String eventId, String payload) {
        long start = System.nanoTime();
        HttpResponse response = anonymous.postStripe(app.webhookPath(), payload, sign(payload, SECRET));
        return new Answer(eventId, response.status(), code(response), response.header("Retry-After"),
                elapsed(start));
    }

    private static String subscriptionCreated(String eventId) {
        long now = System.currentTimeMillis() / 1000;
        ObjectNode sub = StripeObjects.subscription(uniqueId("sub_")).customer(uniqueId("cus_")).status("active")
                .price("price_Basic", "prod_Basic").period(now - 60, now + 30 * 86400).json();
        return StripeObjects.event(eventId, "customer.subscription.created", now, sub);
    }

    private static String code(HttpResponse response) {
        if (response.status() < 400) {
            return null;
        }
        return response.json().path("code").asText(null);
    }

    private static long timed(java.util.function.Supplier<HttpResponse> call, int expected) {
        long start = System.nanoTime();
        HttpResponse response = call.get();
        assertThat(response.status()).isEqualTo(expected);
        return elapsed(start);
    }

    private static long elapsed(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
