package io.substate.http;

import io.javalin.http.Context;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * Reading request bodies, bounded. A handler blocks its thread while a body arrives, so clients sending bodies slowly
 * (a byte every few seconds) could hold every request thread and starve {@code /health/live} and the API. Here at most
 * {@code maxReads} bodies are read at once (one more is answered 503 {@code server_busy} at once), each within
 * {@code timeout}; Jetty's minimum data rate and idle timeout (set in {@link HttpServer}) end a trickle or a silence
 * sooner, and every read below fails instead of waiting on.
 */
public final class BodyReads {
    static final String ATTRIBUTE = "substate.bodyReads";

    private final Semaphore permits;
    private final long timeoutNanos;

    public BodyReads(int maxReads, java.time.Duration timeout) {
        this.permits = new Semaphore(maxReads);
        this.timeoutNanos = timeout.toNanos();
    }

    /** Lets {@link Requests} find the server's limits from a request. */
    void attach(Context ctx) {
        ctx.attribute(ATTRIBUTE, this);
    }

    static BodyReads of(Context ctx) {
        return ctx.attribute(ATTRIBUTE);
    }

    /** Runs {@code reader} with a permit, or refuses the request with 503 when every permit is taken. */
    <T> T withPermit(Context ctx, IoReader<T> reader) {
        if (!permits.tryAcquire()) {
            ctx.header("Retry-After", "1");
            throw new ApiException(ErrorCode.SERVER_BUSY, "Too many request bodies are arriving at once; retry in a "
                    + "second", Map.of());
        }
        try {
            return reader.read(System.nanoTime() + timeoutNanos);
        } finally {
            permits.release();
        }
    }

    /**
     * Reads up to {@code max} bytes until the end of the body, checking the deadline between reads (each read returns
     * as soon as some bytes arrived, or fails once the connection was idle for the idle timeout). A body that does not
     * end in time is a 408; one longer than {@code max} is a 413.
     */
    static byte[] readAll(InputStream in, int expected, long max, long deadlineNanos) throws IOException {
        byte[] buffer = new byte[expected >= 0 ? expected : 8192];
        int length = 0;
        while (true) {
            if (System.nanoTime() - deadlineNanos > 0) {
                throw tooSlow();
            }
            if (length == buffer.length) {
                if (expected >= 0) {
                    return buffer;
                }
                if (buffer.length >= max) {
                    if (in.read() < 0) {
                        return buffer;
                    }
                    throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "The request body is larger than 1 MiB");
                }
                buffer = Arrays.copyOf(buffer, (int) Math.min(max, (long) buffer.length * 2));
            }
            int n = in.read(buffer, length, buffer.length - length);
            if (n < 0) {
                return length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
            }
            length += n;
        }
    }

    static ApiException tooSlow() {
        return new ApiException(ErrorCode.REQUEST_TIMEOUT, "The request body arrived too slowly; send it at once");
    }

    @FunctionalInterface
    interface IoReader<T> {
        T read(long deadlineNanos);
    }
}
