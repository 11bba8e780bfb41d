package io.substate.delivery;

import io.substate.testing.Api;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.Fixtures;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import io.substate.testing.WebhookReceiver.Received;
import io.substate.testing.WebhookReceiver.Reply;
import io.substate.testing.WebhookReceiver;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

import static io.substate.testing.StripeEventBuilder.sign;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static io.substate.testing.StripeObjects.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Delivery guarantees that need more than one server: a real server process killed with SIGKILL in the middle of a
 * delivery still delivers after a restart (at-least-once), and two instances on one PostgreSQL deliver every event
 * exactly once to a healthy receiver (claims with {@code FOR UPDATE SKIP LOCKED}).
 */
class DeliveryAcrossInstancesTest {
    static final String SECRET = "whsec_instances_test_secret";

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    static StripeApp trackingApp(Api admin) {
        return Fixtures.stripeApp(admin, Map.of("webhook_secret", SECRET, "track_new_purchases", true,
                "app_user_id_detection", "stripe_customer_id"));
    }

    static String newSubscription(String customer) {
        return event(uniqueId("evt_"), "customer.subscription.created", now(), StripeObjects.subscription(uniqueId("sub_"))
                .customer(customer).price("price_Basic", "prod_Basic").period(now() - 10, now() + 86400).json());
    }

    @Test
    void aServerKilledMidDeliveryDeliversTheEventAfterItRestarts() throws Exception {
        CountDownLatch firstRequestArrived = new CountDownLatch(1);
        WebhookReceiver receiver = WebhookReceiver.start((n, request) -> {
            if (n == 1) {
                firstRequestArrived.countDown();
                return Reply.hang(30_000);
            }
            return Reply.ok();
        });
        Path dir = Files.createTempDirectory("substate-crash");
        int port = freePort();
        Map<String, String> env = Map.of(
                "SUBSTATE_PORT", Integer.toString(port),
                "SUBSTATE_DATABASE_URL", "jdbc:sqlite:" + dir.resolve("substate.db"),
                "SUBSTATE_ADMIN_TOKEN", TestServer.ADMIN_TOKEN,
                "SUBSTATE_DELIVERY_TIMEOUT", "2s",
                "SUBSTATE_DELIVERY_RETRY_SCHEDULE", "1s");
        Api admin = new Api("http://127.0.0.1:" + port, TestServer.ADMIN_TOKEN);
        Process server = startServer(env, dir.resolve("first.log").toFile(), admin);
        Process restarted = null;
        try (receiver) {
            StripeApp app = trackingApp(admin);
            admin.post("/v2/projects/" + app.projectId() + "/integrations/webhooks",
                    Map.of("name", "Crash", "url", receiver.url()));
            String customer = uniqueId("cus_");
            String payload = newSubscription(customer);
            HttpResponse accepted = admin.withToken(null).postStripe(app.webhookPath(), payload, sign(payload, SECRET));
            assertThat(accepted.status()).as(accepted.toString()).isEqualTo(200);

            assertThat(firstRequestArrived.await(15, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            server.destroyForcibly().waitFor();   // SIGKILL: no shutdown hook, the attempt is never recorded
            String eventId = receiver.received().get(0).header("webhook-id");

            restarted = startServer(env, dir.resolve("second.log").toFile(), admin);

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> receiver.received().size() >= 2);
            Received again = receiver.received().get(1);
            assertThat(again.header("webhook-id")).isEqualTo(eventId);
            assertThat(again.event().get("app_user_id").asText()).isEqualTo(customer);
            await().atMost(Duration.ofSeconds(30)).until(() -> admin.get("/v2/projects/" + app.projectId()
                    + "/integrations/webhooks").json().get("items").get(0) != null
                    && deliveryStatus(admin, app).equals("succeeded"));
        } finally {
            server.destroyForcibly();
            if (restarted != null) {
                restarted.destroyForcibly().waitFor();
            }
        }
    }

    static String deliveryStatus(Api admin, StripeApp app) {
        String path = "/v2/projects/" + app.projectId() + "/integrations/webhooks";
        String id = admin.get(path).json().get("items").get(0).get("id").asText();
        return admin.get(path + "/" + id + "/deliveries").json().get("items").get(0).get("status").asText();
    }

    @Test
    void twoInstancesOnOnePostgresqlDeliverEveryEventExactlyOnce() throws Exception {
        WebhookReceiver receiver = WebhookReceiver.healthy();
        TestServer first = TestServer.start(TestDb.POSTGRESQL, Map.of());
        TestServer second = first.startAnotherInstance();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try (receiver; second; first) {
            StripeApp app = trackingApp(first.admin());
            first.admin().post("/v2/projects/" + app.projectId() + "/integrations/webhooks",
                    Map.of("name", "Once", "url", receiver.url()));
            int events = 200;
            List<Future<Integer>> sent = new ArrayList<>();
            for (int i = 0; i < events; i++) {
                TestServer target = i % 2 == 0 ? first : second;
                String payload = newSubscription(uniqueId("cus_"));
                sent.add(clients.submit(() -> target.anonymous()
                        .postStripe(app.webhookPath(), payload, sign(payload, SECRET)).status()));
            }
            for (Future<Integer> status : sent) {
                assertThat(status.get()).isEqualTo(200);
            }

            await().atMost(Duration.ofSeconds(60)).until(() -> receiver.received().size() >= events);
            Thread.sleep(1_000); // a duplicate would arrive right behind the first copy
            Map<String, Long> copies = receiver.received().stream()
                    .collect(Collectors.groupingBy(r -> r.header("webhook-id"), Collectors.counting()));
            assertThat(copies).hasSize(events);
            assertThat(copies.values()).allMatch(count -> count == 1L);
        } finally {
            clients.shutdownNow();
        }
    }

    private static Process startServer(Map<String, String> env, File log, Api admin) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.substate.cli.Main", "serve")
                .redirectErrorStream(true).redirectOutput(log);
        builder.environment().putAll(env);
        Process process = builder.start();
        // Generous: the JVM start is slow on a loaded CI machine.
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> admin.get("/health/ready").status() == 200);
        return process;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
