package io.substate.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.substate.config.Settings;
import io.substate.testing.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The container files ({@code Dockerfile}, {@code compose.yaml}, {@code deploy/haproxy.cfg}) read as Docker, Compose
 * and HAProxy would read them. This machine cannot pull images, so instead of building them the test checks what
 * they promise: a multi-stage build by the Maven wrapper, a non-root user, the port, the health check, the data
 * volume, the heap from the container's limit, and environments that Substate's own settings parser accepts.
 */
class ContainerFilesTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Pattern SUBSTITUTION = Pattern.compile("\\$\\{([A-Z_]+)(?::?[-?]([^}]*))?}");

    record Instruction(String keyword, String arguments) {}

    record Stage(String from, String name, List<Instruction> instructions) {
        List<String> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
        }

        String last(String keyword) {
            List<String> found = all(keyword);
            assertThat(found).as("%s in stage %s", keyword, from).isNotEmpty();
            return found.get(found.size() - 1);
        }
    }

    @Test
    void theImageIsBuiltByTheWrapperAndRunsTheJarAsANonRootUser() throws IOException {
        List<Stage> stages = dockerfileStages();
        assertThat(stages).hasSize(2);
        Stage build = stages.get(0);
        Stage run = stages.get(1);

        assertThat(build.from()).isEqualTo("eclipse-temurin:${JAVA_VERSION}-jdk");
        assertThat(build.name()).isEqualTo("build");
        assertThat(build.all("RUN")).anyMatch(r -> r.contains("./mvnw") && r.contains("package"));
        for (String copy : build.all("COPY")) {
            String[] parts = copy.split("\\s+");
            for (int i = 0; i < parts.length - 1; i++) {
                assertThat(ROOT.resolve(parts[i])).as("what the build stage copies exists").exists();
            }
        }
        // The JRE, not the JDK, runs the jar the build stage made.
        assertThat(run.from()).isEqualTo("eclipse-temurin:${JAVA_VERSION}-jre");
        assertThat(run.all("COPY")).contains("--from=build /build/substate.jar /app/substate.jar");
        assertThat(dockerfileArgs()).containsEntry("JAVA_VERSION", "17");

        String user = run.last("USER");
        assertThat(user).isNotIn("root", "0").isEqualTo("substate");
        assertThat(run.all("RUN")).anyMatch(r -> r.contains("useradd --system --uid \"${SUBSTATE_UID}\""));
        assertThat(run.instructions().indexOf(new Instruction("USER", user)))
                .as("USER comes after everything that needs root")
                .isGreaterThan(run.instructions().stream().map(Instruction::keyword).toList().lastIndexOf("RUN"));

        Map<String, String> env = envOf(run.last("ENV"));
        assertThat(run.last("EXPOSE")).isEqualTo(env.get("SUBSTATE_PORT"));
        assertThat(run.last("VOLUME")).isEqualTo("/data");
        assertThat(env.get("SUBSTATE_DATABASE_URL")).isEqualTo("jdbc:sqlite:/data/substate.db");
        assertThat(run.last("HEALTHCHECK"))
                .contains("CMD curl -fsS \"http://127.0.0.1:${SUBSTATE_PORT}/health/ready\"");
        assertThat(run.last("ENTRYPOINT")).isEqualTo("[\"java\", \"-XX:MaxRAMPercentage=75\", "
                + "\"-XX:+ExitOnOutOfMemoryError\", \"-jar\", \"/app/substate.jar\"]");
        assertThat(run.last("CMD")).isEqualTo("[\"serve\"]");
        // The settings the image sets are ones Substate accepts.
        assertThatCode(() -> Settings.fromEnvironment(env)).doesNotThrowAnyException();

        assertThat(Files.readAllLines(ROOT.resolve(".dockerignore"))).contains("target/", "data/", ".git/");
    }

    @Test
    void composeRunsTwoInstancesOnOnePostgresqlBehindTheLoadBalancer() throws IOException {
        // SnakeYAML (under Jackson's YAML module) resolves the anchor and merge key (<<) the instances share, as
        // Compose does; Jackson's own YAML tree would leave the alias's name instead.
        Object yaml = new Yaml().load(Files.readString(ROOT.resolve("compose.yaml")));
        JsonNode compose = new ObjectMapper().valueToTree(yaml);
        JsonNode services = compose.path("services");
        JsonNode postgres = services.path("postgres");
        assertThat(postgres.path("image").asText()).startsWith("postgres:");
        assertThat(postgres.path("healthcheck").path("test").toString()).contains("pg_isready");

        List<String> instances = new ArrayList<>();
        services.fieldNames().forEachRemaining(name -> {
            if (services.path(name).path("build").asText().equals(".")) {
                instances.add(name);
            }
        });
        assertThat(instances).containsExactly("substate-1", "substate-2");

        Map<String, String> given = Map.of("POSTGRES_PASSWORD", "compose-test-password",
                "SUBSTATE_ADMIN_TOKEN", "compose-test-admin-token-0123456789",
                "SUBSTATE_ENCRYPTION_KEY", Base64.getEncoder().encodeToString(new byte[32]));
        Map<String, String> postgresEnv = environment(postgres, given);
        List<Map<String, String>> envs = new ArrayList<>();
        for (String name : instances) {
            JsonNode instance = services.path(name);
            assertThat(instance.path("depends_on").path("postgres").path("condition").asText())
                    .isEqualTo("service_healthy");
            Map<String, String> env = environment(instance, given);
            assertThat(env.get("SUBSTATE_DATABASE_URL"))
                    .isEqualTo("jdbc:postgresql://postgres:5432/" + postgresEnv.get("POSTGRES_DB"));
            assertThat(env.get("SUBSTATE_DATABASE_USER")).isEqualTo(postgresEnv.get("POSTGRES_USER"));
            assertThat(env.get("SUBSTATE_DATABASE_PASSWORD")).isEqualTo(postgresEnv.get("POSTGRES_PASSWORD"));
            assertThat(instance.path("deploy").path("resources").path("limits").path("memory").asText()).isNotEmpty();
            Settings settings = Settings.fromEnvironment(env);
            assertThat(settings.port()).isEqualTo(8080);
            envs.add(env);
        }
        // Several instances must agree on the admin token and the public URL (README, "Deployment").
        assertThat(envs).extracting(e -> e.get("SUBSTATE_ADMIN_TOKEN")).containsOnly(given.get("SUBSTATE_ADMIN_TOKEN"));
        assertThat(envs).extracting(e -> e.get("SUBSTATE_PUBLIC_URL")).containsOnly("http://localhost:8080");
        assertThat(envs).extracting(e -> e.get("SUBSTATE_ENCRYPTION_KEY"))
                .containsOnly(given.get("SUBSTATE_ENCRYPTION_KEY"));

        JsonNode lb = services.path("lb");
        assertThat(lb.path("image").asText()).startsWith("haproxy:");
        assertThat(lb.path("ports").path(0).asText()).isEqualTo("${SUBSTATE_HTTP_PORT:-8080}:8080");
        assertThat(lb.path("volumes").path(0).asText())
                .isEqualTo("./deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro");

        String haproxy = Files.readString(ROOT.resolve("deploy/haproxy.cfg"));
        assertThat(haproxy).contains("bind :8080", "balance roundrobin", "option httpchk GET /health/ready",
                "http-check expect status 200");
        List<String> servers = new ArrayList<>();
        Matcher server = Pattern.compile("(?m)^\\s*server (\\S+) (\\S+):(\\d+)").matcher(haproxy);
        while (server.find()) {
            assertThat(server.group(1)).isEqualTo(server.group(2));
            assertThat(server.group(3)).isEqualTo("8080");
            servers.add(server.group(2));
        }
        assertThat(servers).isEqualTo(instances);
    }

    @Test
    void haproxyAcceptsTheLoadBalancerConfiguration() throws Exception {
        // .ci/run installs Debian's haproxy; its own check is the authority on the file's syntax.
        String output = Commands.run(Duration.ofSeconds(30), "haproxy", "-c", "-f",
                ROOT.resolve("deploy/haproxy.cfg").toString());
        assertThat(output).contains("Configuration file is valid").doesNotContain("[ALERT]");
    }

    /** The Dockerfile's stages, with continuation lines joined and comments dropped. */
    private static List<Stage> dockerfileStages() throws IOException {
        List<Stage> stages = new ArrayList<>();
        for (Instruction instruction : dockerfile()) {
            if (instruction.keyword().equals("FROM")) {
                String[] parts = instruction.arguments().split("\\s+");
                stages.add(new Stage(parts[0], parts.length == 3 ? parts[2] : null, new ArrayList<>()));
            } else if (!stages.isEmpty()) {
                stages.get(stages.size() - 1).instructions().add(instruction);
            }
        }
        return stages;
    }

    private static Map<String, String> dockerfileArgs() throws IOException {
        Map<String, String> args = new HashMap<>();
        for (Instruction instruction : dockerfile()) {
            if (instruction.keyword().equals("ARG") && instruction.arguments().contains("=")) {
                String[] pair = instruction.arguments().split("=", 2);
                args.put(pair[0], pair[1]);
            }
        }
        return args;
    }

    private static List<Instruction> dockerfile() throws IOException {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String raw : Files.readAllLines(ROOT.resolve("Dockerfile"))) {
            if (raw.isBlank() || raw.stripLeading().startsWith("#")) {
                continue;
            }
            if (raw.endsWith("\\")) {
                line.append(raw, 0, raw.length() - 1).append(' ');
                continue;
            }
            line.append(raw);
            String joined = line.toString().trim().replaceAll("\\s+", " ");
            line.setLength(0);
            int space = joined.indexOf(' ');
            instructions.add(new Instruction(joined.substring(0, space), joined.substring(space + 1)));
        }
        return instructions;
    }

    /** {@code ENV A=1 B=2} as a map. */
    private static Map<String, String> envOf(String arguments) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String pair : arguments.split("\\s+")) {
            String[] parts = pair.split("=", 2);
            env.put(parts[0], parts[1]);
        }
        return env;
    }

    /** A service's environment with {@code ${VAR}}, {@code ${VAR:-default}} and {@code ${VAR:?error}} substituted. */
    private static Map<String, String> environment(JsonNode service, Map<String, String> given) {
        Map<String, String> env = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = service.path("environment").fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            Matcher m = SUBSTITUTION.matcher(field.getValue().asText());
            StringBuilder value = new StringBuilder();
            while (m.find()) {
                String replacement = given.get(m.group(1));
                if (replacement == null) {
                    assertThat(m.group(0)).as("%s must be given or have a default", m.group(1)).contains(":-");
                    replacement = m.group(2);
                }
                m.appendReplacement(value, Matcher.quoteReplacement(replacement));
            }
            m.appendTail(value);
            env.put(field.getKey(), value.toString());
        }
        return env;
    }
}
