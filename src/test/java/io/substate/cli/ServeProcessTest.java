package io.substate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.substate.testing.Api;
import io.substate.testing.TestDb;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * {@code substate serve} as a real process: exit codes, the generated admin token and graceful shutdown. Each test
 * starts a JVM, so there are few of them.
 */
class ServeProcessTest {
    private static final Pattern LISTENING = Pattern.compile("Substate listening on port (\\d+)");
    private static final Pattern GENERATED = Pattern.compile("Generated the admin token[^:]*: (adm_[A-Za-z0-9]+)");

    /** A running {@code serve} process whose stdout and stderr are collected. */
    static final class ServeProcess implements AutoCloseable {
        final Process process;
        final StringBuffer output = new StringBuffer();
        final Thread reader;

        ServeProcess(Map<String, String> env) throws IOException {
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                    "io.substate.cli.Main", "serve");
            builder.environment().keySet().removeIf(name -> name.startsWith("SUBSTATE_"));
            builder.environment().putAll(env);
            builder.redirectErrorStream(true);
            process = builder.start();
            reader = new Thread(() -> copy(process.getInputStream()), "serve-output");
            reader.setDaemon(true);
            reader.start();
        }

        private void copy(InputStream in) {
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // process ended
            }
        }

        int waitForExit() throws InterruptedException {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("process exits; output:\n" + output).isTrue();
            reader.join(5_000); // the last lines may still be in the pipe when the process has ended
            return process.exitValue();
        }

        int awaitListeningPort() {
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> LISTENING.matcher(output).find() || !process.isAlive());
            Matcher matcher = LISTENING.matcher(output);
            assertThat(matcher.find()).as("server started; output:\n" + output).isTrue();
            return Integer.parseInt(matcher.group(1));
        }

        String text() {
            return output.toString();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    @Test
    void anInvalidPortExitsWithCode2AndNamesTheSetting() throws Exception {
        try (ServeProcess serve = new ServeProcess(Map.of("SUBSTATE_PORT", "abc"))) {
            assertThat(serve.waitForExit()).isEqualTo(2);
            assertThat(serve.text()).contains("SUBSTATE_PORT").contains("abc");
        }
    }

    @Test
    void anUnreachableDatabaseExitsWithCode3AndSaysWhy() throws Exception {
        try (ServeProcess serve = new ServeProcess(Map.of("SUBSTATE_PORT", "0",
                "SUBSTATE_DATABASE_URL", "jdbc:postgresql://127.0.0.1:1/nope"))) {
            assertThat(serve.waitForExit()).isEqualTo(3);
            assertThat(serve.text()).contains("Cannot connect to jdbc:postgresql://127.0.0.1:1/nope");
        }
    }

    @Test
    void generatesTheAdminTokenOnceAndStopsGracefullyOnSigterm() throws Exception {
        Path dir = Files.createTempDirectory("substate-serve");
        Map<String, String> env = Map.of("SUBSTATE_PORT", "0",
                "SUBSTATE_DATABASE_URL", "jdbc:sqlite:" + dir.resolve("substate.db"));
        String token;
        try (ServeProcess first = new ServeProcess(env)) {
            int port = first.awaitListeningPort();
            Matcher generated = GENERATED.matcher(first.text());
            assertThat(generated.find()).as(first.text()).isTrue();
            token = generated.group(1);
            assertThat(new Api("http://127.0.0.1:" + port, token).get("/v2/projects").status()).isEqualTo(200);

            // SIGTERM. Process.destroy() would also close our end of the output pipe, losing the shutdown lines.
            assertThat(first.process.toHandle().destroy()).isTrue();

            assertThat(first.waitForExit()).as("128 + SIGTERM").isEqualTo(143);
            assertThat(first.text()).contains("Substate stopping").contains("Substate stopped");
            assertThat(first.text().split(Pattern.quote(token), -1)).as("the token is printed exactly once").hasSize(2);
        }
        try (ServeProcess second = new ServeProcess(env)) {
            int port = second.awaitListeningPort();

            assertThat(second.text()).doesNotContain("Generated the admin token").doesNotContain("adm_");
            Api api = new Api("http://127.0.0.1:" + port, token);
            assertThat(api.get("/v2/projects").status()).isEqualTo(200);
            assertThat(api.withToken("adm_not_the_token_at_all").get("/v2/projects").status()).isEqualTo(401);
        }
    }

    @Test
    void runsOnPostgresqlWithAConfiguredToken() throws Exception {
        String token = "configured-admin-token-0123";
        try (ServeProcess serve = new ServeProcess(Map.of("SUBSTATE_PORT", "0", "SUBSTATE_ADMIN_TOKEN", token,
                "SUBSTATE_DATABASE_URL", TestDb.POSTGRESQL.newDatabaseUrl()))) {
            int port = serve.awaitListeningPort();

            Api api = new Api("http://127.0.0.1:" + port, token);
            assertThat(api.post("/v2/projects", Map.of("name", "Process")).status()).isEqualTo(201);
            assertThat(api.get("/health/ready").json().get("database").asText()).isEqualTo("postgresql");
            assertThat(serve.text()).doesNotContain("Generated the admin token").doesNotContain(token);
        }
    }
}
