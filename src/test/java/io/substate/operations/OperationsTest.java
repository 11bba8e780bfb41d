package io.substate.operations;

import static org.assertj.core.api.Assertions.assertThat;

import io.substate.testing.Api;
import io.substate.testing.HttpResponse;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Health checks and metrics, as a load balancer and Prometheus see them. */
class OperationsTest {
    Api anonymous(TestDb db) {
        return TestServer.shared(db).anonymous();
    }

    @Test
    void livenessNeedsNoToken() {
        HttpResponse live = anonymous(TestDb.SQLITE).get("/health/live");

        assertThat(live.status()).isEqualTo(200);
        assertThat(live.json().get("status").asText()).isEqualTo("live");
    }

    @Test
    void readinessReportsTheDatabase() {
        for (TestDb db : TestDb.values()) {
            HttpResponse ready = anonymous(db).get("/health/ready");

            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.header("Content-Type")).startsWith("application/json");
            assertThat(ready.json().get("status").asText()).isEqualTo("ready");
            assertThat(ready.json().get("database").asText()).isEqualTo(db.label());
        }
    }

    @Test
    void aServerWhoseDatabaseIsGoneIsNotReadyButStillLive() throws Exception {
        try (TestServer server = TestServer.start(TestDb.POSTGRESQL, Map.of())) {
            assertThat(server.anonymous().get("/health/ready").status()).isEqualTo(200);
            String name = server.databaseUrl().replaceFirst(".*/([a-z0-9_]+)\\?.*", "$1");

            try (Connection c = DriverManager.getConnection(TestDb.PG_ADMIN_URL); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE " + name + " WITH (FORCE)");
            }

            // The background check runs every second: the probes see it within a few, each answered at once.
            long dropped = System.nanoTime();
            HttpResponse ready;
            do {
                long start = System.nanoTime();
                ready = server.anonymous().get("/health/ready");
                long tookMs = (System.nanoTime() - start) / 1_000_000;
                assertThat(tookMs).as("a probe must not hang").isLessThan(1_000);
                assertThat((System.nanoTime() - dropped) / 1_000_000).as("not ready within seconds").isLessThan(8_000);
                Thread.sleep(100);
            } while (ready.status() == 200);
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.json().get("status").asText()).isEqualTo("not_ready");
            assertThat(ready.json().get("reason").asText()).isEqualTo("database unreachable");
            assertThat(server.anonymous().get("/health/live").status()).isEqualTo(200);
        }
    }

    @Test
    void metricsCountRequestsByRouteTemplateAndStatus() {
        Api api = TestServer.shared(TestDb.SQLITE).admin();
        api.get("/v2/projects/projMetricsProbe");

        HttpResponse metrics = anonymous(TestDb.SQLITE).get("/metrics");

        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.header("Content-Type")).startsWith("text/plain");
        assertThat(metrics.body()).containsPattern(
                "http_server_requests_seconds_count\\{[^}]*route=\"/v2/projects/\\{project_id}\"[^}]*status=\"404\"[^}]*} [1-9]");
        assertThat(metrics.body()).doesNotContain("projMetricsProbe");
        assertThat(metrics.body()).contains("jvm_memory_used_bytes");
    }
}
