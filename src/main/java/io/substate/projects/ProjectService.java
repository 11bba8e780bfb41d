package io.substate.projects;

import io.substate.common.ApiException;
import io.substate.http.Page;
import io.substate.storage.Ids;
import java.time.Clock;
import io.substate.http.Access;
import io.substate.http.ProjectKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Projects: create, read, rename, change the transfer behavior; and their API keys for {@code /v2}. */
public final class ProjectService {
    private static final Logger LOG = LoggerFactory.getLogger(ProjectService.class);
    /** last_used_at is written at most this often per key (and instance), not on every request. */
    static final Duration LAST_USED_PRECISION = Duration.ofMinutes(1);
    static final int MAX_KEY_NAME = 255;

    private final ProjectRepository repository;
    private final ApiKeyRepository keys;
    private final ApiKeyCache keyCache = new ApiKeyCache();
    private final Clock clock;

    public ProjectService(Jdbi jdbi, Clock clock) {
        this.repository = new ProjectRepository(jdbi);
        this.keys = new ApiKeyRepository(jdbi);
        this.clock = clock;
    }

    /** Makes a project; the answer holds its secret key in clear, which is stored as its SHA-256 only. */
    public NewSecretKey create(String name, Optional<TransferBehavior> transferBehavior) {
        String key = Ids.secretApiKey();
        Project project = new Project(Ids.projectId(), name, hint(key),
                transferBehavior.orElse(TransferBehavior.TRANSFER), clock.millis());
        repository.insert(project, sha256Hex(key));
        return new NewSecretKey(project, key);
    }

    /**
     * Replaces the project's secret key with a new one, answered once; the old one stops authenticating at once on
     * this instance, and within {@link ApiKeyCache#TTL} on others sharing the database ({@code /v2}; {@code /v1}
     * reads the database on every request).
     */
    public NewSecretKey rollSecretKey(String projectId) {
        String key = Ids.secretApiKey();
        try {
            if (!repository.replaceSecretKey(projectId, sha256Hex(key), hint(key))) {
                throw ApiException.notFound("Project", projectId);
            }
        } finally {
            keyCache.forget(projectKeyId(projectId));
        }
        return new NewSecretKey(get(projectId), key);
    }

    /** Hashes the secret keys stored in clear by versions before V21 (at start); answers how many. */
    public int hashClearSecretKeys() {
        return repository.hashClearKeys();
    }

    /** What is shown of a secret key after it is made: its prefix and last 4 characters. */
    static String hint(String key) {
        return "sk_\u2026" + key.substring(key.length() - 4);
    }

    /** The cache's name for a project's own secret key, so that a roll can forget it. */
    private static String projectKeyId(String projectId) {
        return "project:" + projectId;
    }

    public Project get(String id) {
        return repository.find(id).orElseThrow(() -> ApiException.notFound("Project", id));
    }

    /**
     * The project key a bearer token is, for {@code AdminAuth}: a key made for the project (read-only or read-write,
     * found by its SHA-256), or the project's own secret key, which reads and writes. Runs on every {@code /v2} call
     * with a key, so found keys are remembered briefly ({@link ApiKeyCache}); revoking forgets at once.
     */
    public Optional<ProjectKey> findKey(String token) {
        if (!token.startsWith("sk_")) {
            return Optional.empty();
        }
        return keyCache.find(sha256Hex(token), sha -> token.startsWith(Ids.PROJECT_API_KEY_PREFIX)
                ? keys.findBySha256(sha).map(this::used)
                : repository.findBySecretKeyHash(sha).map(p -> new ApiKeyCache.Found(
                        new ProjectKey(p.id(), Access.READ_WRITE), projectKeyId(p.id()))));
    }

    private ApiKeyCache.Found used(ApiKey key) {
        long now = clock.millis();
        if (key.lastUsedAt() == null || now - key.lastUsedAt() >= LAST_USED_PRECISION.toMillis()) {
            try {
                keys.touch(key.id(), now);
            } catch (RuntimeException e) {
                // Bookkeeping only: a busy database must not refuse a valid key. The next check writes it again.
                LOG.warn("Could not record when API key {} was last used: {}", key.id(), e.getMessage());
            }
        }
        return new ApiKeyCache.Found(new ProjectKey(key.projectId(), key.permissions()), key.id());
    }

    /** Makes an API key for the project; the answer holds the key in clear, which is never stored or shown again. */
    public NewApiKey createKey(String projectId, String name, Access permissions) {
        get(projectId);
        if (name.length() > MAX_KEY_NAME) {
            throw ApiException.invalid("Field 'name' is longer than " + MAX_KEY_NAME + " characters");
        }
        String key = Ids.projectApiKey();
        ApiKey stored = new ApiKey(Ids.apiKeyId(), projectId, name, permissions, key.substring(key.length() - 4),
                clock.millis(), null);
        keys.insert(stored, sha256Hex(key));
        return new NewApiKey(stored, key);
    }

    public ApiKey getKey(String projectId, String keyId) {
        get(projectId);
        return keys.find(projectId, keyId).orElseThrow(() -> ApiException.notFound("API key", keyId));
    }

    public Page<ApiKey> listKeys(String projectId, String startingAfter, int limit) {
        get(projectId);
        if (startingAfter != null) {
            getKey(projectId, startingAfter);
        }
        return Page.of(keys.list(projectId, startingAfter, limit), limit);
    }

    /** Deletes the key; from the answer on, it authenticates nowhere on this instance (see {@link ApiKeyCache}). */
    public long revokeKey(String projectId, String keyId) {
        get(projectId);
        try {
            if (!keys.delete(projectId, keyId)) {
                throw ApiException.notFound("API key", keyId);
            }
        } finally {
            keyCache.forget(keyId);
        }
        return clock.millis();
    }

    /**
     * Keys are stored as their SHA-256, unsalted and fast, which is right for these: they are 238 random bits, so
     * no dictionary or brute force reaches them, and a fast digest keeps the per-request lookup cheap. (A slow,
     * salted hash is for passwords people choose; it would also make the lookup by hash impossible.)
     */
    static String sha256Hex(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The project whose secret key this is (found by its SHA-256: the key itself is not stored). */
    public Optional<Project> findBySecretKey(String key) {
        return repository.findBySecretKeyHash(sha256Hex(key));
    }

    public Page<Project> list(String startingAfter, int limit) {
        if (startingAfter != null) {
            get(startingAfter);
        }
        return Page.of(repository.list(startingAfter, limit), limit);
    }

    public Project update(String id, Optional<String> name, Optional<TransferBehavior> transferBehavior) {
        Project current = get(id);
        Project next = new Project(id, name.orElse(current.name()), current.secretApiKeyHint(),
                transferBehavior.orElse(current.transferBehavior()), current.createdAt());
        repository.update(next);
        return next;
    }
}
