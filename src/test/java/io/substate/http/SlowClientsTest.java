package io.substate.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.common.Json;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clients that send request bodies slowly, or declare bodies they never send, cannot take the request threads that
 * {@code /health/live} and the API need (README, "Security"). The server here has short limits so the test is quick.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowClientsTest {
    private static final Pattern STATUS = Pattern.compile("^HTTP/1\\.1 (\\d{3})");
    private static final int SLOW_CLIENTS = 200;
    private static final int MAX_BODY_READS = 32;

    @Parameter
    TestDb db;

    private TestServer server;
    /** The database of {@link #server}: the class's instance may be reused for the next parameter. */
    private TestDb serverDb;
    private StripeApp app;

    /** Started before the first test: the parameter is not set yet in {@code @BeforeAll}. */
    @BeforeEach
    void start() {
        if (server != null && serverDb == db) {
            return;
        }
        if (server != null) {
            server.close();
        }
        serverDb = db;
        server = TestServer.start(db, Map.of(
                "SUBSTATE_HTTP_IDLE_TIMEOUT", "3s",
                "SUBSTATE_HTTP_BODY_TIMEOUT", "3s",
                "SUBSTATE_HTTP_MAX_BODY_READS", Integer.toString(MAX_BODY_READS)));
        app = Fixtures.stripeApp(server.admin(), Map.of("webhook_secret", "whsec_slowclients"));
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void slowBodiesToTheWebhookEndpointLeaveHealthAndTheApiFast() throws Exception {
        String subscriber = "/v1/subscribers/slow-clients-" + db;
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        assertThat(get(client, subscriber).statusCode()).isIn(200, 201);

        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < SLOW_CLIENTS; i++) {
                Socket socket = new Socket("127.0.0.1", server.substate().port());
                socket.getOutputStream().write(head(app.webhookPath(), 1000).getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                slow.add(socket);
            }
            Trickle trickle = new Trickle(slow);
            trickle.start();

            // A healthy client while the slow ones send a byte every second; each call must stay fast, and no more
            // request threads than SUBSTATE_HTTP_MAX_BODY_READS may wait for a body (this server runs in this JVM).
            List<Long> millis = new ArrayList<>();
            int mostReading = 0;
            long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
            while (System.nanoTime() < end) {
                for (String path : List.of("/health/live", subscriber)) {
                    long started = System.nanoTime();
                    int status;
                    try {
                        status = get(client, path).statusCode();
                    } catch (java.net.http.HttpTimeoutException e) {
                        status = -1;
                    }
                    millis.add((System.nanoTime() - started) / 1_000_000);
                    assertThat(status).as(path + " answered within the client's 10 s").isIn(200, 201);
                }
                mostReading = Math.max(mostReading, threadsReadingBodies());
                Thread.sleep(100);
            }
            trickle.interrupt();
            trickle.join();
            List<Long> sorted = millis.stream().sorted().toList();
            long median = sorted.get(sorted.size() / 2);
            System.out.printf("slow clients (%s): %d healthy calls, median %d ms, slowest %d ms; at most %d threads "
                    + "reading bodies%n", db, sorted.size(), median, sorted.get(sorted.size() - 1), mostReading);
            assertThat(mostReading).as("request threads waiting for a body").isLessThanOrEqualTo(MAX_BODY_READS);
            // Loose bounds: the test machine may be shared; starved threads would time out instead.
            assertThat(median).as("median healthy call, ms").isLessThan(250);

            // Every slow client was answered (503 busy, 408 too slow) or cut off by now: none holds a thread.
            Map<String, Integer> outcomes = new java.util.TreeMap<>();
            for (Socket socket : slow) {
                Read read = read(socket, 50);
                assertThat(read.closed() || read.text() != null).as("slow client answered or closed").isTrue();
                if (read.text() != null) {
                    assertThat(status(read.text())).as(read.text()).isIn(400, 408, 503);
                }
                outcomes.merge(read.text() == null ? "closed" : Integer.toString(status(read.text())), 1, Integer::sum);
            }
            System.out.printf("slow clients (%s): %s%n", db, outcomes);
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }

    @Test
    void aDeclaredBodyOver1MiBIsRefusedBeforeAnyOfItIsSent() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.substate().port())) {
            socket.getOutputStream().write(head(app.webhookPath(), 2 * 1024 * 1024).getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String response = readResponse(socket, 2000);
            assertThat(status(response)).as(response).isEqualTo(413);
            assertThat(jsonBody(response).get("code").asText()).isEqualTo("payload_too_large");
        }
    }

    @Test
    void aDeliveryToAnUnknownAppIsRefusedBeforeItsBodyIsSent() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.substate().port())) {
            socket.getOutputStream().write(head("/v1/incoming-webhooks/stripe/app_unknown_" + db, 1000)
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String response = readResponse(socket, 2000);
            assertThat(status(response)).as(response).isEqualTo(404);
            assertThat(jsonBody(response).get("code").asText()).isEqualTo("resource_missing");
        }
    }

    @Test
    void aBodyThatStopsComingIsCutOffAfterTheIdleTimeout() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.substate().port())) {
            socket.getOutputStream().write((head(app.webhookPath(), 100) + "{\"id\":").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            long started = System.nanoTime();
            String response = readResponse(socket, 6000);
            long millis = (System.nanoTime() - started) / 1_000_000;
            // The idle timeout (3 s) ends the wait; the answer is the client's mistake, never a 5xx.
            assertThat(response == null ? 0 : status(response)).as(response).isIn(0, 400, 408);
            assertThat(millis).isLessThan(5000);
        }
    }

    private HttpResponse<String> get(HttpClient client, String path) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .timeout(Duration.ofSeconds(10));
        if (path.startsWith("/v1/")) {
            request.header("Authorization", "Bearer " + app.publicKey());
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The server's request threads blocked reading a request body right now. */
    private static int threadsReadingBodies() {
        int reading = 0;
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            if (e.getKey().getName().startsWith("http") && java.util.Arrays.stream(e.getValue())
                    .anyMatch(f -> f.getClassName().endsWith(".HttpInput") && f.getMethodName().equals("read"))) {
                reading++;
            }
        }
        return reading;
    }

    private static String head(String path, long contentLength) {
        return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Stripe-Signature: t=1,v1=00\r\nContent-Length: " + contentLength + "\r\n\r\n";
    }

    /** Sends one byte of each slow body every second, as long as the server keeps the connection. */
    private static final class Trickle extends Thread {
        private final List<Socket> sockets;

        Trickle(List<Socket> sockets) {
            super("trickle");
            this.sockets = sockets;
            setDaemon(true);
        }

        @Override
        public void run() {
            boolean[] closed = new boolean[sockets.size()];
            try {
                for (int round = 0; round < 30 && !isInterrupted(); round++) {
                    for (int i = 0; i < sockets.size(); i++) {
                        if (closed[i]) {
                            continue;
                        }
                        try {
                            OutputStream out = sockets.get(i).getOutputStream();
                            out.write(' ');
                            out.flush();
                        } catch (IOException e) {
                            closed[i] = true;
                        }
                    }
                    Thread.sleep(1000);
                }
            } catch (InterruptedException e) {
                // done
            }
        }
    }

    /** What the server sent (null: nothing), and whether it closed the connection. */
    private record Read(String text, boolean closed) {}

    /** The response's bytes until the server stops sending for {@code waitMillis}, or null when it sent none. */
    private static String readResponse(Socket socket, int waitMillis) throws IOException {
        return read(socket, waitMillis).text();
    }

    private static Read read(Socket socket, int waitMillis) throws IOException {
        socket.setSoTimeout(waitMillis);
        boolean closed = false;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        try {
            while (true) {
                int n = in.read(buffer);
                if (n < 0) {
                    closed = true;
                    break;
                }
                bytes.write(buffer, 0, n);
                if (complete(bytes.toString(StandardCharsets.UTF_8))) {
                    break;
                }
                socket.setSoTimeout(50);
            }
        } catch (SocketTimeoutException e) {
            // nothing more for now
        } catch (IOException e) {
            closed = true; // reset by the server
        }
        return new Read(bytes.size() == 0 ? null : bytes.toString(StandardCharsets.UTF_8), closed);
    }

    private static boolean complete(String response) {
        int headEnd = response.indexOf("\r\n\r\n");
        if (headEnd < 0) {
            return false;
        }
        Matcher m = Pattern.compile("(?i)content-length: *(\\d+)").matcher(response.substring(0, headEnd));
        return m.find() && response.length() - headEnd - 4 >= Integer.parseInt(m.group(1));
    }

    private static int status(String response) {
        Matcher m = STATUS.matcher(response == null ? "" : response);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static JsonNode jsonBody(String response) {
        return Json.read(response.substring(response.indexOf("\r\n\r\n") + 4));
    }
}
