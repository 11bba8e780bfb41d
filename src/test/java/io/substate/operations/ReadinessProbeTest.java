package io.substate.operations;

import io.substate.testing.Api;
import io.substate.testing.HttpResponse;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code /health/ready} answers from the background check (README, "Deployment"): any number of probes at once is
 * answered at once and costs the API nothing, on SQLite and PostgreSQL; the check sees the migrations' state.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class ReadinessProbeTest {
    @Parameter
    TestDb db;

    record Timed(int status, long millis) {}

    static Timed timed(Api api, String path) {
        long start = System.nanoTime();
        HttpResponse response = api.get(path);
        return new Timed(response.status(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    @Test
    void fiftyProbesAtOnceAreAllAnsweredReadyAtOnceWhileTheApiKeepsItsPace() throws Exception {
        // A pool of 4 (the tests' default): before, each probe held one of them and asked for a second.
        try (TestServer server = TestServer.start(db, Map.of())) {
            Api admin = server.admin();
            String project = admin.post("/v2/projects", Map.of("name", "Probed")).json().get("id").asText();
            String projectPath = "/v2/projects/" + project;
            for (int i = 0; i < 20; i++) { // warm up both paths
                timed(admin, projectPath);
                timed(server.anonymous(), "/health/ready");
            }
            ExecutorService threads = Executors.newFixedThreadPool(54);
            try {
                AtomicBoolean probing = new AtomicBoolean(true);
                ConcurrentLinkedQueue<Timed> api = new ConcurrentLinkedQueue<>();
                List<Future<?>> clients = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    clients.add(threads.submit(() -> {
                        while (probing.get()) {
                            api.add(timed(admin, projectPath));
                        }
                    }));
                }
                List<Timed> probes = new ArrayList<>();
                for (int round = 0; round < 5; round++) {
                    CountDownLatch go = new CountDownLatch(1);
                    List<Future<Timed>> batch = new ArrayList<>();
                    for (int p = 0; p < 50; p++) {
                        batch.add(threads.submit(() -> {
                            go.await();
                            return timed(server.anonymous(), "/health/ready");
                        }));
                    }
                    go.countDown();
                    for (Future<Timed> probe : batch) {
                        probes.add(probe.get(30, TimeUnit.SECONDS));
                    }
                }
                probing.set(false);
                for (Future<?> client : clients) {
                    client.get(30, TimeUnit.SECONDS);
                }
                assertThat(probes).hasSize(250).allSatisfy(probe -> assertThat(probe.status()).isEqualTo(200));
                // Answered from memory: well under a second even on a busy shared machine (before: up to 2 s, 503).
                assertThat(probes.stream().mapToLong(Timed::millis).max().orElseThrow()).isLessThan(1_500);
                assertThat(api).isNotEmpty().allSatisfy(call -> assertThat(call.status()).isEqualTo(200));
                // The API did not wait for connections the probes held (before: up to the pool's 10 s timeout).
                assertThat(api.stream().mapToLong(Timed::millis).max().orElseThrow()).isLessThan(1_500);
            } finally {
                threads.shutdownNow();
            }
        }
    }

    @Test
    void aDatabaseMissingAMigrationThisServerAppliedIsNotReadyUntilItHasItAgain() throws Exception {
        try (TestServer server = TestServer.start(db, Map.of());
                Connection direct = DriverManager.getConnection(server.databaseUrl());
                Statement sql = direct.createStatement()) {
            Api probe = server.anonymous();
            assertThat(probe.get("/health/ready").json().get("status").asText()).isEqualTo("ready");
            String latest = "(SELECT MAX(installed_rank) FROM flyway_schema_history)";
            // Portable false and true: a restore of an older backup under a running server looks like this.
            sql.executeUpdate("UPDATE flyway_schema_history SET success = (1 = 0) WHERE installed_rank = " + latest);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                HttpResponse ready = probe.get("/health/ready");
                assertThat(ready.status()).isEqualTo(503);
                assertThat(ready.header("Retry-After")).isNotBlank();
                assertThat(ready.json().get("reason").asText()).startsWith("migrations pending");
            });
            sql.executeUpdate("UPDATE flyway_schema_history SET success = (1 = 1) WHERE installed_rank = " + latest);
            await().atMost(Duration.ofSeconds(10)).until(() -> probe.get("/health/ready").status() == 200);
            HttpResponse ready = probe.get("/health/ready");
            assertThat(ready.json().get("database").asText()).isEqualTo(db.label());
            assertThat(ready.json().get("checked_ms_ago").asLong()).isBetween(0L, 5_000L);
        }
    }
}
