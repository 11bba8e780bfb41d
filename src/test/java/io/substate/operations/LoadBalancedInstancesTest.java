package io.substate.operations;

import static io.substate.testing.StripeEventBuilder.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.purchases.Lifecycles;
import io.substate.purchases.Lifecycles.Lifecycle;
import io.substate.purchases.PurchaseState;
import io.substate.purchases.StripeEventJson.Shape;
import io.substate.testing.Api;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import io.substate.testing.WebhookReceiver;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two instances on one PostgreSQL behind a round-robin load balancer (Debian's HAProxy, as compose.yaml runs it): a
 * subscription's lifecycle, shuffled, with duplicates, sent concurrently through the balancer so that consecutive
 * events land on different instances, ends in the state in-order delivery to one instance reaches, and every outgoing
 * event reaches each of two integrations exactly once.
 */
class LoadBalancedInstancesTest {
    private static final String SECRET = "whsec_load_balanced_instances";
    private static final Map<String, Object> APP = Map.of("webhook_secret", SECRET, "track_new_purchases", true,
            "app_user_id_detection", "metadata", "metadata_key", "app_user_id");
    private static final String APP_USER_ID = "user-1";
    private static final Set<String> VARYING = Set.of("request_date", "request_date_ms", "first_seen", "last_seen");

    static TestServer first;
    static TestServer second;
    static TestServer reference;
    static Process haproxy;
    static Path haproxyDir;
    static Api balanced;
    static WebhookReceiver receiverA;
    static WebhookReceiver receiverB;
    static int eventsChecked;

    @BeforeAll
    static void startCluster() throws Exception {
        first = TestServer.start(TestDb.POSTGRESQL, Map.of());
        second = first.startAnotherInstance();
        reference = TestServer.start(TestDb.POSTGRESQL, Map.of());
        receiverA = WebhookReceiver.healthy();
        receiverB = WebhookReceiver.healthy();
        int port = freePort();
        haproxyDir = Files.createTempDirectory("substate-haproxy");
        Path config = haproxyDir.resolve("haproxy.cfg");
        Files.writeString(config, String.join("\n",
                "defaults",
                "    mode http",
                "    timeout connect 5s",
                "    timeout client 30s",
                "    timeout server 30s",
                "frontend substate",
                "    bind 127.0.0.1:" + port,
                "    default_backend substate",
                "backend substate",
                "    balance roundrobin",
                "    option httpchk GET /health/ready",
                "    timeout check 5s",
                "    server one " + hostPort(first) + " check inter 2s",
                "    server two " + hostPort(second) + " check inter 2s",
                ""));
        haproxy = new ProcessBuilder("haproxy", "-db", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(haproxyDir.resolve("haproxy.log").toFile()).start();
        balanced = new Api("http://127.0.0.1:" + port, TestServer.ADMIN_TOKEN);
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> balanced.get("/health/ready").status() == 200);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        try {
            assertThat(eventsChecked).as("outgoing events whose deliveries were checked").isGreaterThan(10);
            // The balancer spread the webhooks over both instances.
            assertThat(webhooksServed(first)).isGreaterThan(10);
            assertThat(webhooksServed(second)).isGreaterThan(10);
        } finally {
            stop();
        }
    }

    private static void stop() throws Exception {
        if (haproxy != null) {
            haproxy.destroy();
            haproxy.waitFor();
        }
        for (AutoCloseable closeable : new AutoCloseable[] {receiverA, receiverB, second, first, reference}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    static Stream<Arguments> lifecycles() {
        List<Arguments> cases = new ArrayList<>();
        long seed = 20_261_207L;
        int n = 0;
        for (String name : Lifecycles.names()) {
            Shape shape = Shape.values()[n++ % Shape.values().length];
            // Refunds name a payment intent, which takes the Stripe API to trace to its subscription: those
            // lifecycles are covered by the Stripe-API tests, not here where apps have no key.
            if (Lifecycles.build(name, shape).kind() == PurchaseState.Kind.SUBSCRIPTION && !name.contains("refund")) {
                cases.add(Arguments.of(name, shape, seed++));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} ({1}) seed={2}")
    @MethodSource("lifecycles")
    void aShuffledLifecycleThroughTheBalancerEndsAsInOrderAndIsDeliveredOncePerIntegration(String name, Shape shape,
            long seed) throws Exception {
        Lifecycle lifecycle = Lifecycles.build(name, shape);

        StripeApp inOrder = Fixtures.stripeApp(reference.admin(), APP);
        for (String body : lifecycle.bodies()) {
            HttpResponse answer = reference.anonymous().postStripe(inOrder.webhookPath(), body, sign(body, SECRET));
            assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        }

        StripeApp app = Fixtures.stripeApp(balanced, APP);
        String integrationA = integration(app, receiverA, "A");
        String integrationB = integration(app, receiverB, "B");
        Random random = new Random(seed);
        List<String> delivered = new ArrayList<>(lifecycle.bodies());
        for (String body : lifecycle.bodies()) {
            if (random.nextInt(3) == 0) {
                delivered.add(body);   // Stripe delivers at least once
            }
        }
        Collections.shuffle(delivered, random);
        ExecutorService senders = Executors.newFixedThreadPool(3);
        try {
            // As Stripe does: every event is sent until it is answered 200. An event about a purchase that does not
            // exist yet is parked and answered 422 purchase_not_found; its retry after the purchase appears is 200.
            for (int round = 1; !delivered.isEmpty(); round++) {
                assertThat(round).as("rounds of retries").isLessThanOrEqualTo(lifecycle.bodies().size() + 1);
                List<Future<HttpResponse>> answers = new ArrayList<>();
                for (String body : delivered) {
                    answers.add(senders.submit(() -> balanced.withToken(null)
                            .postStripe(app.webhookPath(), body, sign(body, SECRET))));
                }
                List<String> retry = new ArrayList<>();
                for (int i = 0; i < answers.size(); i++) {
                    HttpResponse answer = answers.get(i).get();
                    if (answer.status() != 200) {
                        assertThat(answer.status()).as(answer.toString()).isEqualTo(422);
                        assertThat(answer.json().path("code").asText()).isEqualTo("purchase_not_found");
                        retry.add(delivered.get(i));
                    }
                }
                delivered = retry;
            }
        } finally {
            senders.shutdownNow();
        }

        assertThat(subscriber(balanced, app)).as("state after shuffled delivery through both instances")
                .isEqualTo(subscriber(reference.anonymous(), inOrder));

        List<String> outgoing = outgoingEventIds(app);
        // Some orders legitimately produce none (a subscription first seen already unpaid announces nothing): the
        // class checks at the end that deliveries were checked at all.
        eventsChecked += outgoing.size();
        for (String integration : List.of(integrationA, integrationB)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> receivedIds(integration).size() >= outgoing.size());
        }
        Thread.sleep(500);   // a second copy would follow the first closely
        for (String integration : List.of(integrationA, integrationB)) {
            List<String> ids = receivedIds(integration);
            assertThat(ids).as("deliveries to integration %s", integration).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(outgoing);
        }
    }

    /** The subscriber as RevenueCat's v1 API answers it, without the fields that tell when it was asked. */
    private static JsonNode subscriber(Api api, StripeApp app) {
        HttpResponse answer = api.withToken(app.publicKey()).get("/v1/subscribers/" + APP_USER_ID);
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        ObjectNode json = (ObjectNode) answer.json();
        json.remove(VARYING);
        ((ObjectNode) json.path("subscriber")).remove(VARYING);
        return json;
    }

    private static String integration(StripeApp app, WebhookReceiver receiver, String name) {
        HttpResponse created = balanced.post("/v2/projects/" + app.projectId() + "/integrations/webhooks",
                Map.of("name", name, "url", receiver.url() + "/" + app.appId() + "/" + name));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return app.appId() + "/" + name;
    }

    /** The outgoing events stored for the customer, from the operator's view of it. */
    private static List<String> outgoingEventIds(StripeApp app) {
        JsonNode profile = Fixtures.profile(balanced, app.projectId(), APP_USER_ID);
        List<String> ids = new ArrayList<>();
        for (JsonNode entry : profile.path("history")) {
            if (entry.path("kind").asText().equals("outgoing_event")) {
                ids.add(entry.path("id").asText());
            }
        }
        return ids;
    }

    /** The event ids each copy of a delivery to this integration carried (the receiver serves several paths). */
    private static List<String> receivedIds(String integration) {
        WebhookReceiver receiver = integration.endsWith("/A") ? receiverA : receiverB;
        return receiver.received().stream().filter(r -> r.path().endsWith("/" + integration))
                .map(r -> r.event().path("id").asText()).collect(Collectors.toList());
    }

    /** Stripe webhooks this instance answered, from its own /metrics. */
    private static double webhooksServed(TestServer server) {
        return server.anonymous().get("/metrics").body().lines()
                .filter(line -> line.startsWith("http_server_requests_seconds_count{")
                        && line.contains("/v1/incoming-webhooks/stripe/{app_id}"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static String hostPort(TestServer server) {
        return server.baseUrl().replaceFirst("^http://", "").replace("localhost", "127.0.0.1");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
