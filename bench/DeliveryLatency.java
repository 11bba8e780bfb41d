import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Outgoing-webhook latency: the time from the Stripe webhook's 200 to the RevenueCat-format delivery reaching a
 * healthy local receiver, and deliveries per second.
 *
 * <p>Creates a project, a tracking Stripe app and a webhook integration pointing at a receiver started here (JDK HTTP
 * server on loopback), then sends {@code BENCH_EVENTS} signed {@code customer.subscription.created} events (one new
 * customer each) over {@code BENCH_CONCURRENCY} connections. Each INITIAL_PURCHASE is matched to its Stripe request
 * by app user id.
 *
 * <p>Usage: {@code SUBSTATE_URL=http://127.0.0.1:8080 SUBSTATE_ADMIN_TOKEN=… java bench/DeliveryLatency.java}
 * (optional {@code BENCH_EVENTS}, default 2000; {@code BENCH_CONCURRENCY}, default 16).
 */
public final class DeliveryLatency {
    private static final String SECRET = "whsec_delivery_latency_bench";
    private static final Pattern APP_USER_ID = Pattern.compile("\"app_user_id\":\"([^\"]+)\"");
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public static void main(String[] args) throws Exception {
        String base = System.getenv().getOrDefault("SUBSTATE_URL", "http://127.0.0.1:8080").replaceAll("/$", "");
        String token = System.getenv("SUBSTATE_ADMIN_TOKEN");
        int events = Integer.parseInt(System.getenv().getOrDefault("BENCH_EVENTS", "2000"));
        int concurrency = Integer.parseInt(System.getenv().getOrDefault("BENCH_CONCURRENCY", "16"));
        if (token == null) {
            System.err.println("set SUBSTATE_ADMIN_TOKEN");
            System.exit(2);
        }
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        Map<String, Long> delivered = new ConcurrentHashMap<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1000);
        receiver.setExecutor(Executors.newFixedThreadPool(32));
        receiver.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            long now = System.nanoTime();
            Matcher m = APP_USER_ID.matcher(body);
            if (m.find()) {
                delivered.putIfAbsent(m.group(1), now);
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        String receiverUrl = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks";

        String project = id(admin(base, token, "/v2/projects", "{\"name\":\"delivery latency bench\"}"));
        String app = id(admin(base, token, "/v2/projects/" + project + "/apps", "{\"name\":\"bench\",\"type\":\"stripe\","
                + "\"stripe\":{\"webhook_secret\":\"" + SECRET + "\",\"track_new_purchases\":true,"
                + "\"app_user_id_detection\":\"stripe_customer_id\"}}"));
        admin(base, token, "/v2/projects/" + project + "/integrations/webhooks",
                "{\"name\":\"bench receiver\",\"url\":\"" + receiverUrl + "\"}");

        String run = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        ExecutorService senders = Executors.newFixedThreadPool(concurrency);
        List<Future<?>> sent = new ArrayList<>();
        long start = System.nanoTime();
        for (int n = 0; n < events; n++) {
            String customer = "cus_lat" + run + "x" + n;
            String body = event(run, n, customer);
            sent.add(senders.submit(() -> {
                HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(
                                URI.create(base + "/v1/incoming-webhooks/stripe/" + app))
                        .header("Content-Type", "application/json").header("Stripe-Signature", sign(body))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                long at = System.nanoTime();
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("Stripe webhook answered " + response.statusCode() + ": " + response.body());
                }
                acknowledged.put(customer, at);
                return null;
            }));
        }
        for (Future<?> f : sent) {
            f.get();
        }
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (delivered.size() < events && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        long end = Collections.max(delivered.values());
        List<Double> latencies = new ArrayList<>();
        acknowledged.forEach((customer, ack) -> {
            Long arrived = delivered.get(customer);
            if (arrived != null) {
                // A delivery may arrive before the client has read its 200: count that as 0.
                latencies.add(Math.max(0, arrived - ack) / 1e6);
            }
        });
        Collections.sort(latencies);
        double seconds = (end - start) / 1e9;
        System.out.printf("events sent: %d, delivered: %d, concurrency: %d%n", events, delivered.size(), concurrency);
        System.out.printf("200 -> delivery latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                percentile(latencies, 0.50), percentile(latencies, 0.99), latencies.get(latencies.size() - 1));
        System.out.printf("deliveries/s (first Stripe request to last delivery): %.0f%n", delivered.size() / seconds);
        senders.shutdown();
        receiver.stop(0);
        System.exit(delivered.size() == events ? 0 : 1);
    }

    private static double percentile(List<Double> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static String admin(String base, String token, String path, String json) throws IOException, InterruptedException {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("POST " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private static String id(String json) {
        Matcher m = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no id in " + json);
        }
        return m.group(1);
    }

    /** Stripe's scheme: HMAC-SHA256 keyed by the whole secret over "{t}.{body}", lowercase hex. */
    private static String sign(String body) throws Exception {
        long t = System.currentTimeMillis() / 1000;
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        StringBuilder hex = new StringBuilder();
        for (byte b : mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8))) {
            hex.append(String.format("%02x", b));
        }
        return "t=" + t + ",v1=" + hex;
    }

    private static String event(String run, int n, String customer) {
        long now = System.currentTimeMillis() / 1000;
        String sub = "sub_lat" + run + "x" + n;
        String subscription = "{\"id\":\"" + sub + "\",\"object\":\"subscription\",\"cancel_at\":null,"
                + "\"cancel_at_period_end\":false,\"canceled_at\":null,\"created\":" + now + ",\"currency\":\"usd\","
                + "\"customer\":\"" + customer + "\",\"ended_at\":null,\"items\":{\"object\":\"list\",\"data\":[{"
                + "\"id\":\"si_lat" + run + "x" + n + "\",\"object\":\"subscription_item\",\"current_period_end\":"
                + (now + 2_592_000) + ",\"current_period_start\":" + now + ",\"price\":{\"id\":\"price_lat\","
                + "\"object\":\"price\",\"currency\":\"usd\",\"product\":\"prod_lat\",\"recurring\":{\"interval\":"
                + "\"month\",\"interval_count\":1},\"unit_amount\":999},\"quantity\":1}],\"has_more\":false},"
                + "\"latest_invoice\":null,\"livemode\":false,\"metadata\":{},\"status\":\"active\","
                + "\"trial_end\":null,\"trial_start\":null}";
        return "{\"id\":\"evt_lat" + run + "x" + n + "\",\"object\":\"event\",\"api_version\":\"2025-03-31.basil\","
                + "\"created\":" + now + ",\"data\":{\"object\":" + subscription + "},\"livemode\":false,"
                + "\"type\":\"customer.subscription.created\"}";
    }
}
