package io.substate.delivery;

import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * POSTs one request (a webhook, or a service's API call) and reports what happened. The timeout covers the whole exchange (connect, headers and body), as
 * RevenueCat's "finish the response in 60 s" does; only the first {@link #EXCERPT_BYTES} of the response are kept.
 * Redirects are not followed: a 3xx is a failure, as in Svix.
 */
final class HttpPoster {
    static final int EXCERPT_BYTES = 1024;

    /**
     * One attempt's outcome; {@code statusCode} is null when no response came (see {@code error}). A 2xx with an
     * {@code error} is a service that answered success in the status but refused the event in its body.
     */
    record Result(Integer statusCode, long latencyMillis, String responseExcerpt, String error) {
        boolean succeeded() {
            return statusCode != null && statusCode >= 200 && statusCode < 300 && error == null;
        }
    }

    private final HttpClient client;
    private final Duration timeout;

    HttpPoster(Duration timeout) {
        this.timeout = timeout;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout)
                .build();
    }

    /**
     * Starts the POST and completes with its outcome, never exceptionally; no thread waits for the answer, so many
     * attempts may be in flight at once. One client for all of them: its connections to a receiver are kept alive and
     * reused (HTTP/1.1, one request at a time on each).
     */
    CompletableFuture<Result> send(String url, Map<String, String> headers, String body) {
        long start = System.nanoTime();
        CompletableFuture<HttpResponse<String>> exchange;
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                    .timeout(timeout)
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            headers.forEach(request::header);
            exchange = client.sendAsync(request.build(), info -> new ExcerptSubscriber());
        } catch (IllegalArgumentException e) {
            // Not the exception's message: it may quote the URL or a header, and a service's URL or key is a secret.
            return CompletableFuture.completedFuture(
                    new Result(null, elapsed(start), null, "invalid request: the URL or a header cannot be sent"));
        }
        // The request's own timeout stops at the response headers; this one covers the body too. It runs on a copy,
        // so that the exchange itself is still open when it is cancelled (which closes its connection).
        CompletableFuture<HttpResponse<String>> bounded = new CompletableFuture<>();
        exchange.whenComplete((response, failure) -> {
            if (failure == null) {
                bounded.complete(response);
            } else {
                bounded.completeExceptionally(failure);
            }
        });
        return bounded.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).handle((response, failure) -> {
            if (failure == null) {
                return new Result(response.statusCode(), elapsed(start), response.body(), null);
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof TimeoutException) {
                exchange.cancel(true);
                return new Result(null, elapsed(start), null, timedOut());
            }
            return new Result(null, elapsed(start), null, describe(cause));
        });
    }

    private String timedOut() {
        return "timeout: no complete response within " + timeout.toMillis() + " ms";
    }

    private String describe(Throwable cause) {
        if (cause instanceof HttpTimeoutException) {
            return timedOut();
        }
        if (cause instanceof ConnectException) {
            return "connection failed: " + (cause.getMessage() == null ? "refused" : cause.getMessage());
        }
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static long elapsed(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    /** Keeps the first bytes of the body and stops reading there, so a huge or endless response costs nothing. */
    private static final class ExcerptSubscriber implements BodySubscriber<String> {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<String> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        @Override
        public CompletionStage<String> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                int take = Math.min(buffer.remaining(), EXCERPT_BYTES - bytes.size());
                byte[] chunk = new byte[take];
                buffer.get(chunk);
                bytes.write(chunk, 0, take);
            }
            if (bytes.size() >= EXCERPT_BYTES) {
                subscription.cancel();
                finish();
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            finish();
        }

        private void finish() {
            result.complete(new String(bytes.toByteArray(), StandardCharsets.UTF_8));
        }
    }
}
