package io.substate.testing;


import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.substate.common.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * A team's webhook server for tests: the JDK's HTTP server on a free loopback port, recording every request (headers
 * and raw body) and answering as the test's {@link Responder} says — success, failure, or hanging.
 */
public final class WebhookReceiver implements AutoCloseable {
    /** One request as received; header names are lower-case. */
    public record Received(String path, Map<String, String> headers, String body, long receivedAtMillis) {
        public JsonNode json() {
            return Json.read(body);
        }

        public JsonNode event() {
            return json().get("event");
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** What to answer: {@code delayMillis} before answering simulates a slow or hanging server. */
    public record Reply(int status, String body, long delayMillis) {
        public static Reply ok() {
            return new Reply(200, "ok", 0);
        }

        public static Reply status(int status, String body) {
            return new Reply(status, body, 0);
        }

        public static Reply hang(long millis) {
            return new Reply(200, "late", millis);
        }
    }

    /** Decides the reply to the {@code n}-th request (1-based, counted per receiver). */
    @FunctionalInterface
    public interface Responder {
        Reply reply(int n, Received request);
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final java.util.Set<String> connections = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile Responder responder;

    private WebhookReceiver(Responder responder) throws IOException {
        this.responder = responder;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public static WebhookReceiver start(Responder responder) {
        try {
            return new WebhookReceiver(responder);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A receiver that answers 200 to everything. */
    public static WebhookReceiver healthy() {
        return start((n, request) -> Reply.ok());
    }

    public void respondWith(Responder next) {
        this.responder = next;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks";
    }

    public List<Received> received() {
        return new ArrayList<>(received);
    }

    /** Requests whose event matches. */
    public List<Received> received(Predicate<JsonNode> event) {
        return received.stream().filter(r -> event.test(r.event())).toList();
    }

    /** Waits for the first request whose event has this type and this app user id. */
    public Received await(String type, String appUserId) {
        return await(e -> e.path("type").asText().equals(type) && e.path("app_user_id").asText().equals(appUserId));
    }

    public Received await(Predicate<JsonNode> event) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> !received(event).isEmpty());
        return received(event).get(0);
    }

    /** How many connections (distinct client address and port) the requests came over. */
    public int connections() {
        return connections.size();
    }

    private void handle(HttpExchange exchange) throws IOException {
        connections.add(exchange.getRemoteAddress().toString());
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
        Received request = new Received(exchange.getRequestURI().getPath(), headers, body, System.currentTimeMillis());
        received.add(request);
        Reply reply = responder.reply(received.size(), request);
        try {
            if (reply.delayMillis() > 0) {
                Thread.sleep(reply.delayMillis());
            }
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // The sender gave up (timeout) and closed the connection: that is what the test wanted to see.
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
