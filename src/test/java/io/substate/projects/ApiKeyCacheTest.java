package io.substate.projects;

import static org.assertj.core.api.Assertions.assertThat;

import io.substate.http.Access;
import io.substate.http.ProjectKey;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ApiKeyCacheTest {
    final ApiKeyCache cache = new ApiKeyCache();
    final AtomicInteger loads = new AtomicInteger();
    final ApiKeyCache.Found key = new ApiKeyCache.Found(new ProjectKey("projA", Access.READ_ONLY), "keyA");

    Optional<ProjectKey> find() {
        return cache.find("sha", sha -> {
            loads.incrementAndGet();
            return Optional.of(key);
        });
    }

    @Test
    void aFoundKeyIsReadOnceAndForgottenWhenRevoked() {
        assertThat(find()).contains(key.key());
        assertThat(find()).contains(key.key());
        assertThat(loads).hasValue(1);

        cache.forget("keyA");

        assertThat(cache.find("sha", sha -> Optional.empty())).isEmpty();
    }

    @Test
    void unknownTokensAreNeverRemembered() {
        assertThat(cache.find("nope", sha -> {
            loads.incrementAndGet();
            return Optional.empty();
        })).isEmpty();
        cache.find("nope", sha -> {
            loads.incrementAndGet();
            return Optional.empty();
        });
        assertThat(loads).hasValue(2);
    }

    @Test
    void aKeyReadWhileItIsRevokedIsNotRemembered() {
        // The read saw the row just before the revocation deleted it; the revocation forgot before the read stored.
        assertThat(cache.find("sha", sha -> {
            cache.forget("keyA");
            return Optional.of(key);
        })).contains(key.key());

        assertThat(cache.find("sha", sha -> Optional.empty())).isEmpty();
    }
}
