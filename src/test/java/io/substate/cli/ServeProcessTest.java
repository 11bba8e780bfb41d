package io.substate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.substate.testing.Api;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import io.substate.testing.WebhookReceiver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
        final StringBuffer errors = new StringBuffer();
        final Thread outReader;
        final Thread errReader;

        ServeProcess(Map<String, String> env) throws IOException {
            this(env, "serve");
        }

        ServeProcess(Map<String, String> env, String... command) throws IOException {
            this(env, List.of(), command);
        }

        ServeProcess(Map<String, String> env, List<String> jvmOptions, String... command) throws IOException {
            List<String> commandLine = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "-Xmx256m", "-XX:TieredStopAtLevel=1"));
            commandLine.addAll(jvmOptions);
            commandLine.add("io.substate.cli.Main");
            commandLine.addAll(List.of(command));
            ProcessBuilder builder = new ProcessBuilder(commandLine);
            builder.environment().keySet().removeIf(name -> name.startsWith("SUBSTATE_"));
            builder.environment().putAll(env);
            process = builder.start();
            outReader = reader(process.getInputStream(), output);
            errReader = reader(process.getErrorStream(), errors);
        }

        private static Thread reader(InputStream in, StringBuffer into) {
            Thread thread = new Thread(() -> copy(in, into), "serve-output");
            thread.setDaemon(true);
            thread.start();
            return thread;
        }

        private static void copy(InputStream in, StringBuffer into) {
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    into.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // process ended
            }
        }

        int waitForExit() throws InterruptedException {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("process exits; output:\n" + text()).isTrue();
            // the last lines may still be in the pipes when the process has ended
            outReader.join(5_000);
            errReader.join(5_000);
            return process.exitValue();
        }

        int awaitListeningPort() {
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> LISTENING.matcher(output).find() || !process.isAlive());
            Matcher matcher = LISTENING.matcher(output);
            assertThat(matcher.find()).as("server started; output:\n" + text()).isTrue();
            return Integer.parseInt(matcher.group(1));
        }

        /** Standard output and error together. */
        String text() {
            return output + "\n" + errors;
        }

        String stderr() {
            return errors.toString();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    /**
     * On two cores the JDK's default async executor starts a thread per task, and the HTTP client completes every
     * delivery's answer there (cli/Main.keepAsyncWorkOnPooledThreads): 200 deliveries started over 400 threads.
     */
    @Test
    void deliveriesOnTwoCoresDoNotStartAThreadEach() throws Exception {
        Path dir = Files.createTempDirectory("substate-threads");
        String token = "threads-test-admin-token-123";
        int deliveries = 200;
        try (WebhookReceiver receiver = WebhookReceiver.healthy();
                ServeProcess serve = new ServeProcess(Map.of("SUBSTATE_PORT", "0", "SUBSTATE_ADMIN_TOKEN", token,
                        "SUBSTATE_DATABASE_URL", "jdbc:sqlite:" + dir.resolve("s.db")),
                        List.of("-XX:ActiveProcessorCount=2"), "serve")) {
            Api admin = new Api("http://127.0.0.1:" + serve.awaitListeningPort(), token);
            StripeApp app = Fixtures.stripeApp(admin, new HashMap<>());
            String integrations = "/v2/projects/" + app.projectId() + "/integrations/webhooks";
            HttpResponse created = admin.post(integrations, Map.of("name", "Threads", "url", receiver.url()));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String test = integrations + "/" + created.json().get("id").asText() + "/actions/test";
            admin.post(test, Map.of());
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().size() == 1);
            double before = threadsStarted(admin);

            for (int i = 0; i < deliveries; i++) {
                assertThat(admin.post(test, Map.of()).status()).isEqualTo(201);
            }
            Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> receiver.received().size() == deliveries + 1);
            assertThat(threadsStarted(admin) - before).as("threads started for %d deliveries", deliveries)
                    .isLessThan(deliveries / 2);
        }
    }

    private static double threadsStarted(Api api) {
        Matcher started = Pattern.compile("(?m)^jvm_threads_started_threads_total (\\S+)$")
                .matcher(api.get("/metrics").body());
        assertThat(started.find()).as("jvm_threads_started_threads_total in /metrics").isTrue();
        return Double.parseDouble(started.group(1));
    }

    @Test
    void anAdminTokenShorterThan24CharactersIsRefusedAtStart() throws Exception {
        String token = "short-admin-token-2026";
        try (ServeProcess serve = new ServeProcess(Map.of("SUBSTATE_PORT", "0", "SUBSTATE_ADMIN_TOKEN", token))) {
            assertThat(serve.waitForExit()).isEqualTo(2);
            assertThat(serve.stderr()).contains("SUBSTATE_ADMIN_TOKEN", "22 characters", "at least 24")
                    .doesNotContain(token);
        }
    }

    @Test
    void anInvalidPortExitsWithCode2AndNamesTheSetting() throws Exception {
        try (ServeProcess serve = new ServeProcess(Map.of("SUBSTATE_PORT", "abc"))) {
            assertThat(serve.waitForExit()).isEqualTo(2);
            assertThat(serve.stderr()).contains("SUBSTATE_PORT").contains("'abc'");
        }
    }

    @Test
    void aPortInUseExitsWithCode4AndSaysWhatToChange() throws Exception {
        Path dir = Files.createTempDirectory("substate-port");
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("0.0.0.0"));
                ServeProcess serve = new ServeProcess(Map.of("SUBSTATE_PORT", Integer.toString(taken.getLocalPort()),
                        "SUBSTATE_DATABASE_URL", "jdbc:sqlite:" + dir.resolve("s.db"),
                        "SUBSTATE_ADMIN_TOKEN", "port-test-admin-token-123"))) {
            assertThat(serve.waitForExit()).isEqualTo(4);
            assertThat(serve.stderr()).contains("Port " + taken.getLocalPort() + " is already in use", "SUBSTATE_PORT");
        }
    }

    @Test
    void anUnreachableDatabaseExitsWithCode3AndSaysWhy() throws Exception {
        try (ServeProcess serve = new ServeProcess(Map.of("SUBSTATE_PORT", "0",
                "SUBSTATE_DATABASE_URL", "jdbc:postgresql://127.0.0.1:1/nope"))) {
            assertThat(serve.waitForExit()).isEqualTo(3);
            assertThat(serve.stderr()).contains("Cannot connect to jdbc:postgresql://127.0.0.1:1/nope");
        }
    }

    @Test
    void aKeyThatDoesNotOpenTheStoredSecretsExitsWithCode2AndNamesTheKeyNeeded() throws Exception {
        Path dir = Files.createTempDirectory("substate-key");
        Map<String, String> env = Map.of("SUBSTATE_PORT", "0", "SUBSTATE_ADMIN_TOKEN", "key-test-admin-token-123",
                "SUBSTATE_DATABASE_URL", "jdbc:sqlite:" + dir.resolve("s.db"));
        try (io.substate.testing.TestServer server = io.substate.testing.TestServer.startWith(env)) {
            Api admin = new Api(server.baseUrl(), "key-test-admin-token-123");
            String project = admin.post("/v2/projects", Map.of("name", "Keyed")).json().get("id").asText();
            assertThat(admin.post("/v2/projects/" + project + "/apps", Map.of("name", "Web", "type", "stripe",
                    "stripe", Map.of("webhook_secret", "whsec_keyed"))).status()).isEqualTo(201);
        }
        Map<String, String> otherKey = new java.util.HashMap<>(env);
        otherKey.put("SUBSTATE_ENCRYPTION_KEY", java.util.Base64.getEncoder().encodeToString(new byte[32]));
        try (ServeProcess serve = new ServeProcess(otherKey)) {
            assertThat(serve.waitForExit()).as(serve.text()).isEqualTo(2);
            assertThat(serve.stderr()).contains("Invalid setting SUBSTATE_ENCRYPTION_KEY: Stored secrets were "
                    + "encrypted with the key").doesNotContain("whsec_keyed");
        }
        try (ServeProcess serve = new ServeProcess(Map.of("SUBSTATE_PORT", "0",
                "SUBSTATE_DATABASE_URL", io.substate.testing.TestDb.POSTGRESQL.newDatabaseUrl()))) {
            assertThat(serve.waitForExit()).as(serve.text()).isEqualTo(2);
            assertThat(serve.stderr()).contains("SUBSTATE_ENCRYPTION_KEY: is required with PostgreSQL");
        }
    }

    @Test
    void generatesTheAdminTokenOnceStopsGracefullyOnSigtermAndResetsTheToken() throws Exception {
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

        String newToken;
        try (ServeProcess reset = new ServeProcess(env, "admin-token", "reset")) {
            assertThat(reset.waitForExit()).as(reset.text()).isZero();
            Matcher printed = Pattern.compile("adm_[A-Za-z0-9]+").matcher(reset.text());
            assertThat(printed.find()).as(reset.text()).isTrue();
            newToken = printed.group();
        }
        try (TestServer afterReset = TestServer.startWith(env)) {
            Api api = new Api(afterReset.baseUrl(), newToken);
            assertThat(newToken).isNotEqualTo(token);
            assertThat(api.get("/v2/projects").status()).isEqualTo(200);
            assertThat(api.withToken(token).get("/v2/projects").status()).isEqualTo(401);
        }
    }

    @Test
    void runsOnPostgresqlWithAConfiguredToken() throws Exception {
        String token = "configured-admin-token-0123";
        try (ServeProcess serve = new ServeProcess(Map.of("SUBSTATE_PORT", "0", "SUBSTATE_ADMIN_TOKEN", token,
                "SUBSTATE_DATABASE_URL", TestDb.POSTGRESQL.newDatabaseUrl(),
                "SUBSTATE_ENCRYPTION_KEY", TestDb.ENCRYPTION_KEY))) {
            int port = serve.awaitListeningPort();

            Api api = new Api("http://127.0.0.1:" + port, token);
            assertThat(api.post("/v2/projects", Map.of("name", "Process")).status()).isEqualTo(201);
            assertThat(api.get("/health/ready").json().get("database").asText()).isEqualTo("postgresql");
            assertThat(serve.text()).doesNotContain("Generated the admin token").doesNotContain(token);
        }
    }
}
