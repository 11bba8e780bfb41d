package io.substate.entitlements;

import static org.assertj.core.api.Assertions.assertThat;

import io.substate.testing.Api;
import io.substate.testing.HttpResponse;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Racing creates of the same key: exactly one wins, the others get 409, never a 5xx. */
@ParameterizedClass
@EnumSource(TestDb.class)
class ConcurrentCreateTest {
    static final int RACERS = 8;

    @Parameter
    TestDb db;

    Api admin() {
        return TestServer.shared(db).admin();
    }

    @Test
    void oneOfManyConcurrentEntitlementsWithTheSameLookupKeyWins() throws Exception {
        String project = "/v2/projects/" + admin().post("/v2/projects", Map.of("name", "Race")).json().get("id").asText();

        List<HttpResponse> responses = race(() -> admin().post(project + "/entitlements",
                Map.of("lookup_key", "premium", "display_name", "Premium")));

        assertThat(responses).extracting(HttpResponse::status).containsOnly(201, 409).containsOnlyOnce(201);
        assertThat(admin().get(project + "/entitlements").json().get("items")).hasSize(1);
    }

    @Test
    void oneOfManyConcurrentProductsWithTheSameStoreIdentifierWins() throws Exception {
        String project = "/v2/projects/" + admin().post("/v2/projects", Map.of("name", "Race")).json().get("id").asText();
        String appId = admin().post(project + "/apps", Map.of("name", "Web", "type", "stripe")).json().get("id").asText();

        List<HttpResponse> responses = race(() -> admin().post(project + "/products",
                Map.of("store_identifier", "prod_Race", "app_id", appId, "type", "subscription")));

        assertThat(responses).extracting(HttpResponse::status).containsOnly(201, 409).containsOnlyOnce(201);
        assertThat(admin().get(project + "/products").json().get("items")).hasSize(1);
    }

    static List<HttpResponse> race(Supplier<HttpResponse> request) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(RACERS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<HttpResponse>> futures = new ArrayList<>();
            for (int i = 0; i < RACERS; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return request.get();
                }));
            }
            start.countDown();
            List<HttpResponse> responses = new ArrayList<>();
            for (Future<HttpResponse> future : futures) {
                responses.add(future.get());
            }
            return responses;
        } finally {
            pool.shutdownNow();
        }
    }
}
