package io.substate.projects;

import io.substate.http.ProjectKey;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Recently authenticated keys, by the SHA-256 of the token, so that a client calling {@code /v2} many times a second
 * costs one database read per key every {@link #TTL} instead of one per request. Only keys that exist are kept (an
 * unknown token is read again each time, so random tokens cannot fill the map), and the map is emptied when it grows
 * past {@link #MAX_ENTRIES}. A key revoked through this instance is forgotten at once ({@link #forget}); one revoked
 * through another instance sharing the database stops working here within {@link #TTL}.
 */
final class ApiKeyCache {
    static final Duration TTL = Duration.ofSeconds(10);
    static final int MAX_ENTRIES = 10_000;

    /** keyId: the api_keys row, or {@code project:<id>} for a project's own secret key (forgotten when rolled). */
    private record Entry(ProjectKey key, String keyId, long loadedAtNanos) {}

    /** What a lookup found: the key and, for a made key, its row id. */
    record Found(ProjectKey key, String keyId) {}

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    /** Counts revocations: a key read before one is not remembered, in case it is the key just revoked. */
    private final AtomicLong revocations = new AtomicLong();

    Optional<ProjectKey> find(String sha256Hex, Function<String, Optional<Found>> load) {
        long now = System.nanoTime();
        Entry entry = entries.get(sha256Hex);
        if (entry != null && now - entry.loadedAtNanos() < TTL.toNanos()) {
            return Optional.of(entry.key());
        }
        long revocationsBefore = revocations.get();
        Optional<Found> found = load.apply(sha256Hex);
        if (found.isEmpty()) {
            entries.remove(sha256Hex);
            return Optional.empty();
        }
        if (entries.size() >= MAX_ENTRIES) {
            entries.clear();
        }
        entries.put(sha256Hex, new Entry(found.get().key(), found.get().keyId(), now));
        if (revocations.get() != revocationsBefore) {
            entries.remove(sha256Hex);
        }
        return Optional.of(found.get().key());
    }

    /** Forgets the key with this id (revoked or rolled): the next request with it reads the database. */
    void forget(String keyId) {
        revocations.incrementAndGet();
        entries.values().removeIf(e -> keyId.equals(e.keyId()));
    }
}
