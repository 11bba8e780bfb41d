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
        // The server answers a body over its 1 MiB limit with 413 from the headers, without reading it, and closes
        // the connection: the client, still writing the body, may see that close before the answer. Such a request is
        // sent again, as a client would; the answer it then reads must be the server's.
        int attempts = body != null && body.length() > MAX_BODY_BYTES ? 3 : 1;
        for (int attempt = 1; ; attempt++) {
            try {
                java.net.http.HttpResponse<String> response = CLIENT.send(request.build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                return new HttpResponse(response.statusCode(), response.body(), response.headers());
            } catch (IOException e) {
                if (attempt < attempts) {
                    continue;
                }
                throw new IllegalStateException(method + " " + path + " failed: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
