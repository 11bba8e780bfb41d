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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Whether outgoing deliveries keep up with ingest, in one run on one server (the ratios compare figures of the same
 * run, so the host's hour matters less).
 *
 * <ol>
 *   <li>Warm-up (unmeasured): new purchases with one webhook integration, until delivered.</li>
 *   <li>Ingest: a burst of new purchases ({@code customer.subscription.created}, a new customer each) over
 *       {@code BENCH_CONNECTIONS} connections for {@code BENCH_BURST} seconds to an app of a project without
 *       integrations, then the same to a project with one webhook integration to a healthy receiver on loopback:
 *       events/s of each and their ratio; and for the second, the time until every event was delivered against the
 *       time it took to acknowledge them.</li>
 *   <li>Latency: at half the ingest rate measured without integrations, {@code BENCH_PACED} seconds of new purchases
 *       paced evenly; 200 → delivery p50 and p99 at the healthy receiver.</li>
 *   <li>The same after adding a second integration to that project whose receiver never answers (it hangs past the
 *       server's delivery timeout): the healthy receiver's lag.</li>
 * </ol>
 *
 * <p>Usage: {@code SUBSTATE_URL=… SUBSTATE_ADMIN_TOKEN=… java bench/Deliveries.java} (through
 * {@code bench/deliveries.sh}). Exits 1 if an event is not delivered to the healthy receiver.
 */
public final class Deliveries {
    private static final String SECRET = "whsec_deliveries_bench";
    private static final Pattern APP_USER_ID = Pattern.compile("\"app_user_id\":\"([^\"]+)\"");
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Map<String, Long> DELIVERED = new ConcurrentHashMap<>();
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final String RUN = Long.toString(System.nanoTime() % 1_000_000_000L, 36);

    private static String base;
    private static String token;

    public static void main(String[] args) throws Exception {
        base = System.getenv().getOrDefault("SUBSTATE_URL", "http://127.0.0.1:8080").replaceAll("/$", "");
        token = System.getenv("SUBSTATE_ADMIN_TOKEN");
        int connections = Integer.parseInt(System.getenv().getOrDefault("BENCH_CONNECTIONS", "32"));
        int burstSeconds = Integer.parseInt(System.getenv().getOrDefault("BENCH_BURST", "15"));
        int pacedSeconds = Integer.parseInt(System.getenv().getOrDefault("BENCH_PACED", "10"));
        int warmupSeconds = Integer.parseInt(System.getenv().getOrDefault("BENCH_WARMUP", "10"));

        HttpServer healthy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1000);
        healthy.setExecutor(Executors.newFixedThreadPool(32));
        healthy.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            long now = System.nanoTime();
            Matcher m = APP_USER_ID.matcher(body);
            if (m.find()) {
                DELIVERED.putIfAbsent(m.group(1), now);
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        healthy.start();
        ExecutorService hangingThreads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        });
        HttpServer hanging = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1000);
        hanging.setExecutor(hangingThreads);
        AtomicInteger hung = new AtomicInteger();
        hanging.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            hung.incrementAndGet();
            try {
                Thread.sleep(600_000); // Past any delivery timeout: the server gives up first.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        hanging.start();

        String bare = app("deliveries bench, no integration");
        String withIntegrationApp = app("deliveries bench, one webhook integration");
        String withIntegration = projectOf(withIntegrationApp);
        integration(withIntegration, "healthy", "http://127.0.0.1:" + healthy.getAddress().getPort() + "/hooks");

        System.out.printf("warm-up: %d s with one integration (not measured)%n", warmupSeconds);
        Burst warm = burst(appOf(withIntegrationApp), connections, warmupSeconds);
        awaitDelivered(warm.customers(), 120);
        Burst without = burst(appOf(bare), connections, burstSeconds);
        Burst with = burst(appOf(withIntegrationApp), connections, burstSeconds);
        boolean allDelivered = awaitDelivered(with.customers(), 300);
        long lastDelivery = with.customers().stream().map(DELIVERED::get).filter(v -> v != null)
                .max(Long::compare).orElse(with.start());
        double ackSeconds = (with.lastAck() - with.start()) / 1e9;
        double deliverSeconds = (lastDelivery - with.start()) / 1e9;
        System.out.printf("ingest, new purchases, %d s bursts over %d connections: %.0f events/s without "
                        + "integrations, %.0f events/s with one webhook integration: %.0f%% (target >= 70%%)%n",
                burstSeconds, connections, without.rate(), with.rate(), 100 * with.rate() / without.rate());
        System.out.printf("burst with the integration: %d events acknowledged in %.1f s, %s delivered in %.1f s: "
                        + "%.2f x (target <= 1.5)%n", with.customers().size(), ackSeconds,
                allDelivered ? "all" : "NOT ALL", deliverSeconds, deliverSeconds / ackSeconds);

        double rate = without.rate() / 2;
        List<Double> lags = paced(appOf(withIntegrationApp), rate, pacedSeconds);
        System.out.printf("latency at half the ingest capacity (%.0f events/s for %d s): 200 -> delivery p50 %.1f ms, "
                        + "p99 %.1f ms, max %.1f ms (target p99 < 100 ms)%n", rate, pacedSeconds,
                percentile(lags, 0.50), percentile(lags, 0.99), lags.get(lags.size() - 1));

        integration(withIntegration, "hangs", "http://127.0.0.1:" + hanging.getAddress().getPort() + "/hooks");
        List<Double> lagsBeside = paced(appOf(withIntegrationApp), rate, pacedSeconds);
        System.out.printf("the same beside a second integration whose receiver hangs (%d requests held): healthy "
                        + "receiver's 200 -> delivery p50 %.1f ms, p99 %.1f ms, max %.1f ms (target p99 < 100 ms)%n",
                hung.get(), percentile(lagsBeside, 0.50), percentile(lagsBeside, 0.99),
                lagsBeside.get(lagsBeside.size() - 1));
        healthy.stop(0);
        hanging.stop(0);
        System.exit(allDelivered && lags.size() > 0 && lagsBeside.size() > 0 ? 0 : 1);
    }

    /** A closed-loop burst: what was acknowledged, when it began, when the last 200 came. */
    record Burst(List<String> customers, long start, long lastAck) {
        double rate() {
            return customers.size() / ((lastAck - start) / 1e9);
        }
    }

    private static Burst burst(String app, int connections, int seconds) throws Exception {
        List<String> customers = Collections.synchronizedList(new ArrayList<>());
        ExecutorService senders = Executors.newFixedThreadPool(connections);
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong lastAck = new AtomicLong(start);
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            running.add(senders.submit(() -> {
                while (System.nanoTime() < end) {
                    String customer = send(app);
                    lastAck.accumulateAndGet(System.nanoTime(), Math::max);
                    customers.add(customer);
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        senders.shutdown();
        return new Burst(List.copyOf(customers), start, lastAck.get());
    }

    /** New purchases at {@code rate} per second, evenly spaced; each one's 200 → delivery in ms, sorted. */
    private static List<Double> paced(String app, double rate, int seconds) throws Exception {
        int total = (int) (rate * seconds);
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        ExecutorService senders = Executors.newFixedThreadPool(64);
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < 64; c++) {
            running.add(senders.submit(() -> {
                for (int i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                    long due = start + (long) (i * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    String customer = send(app);
                    acknowledged.put(customer, System.nanoTime());
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        senders.shutdown();
        awaitDelivered(acknowledged.keySet(), 120);
        List<Double> lags = new ArrayList<>();
        acknowledged.forEach((customer, ack) -> {
            Long arrived = DELIVERED.get(customer);
            // A delivery may arrive before the client has read its 200: count that as 0.
            lags.add(arrived == null ? Double.POSITIVE_INFINITY : Math.max(0, arrived - ack) / 1e6);
        });
        Collections.sort(lags);
        return lags;
    }

    private static boolean awaitDelivered(java.util.Collection<String> customers, int seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (customers.stream().allMatch(DELIVERED::containsKey)) {
                return true;
            }
            Thread.sleep(5);
        }
        return false;
    }

    /** One signed new purchase; returns its customer (the app user id) once answered 200. */
    private static String send(String app) throws Exception {
        long n = SEQUENCE.incrementAndGet();
        String customer = "cus_dlv" + RUN + "x" + n;
        String body = event(n, customer);
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(
                        URI.create(base + "/v1/incoming-webhooks/stripe/" + app))
                .header("Content-Type", "application/json").header("Stripe-Signature", sign(body))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("Stripe webhook answered " + response.statusCode() + ": " + response.body());
        }
        return customer;
    }

    private static double percentile(List<Double> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    /** Creates a project and its tracking Stripe app; returns "project app". */
    private static String app(String name) throws Exception {
        String project = id(admin("/v2/projects", "{\"name\":\"" + name + "\"}"));
        String app = id(admin("/v2/projects/" + project + "/apps", "{\"name\":\"bench\",\"type\":\"stripe\","
                + "\"stripe\":{\"webhook_secret\":\"" + SECRET + "\",\"track_new_purchases\":true,"
                + "\"app_user_id_detection\":\"stripe_customer_id\"}}"));
        return project + " " + app;
    }

    private static String projectOf(String projectAndApp) {
        return projectAndApp.split(" ")[0];
    }

    private static String appOf(String projectAndApp) {
        return projectAndApp.split(" ")[1];
    }

    private static void integration(String project, String name, String url) throws Exception {
        admin("/v2/projects/" + project + "/integrations/webhooks", "{\"name\":\"" + name + "\",\"url\":\"" + url
                + "\"}");
    }

    private static String admin(String path, String json) throws IOException, InterruptedException {
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
        StringBuilder hex = new StringBuilder(64);
        for (byte b : mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8))) {
            hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return "t=" + t + ",v1=" + hex;
    }

    private static String event(long n, String customer) {
        long now = System.currentTimeMillis() / 1000;
        String sub = "sub_dlv" + RUN + "x" + n;
        String subscription = "{\"id\":\"" + sub + "\",\"object\":\"subscription\",\"cancel_at\":null,"
                + "\"cancel_at_period_end\":false,\"canceled_at\":null,\"created\":" + now + ",\"currency\":\"usd\","
                + "\"customer\":\"" + customer + "\",\"ended_at\":null,\"items\":{\"object\":\"list\",\"data\":[{"
                + "\"id\":\"si_dlv" + RUN + "x" + n + "\",\"object\":\"subscription_item\",\"current_period_end\":"
                + (now + 2_592_000) + ",\"current_period_start\":" + now + ",\"price\":{\"id\":\"price_dlv\","
                + "\"object\":\"price\",\"currency\":\"usd\",\"product\":\"prod_dlv\",\"recurring\":{\"interval\":"
                + "\"month\",\"interval_count\":1},\"unit_amount\":999},\"quantity\":1}],\"has_more\":false},"
                + "\"latest_invoice\":null,\"livemode\":false,\"metadata\":{},\"status\":\"active\","
                + "\"trial_end\":null,\"trial_start\":null}";
        return "{\"id\":\"evt_dlv" + RUN + "x" + n + "\",\"object\":\"event\",\"api_version\":\"2025-03-31.basil\","
                + "\"created\":" + now + ",\"data\":{\"object\":" + subscription + "},\"livemode\":false,"
                + "\"type\":\"customer.subscription.created\"}";
    }
}
