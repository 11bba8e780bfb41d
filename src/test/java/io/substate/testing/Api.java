package io.substate.testing;

import io.substate.common.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** A real HTTP client for a running server; every test request goes over the loopback network. */
public final class Api {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** The server's limit on request bodies (http/HttpServer). */
    private static final int MAX_BODY_BYTES = 1024 * 1024;
    private final String baseUrl;
    private final String token;
    private final Map<String, String> headers;

    public Api(String baseUrl, String token) {
        this(baseUrl, token, Map.of());
    }

    private Api(String baseUrl, String token, Map<String, String> headers) {
        this.baseUrl = baseUrl;
        this.token = token;
        this.headers = headers;
    }

    /** The same server with another bearer token (null for none). */
    public Api withToken(String newToken) {
        return new Api(baseUrl, newToken, headers);
    }

    public Api withHeader(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return new Api(baseUrl, token, copy);
    }

    public String baseUrl() {
        return baseUrl;
    }

    public HttpResponse get(String path) {
        return send("GET", path, null);
    }

    public HttpResponse delete(String path) {
        return send("DELETE", path, null);
    }

    public HttpResponse post(String path, Object body) {
        return send("POST", path, body instanceof String s ? s : Json.write(body));
    }

    public HttpResponse patch(String path, Object body) {
        return send("PATCH", path, body instanceof String s ? s : Json.write(body));
    }

    /** Posts a Stripe event as Stripe does: raw body and a Stripe-Signature header. */
    public HttpResponse postStripe(String path, String payload, String signature) {
        Api signed = signature == null ? this : withHeader("Stripe-Signature", signature);
        return signed.send("POST", path, payload);
    }

    public HttpResponse send(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        headers.forEach(request::header);
        if (body != null && body.length() > MAX_BODY_BYTES) {
            return sendOversized(method, path, body);
        }
        try {
            java.net.http.HttpResponse<String> response = CLIENT.send(request.build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return new HttpResponse(response.statusCode(), response.body(), response.headers());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A body over the server's limit, sent as a careful client does: the headers (with the whole length) and its first
     * bytes, then the answer is read. The server answers 413 from the headers without reading the body and closes the
     * connection, so a client still writing the rest would race that close and could lose the answer.
     */
    private HttpResponse sendOversized(String method, String path, String body) {
        URI uri = URI.create(baseUrl + path);
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(method + " " + uri.getRawPath()
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()) + " HTTP/1.1\r\n");
        head.append("Host: ").append(uri.getHost()).append(':').append(uri.getPort()).append("\r\n");
        head.append("Content-Type: application/json\r\nContent-Length: ").append(bytes.length).append("\r\n");
        if (token != null) {
            head.append("Authorization: Bearer ").append(token).append("\r\n");
        }
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("Connection: close\r\n\r\n");
        try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(30_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            out.write(bytes, 0, Math.min(bytes.length, 16 * 1024));
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            int blank = answer.indexOf("\r\n\r\n");
            String[] lines = answer.substring(0, blank).split("\r\n");
            Map<String, java.util.List<String>> answerHeaders = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                answerHeaders.computeIfAbsent(lines[i].substring(0, colon).trim(), k -> new java.util.ArrayList<>())
                        .add(lines[i].substring(colon + 1).trim());
            }
            return new HttpResponse(Integer.parseInt(lines[0].split(" ")[1]), answer.substring(blank + 4),
                    java.net.http.HttpHeaders.of(answerHeaders, (a, b) -> true));
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed: " + e.getMessage(), e);
        }
    }
}
