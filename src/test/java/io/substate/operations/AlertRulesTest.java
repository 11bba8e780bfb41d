package io.substate.operations;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.common.Json;
import io.substate.testing.Commands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/prometheus/alerts.yml as Prometheus reads it: each rule complete, and Prometheus's own {@code promtool}
 * accepting the file and passing its unit tests (deploy/prometheus/alerts.test.yml: each alert fires on the series
 * that should raise it). {@link MonitoringFilesTest} checks the metrics they name against a running server.
 */
class AlertRulesTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();

    @Test
    void theAlertRulesAreWellFormedAndPassTheirUnitTests() throws Exception {
        Map<String, Object> rules = new Yaml().load(Files.readString(ROOT.resolve("deploy/prometheus/alerts.yml")));
        JsonNode groups = Json.MAPPER.valueToTree(rules).path("groups");
        List<String> alerts = new ArrayList<>();
        for (JsonNode rule : groups.path(0).path("rules")) {
            alerts.add(rule.path("alert").asText());
            assertThat(rule.path("expr").asText()).isNotBlank();
            assertThat(rule.path("labels").path("severity").asText()).isIn("critical", "warning", "info");
            assertThat(rule.path("annotations").path("summary").asText()).isNotBlank();
        }
        assertThat(alerts).contains("SubstateWebhooksFailing", "SubstateDeliveryBacklogOld",
                "SubstateStripeRefreshFailing", "SubstateDatabaseConnectionTimeouts");

        // .ci/run installs Debian's prometheus package for promtool, the authority on rule syntax and semantics.
        assertThat(Commands.run(Duration.ofSeconds(60), "promtool", "check", "rules", "deploy/prometheus/alerts.yml"))
                .contains("SUCCESS");
        assertThat(Commands.run(Duration.ofSeconds(60), "promtool", "test", "rules",
                "deploy/prometheus/alerts.test.yml")).contains("SUCCESS");
    }
}
