package io.substate.storage;

import static io.substate.testing.StripeEventBuilder.sign;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.apps.AppService;
import io.substate.config.InvalidSettingException;
import io.substate.projects.ProjectService;
import io.substate.testing.Api;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import io.substate.testing.WebhookReceiver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/**
 * Secrets at rest (README, "Secrets at rest"), on both databases: what a dump of the database holds, the migration of
 * secrets stored in clear by earlier versions, key rotation (at start and with {@code substate secrets rotate}), and
 * the start refused with a clear message when the key is not the database's.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class SecretsAtRestTest {
    private static final Pattern SEALED = Pattern.compile("enc:v1:([0-9a-f]{8}):");

    /** Stripe is not reachable: the events these tests send only have to pass the signature check. */
    private static final Map<String, String> NO_STRIPE = Map.of("SUBSTATE_STRIPE_API_BASE", "http://127.0.0.1:9");

    @Parameter
    TestDb db;

    /** Every secret a test wrote through the API, in clear: none may be found in the database's bytes. */
    record Written(String projectId, String appId, String webhookId, List<String> secrets) {}

    @Test
    void aDumpOfTheDatabaseHoldsNoSecretInClear() throws Exception {
        Written written;
        String url;
        try (TestServer server = TestServer.start(db, NO_STRIPE)) {
            url = server.databaseUrl();
            written = writeSecrets(server.admin());
            // Everything still reads back in clear where the API shows it, and works.
            assertThat(server.admin().get(webhookPath(written)).json().get("signing_secret").asText())
                    .isEqualTo(written.secrets().get(5));
            assertThat(server.admin().withToken(written.secrets().get(0)).get("/v2/projects/" + written.projectId())
                    .status()).isEqualTo(200);
            if (db == TestDb.POSTGRESQL) {
                assertNoSecretIn(pgDump(url), written.secrets());
            }
        }
        if (db == TestDb.SQLITE) {
            assertNoSecretIn(sqliteBytes(url), written.secrets());
        }
        assertThat(sealedValues(url)).hasSizeGreaterThanOrEqualTo(9);
    }

    @Test
    void secretsStoredInClearByAnEarlierVersionAreSealedAtStartAndKeepWorking() throws Exception {
        Map<String, String> env;
        String url;
        try (TestServer server = TestServer.start(db, NO_STRIPE)) {
            env = server.env();
            url = server.databaseUrl();
        }
        try (WebhookReceiver team = WebhookReceiver.healthy(); WebhookReceiver slack = WebhookReceiver.healthy();
                WebhookReceiver posthog = WebhookReceiver.healthy()) {
            String sk = "sk_" + random(32);
            String whsec = "whsec_" + random(24);
            String rk = "rk_test_" + random(24);
            String signing = "whsec_" + random(32);
            String authorization = "Bearer team-" + random(20);
            String slackUrl = slack.url() + "/services/T0/B0/" + random(16);
            String posthogKey = "phc_" + random(20);
            String projectId = "projOld" + random(6);
            // Rows as versions before V21 wrote them, in clear.
            Jdbi.create(url).useHandle(h -> {
                h.execute("INSERT INTO projects (id, name, secret_api_key, transfer_behavior, created_at) "
                        + "VALUES (?, 'Old', ?, 'transfer', 1)", projectId, sk);
                h.execute("INSERT INTO apps (id, project_id, name, type, public_api_key, webhook_secret, "
                        + "stripe_api_key, created_at) VALUES (?, ?, 'Web', 'stripe', ?, ?, ?, 1)",
                        projectId + "app", projectId, "strp_" + random(32), whsec, rk);
                h.execute("INSERT INTO webhook_integrations (id, project_id, name, url, authorization_header, "
                        + "signing_secret, created_at, kind) VALUES (?, ?, 'Team', ?, ?, ?, 1, 'webhook')",
                        projectId + "wh", projectId, team.url(), authorization, signing);
                h.execute("INSERT INTO webhook_integrations (id, project_id, name, url, signing_secret, created_at, "
                        + "kind, settings) VALUES (?, ?, 'Sales', ?, ?, 2, 'slack', ?)", projectId + "sl", projectId,
                        slackUrl, "whsec_" + random(32), "{\"webhook_url\":\"" + slackUrl + "\"}");
                h.execute("INSERT INTO webhook_integrations (id, project_id, name, url, signing_secret, created_at, "
                        + "kind, settings) VALUES (?, ?, 'Product', ?, ?, 3, 'posthog', ?)", projectId + "ph",
                        projectId, base(posthog), "whsec_" + random(32),
                        "{\"api_key\":\"" + posthogKey + "\",\"host\":\"" + base(posthog) + "\"}");
            });
            List<String> secrets = List.of(sk, whsec, rk, signing, authorization, slackUrl, posthogKey);

            Map<String, String> firstSealing;
            try (TestServer restarted = TestServer.startWith(env)) {
                firstSealing = storedSecrets(url, projectId);
                assertThat(firstSealing.values()).allSatisfy(v -> assertThat(v).matches("(enc:v1:|sha256:).*"));
                assertThat(String.join(" ", firstSealing.values())).doesNotContain(secrets);

                Api admin = restarted.admin();
                // The secret key: hashed, shown by its hint only, and still authenticating on /v2 and /v1.
                JsonNode project = admin.get("/v2/projects/" + projectId).json();
                assertThat(project.has("secret_api_key")).isFalse();
                assertThat(project.get("secret_api_key_hint").asText()).isEqualTo("sk_\u2026" + sk.substring(sk.length() - 4));
                assertThat(admin.withToken(sk).get("/v2/projects/" + projectId).status()).isEqualTo(200);
                assertThat(admin.withToken(sk).get("/v1/subscribers/someone").status()).isBetween(200, 201);
                // The app's webhook secret still verifies Stripe's signature; its API key reads back in clear.
                assertSignatureAccepted(restarted, projectId + "app", whsec);
                HttpResponse wrong = stripeEvent(restarted, projectId + "app", "whsec_other");
                assertThat(wrong.status()).isEqualTo(400);
                assertThat(wrong.body()).contains("signature");
                assertThat(appService(restarted).find(projectId + "app").orElseThrow().stripeApiKey()).isEqualTo(rk);
                // The integrations' secrets: answered, and sent where they go.
                String webhooks = "/v2/projects/" + projectId + "/integrations/";
                assertThat(admin.get(webhooks + "webhooks/" + projectId + "wh").json().get("signing_secret").asText())
                        .isEqualTo(signing);
                for (String test : List.of("webhooks/" + projectId + "wh", "slack/" + projectId + "sl",
                        "posthog/" + projectId + "ph")) {
                    assertThat(admin.post(webhooks + test + "/actions/test", Map.of()).status()).isEqualTo(201);
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> !team.received().isEmpty()
                        && !slack.received().isEmpty() && !posthog.received().isEmpty());
                assertThat(team.received().get(0).header("Authorization")).isEqualTo(authorization);
                assertThat(slack.received().get(0).path()).isEqualTo(slackUrl.substring(slackUrl.indexOf("/hooks")));
                assertThat(posthog.received().get(0).body()).contains(posthogKey);
            }
            // Idempotent: a second start writes nothing.
            try (TestServer again = TestServer.startWith(env)) {
                assertThat(storedSecrets(url, projectId)).isEqualTo(firstSealing);
            }
        }
    }

    @Test
    void rotationSealsWithTheNewKeyAndAWrongKeyRefusesToStart() throws Exception {
        String keyA = newKey();
        String keyB = newKey();
        String keyC = newKey();
        Map<String, String> envA = new HashMap<>(NO_STRIPE);
        envA.put("SUBSTATE_ENCRYPTION_KEY", keyA);
        String url;
        Written written;
        try (TestServer server = TestServer.start(db, envA)) {
            url = server.databaseUrl();
            envA = new HashMap<>(server.env());
            written = writeSecrets(server.admin());
        }
        Set<String> idsA = keyIds(url);
        assertThat(idsA).hasSize(1);
        String idA = idsA.iterator().next();

        // The wrong key: a clear message naming the key the database needs, and nothing rewritten.
        Map<String, String> envB = with(envA, "SUBSTATE_ENCRYPTION_KEY", keyB);
        assertThatThrownBy(() -> TestServer.startWith(envB)).isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("SUBSTATE_ENCRYPTION_KEY: Stored secrets were encrypted with the key " + idA)
                .hasMessageContaining("SUBSTATE_ENCRYPTION_OLD_KEYS").hasMessageNotContaining(keyA)
                .hasMessageNotContaining(keyB);
        assertThat(keyIds(url)).containsExactly(idA);

        // The new key with the old one listed: every value sealed again with the new key, and still working.
        try (TestServer rotated = TestServer.startWith(with(envB, "SUBSTATE_ENCRYPTION_OLD_KEYS", keyA))) {
            assertSignatureAccepted(rotated, written.appId(), written.secrets().get(1));
        }
        Set<String> idsB = keyIds(url);
        assertThat(idsB).hasSize(1).doesNotContain(idA);
        try (TestServer newKeyOnly = TestServer.startWith(envB)) {
            assertThat(newKeyOnly.admin().get(webhookPath(written)).json().get("signing_secret").asText())
                    .isEqualTo(written.secrets().get(5));
            assertThat(appService(newKeyOnly).find(written.appId()).orElseThrow().stripeApiKey())
                    .isEqualTo(written.secrets().get(3));
        }

        // The same from the command line, server stopped.
        Map<String, String> envC = with(with(envB, "SUBSTATE_ENCRYPTION_KEY", keyC), "SUBSTATE_ENCRYPTION_OLD_KEYS",
                keyB);
        Run wrong = rotate(with(envB, "SUBSTATE_ENCRYPTION_KEY", keyC));
        assertThat(wrong.exit()).isEqualTo(2);
        assertThat(wrong.err()).contains("Invalid setting SUBSTATE_ENCRYPTION_KEY: Stored secrets were encrypted with "
                + "the key " + idsB.iterator().next());
        Run rotated = rotate(envC);
        assertThat(rotated.exit()).as(rotated.err()).isZero();
        Set<String> idsC = keyIds(url);
        assertThat(idsC).hasSize(1).doesNotContain(idA).doesNotContainAnyElementsOf(idsB);
        assertThat(rotated.out()).contains("with the key " + idsC.iterator().next());
        assertThat(rotate(envC).out()).startsWith("Sealed 0 stored value(s)");
        try (TestServer newKeyOnly = TestServer.startWith(with(envC, "SUBSTATE_ENCRYPTION_OLD_KEYS", ""))) {
            assertSignatureAccepted(newKeyOnly, written.appId(), written.secrets().get(1));
            assertThat(newKeyOnly.admin().withToken(written.secrets().get(0)).get("/v2/projects/"
                    + written.projectId()).status()).isEqualTo(200);
        }
    }

    @Test
    void withoutAKeySqliteMakesAKeyFileBesideTheDatabaseAndPostgresqlRefusesToStart() throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("SUBSTATE_PORT", "0", "SUBSTATE_ADMIN_TOKEN",
                TestServer.ADMIN_TOKEN, "SUBSTATE_DATABASE_URL", db.newDatabaseUrl()));
        env.putAll(NO_STRIPE);
        if (db == TestDb.POSTGRESQL) {
            assertThatThrownBy(() -> TestServer.startWith(env)).isInstanceOf(InvalidSettingException.class)
                    .hasMessageContaining("SUBSTATE_ENCRYPTION_KEY: is required with PostgreSQL");
            return;
        }
        Path keyFile = Path.of(env.get("SUBSTATE_DATABASE_URL").substring("jdbc:sqlite:".length()) + ".key");
        Written written;
        try (TestServer server = TestServer.startWith(env)) {
            written = writeSecrets(server.admin());
        }
        assertThat(keyFile).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        assertThat(Base64.getDecoder().decode(Files.readString(keyFile).trim())).hasSize(32);
        try (TestServer restarted = TestServer.startWith(env)) {
            assertSignatureAccepted(restarted, written.appId(), written.secrets().get(1));
        }
        // The same key given by file works; a lost key file is a clear refusal, not unreadable secrets.
        try (TestServer byFile = TestServer.startWith(with(env, "SUBSTATE_ENCRYPTION_KEY_FILE", keyFile.toString()))) {
            assertSignatureAccepted(byFile, written.appId(), written.secrets().get(1));
        }
        Files.delete(keyFile);
        assertThatThrownBy(() -> TestServer.startWith(env)).isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("Stored secrets were encrypted with the key");
    }

    // --- helpers ---

    /**
     * A project (its sk_ key), an app with a webhook secret rolled once and a Stripe key, a webhook integration with
     * an authorization header whose signing secret is rotated once, and Slack and PostHog integrations. The secrets,
     * in order: sk_, whsec_ (current), whsec_ (previous), rk_, the authorization header, the integration's signing
     * secret, its previous one, the Slack URL, the PostHog key, a project API key.
     */
    private static Written writeSecrets(Api admin) {
        HttpResponse project = admin.post("/v2/projects", Map.of("name", "Secrets"));
        String projectId = project.json().get("id").asText();
        String sk = project.json().get("secret_api_key").asText();
        String previousWhsec = "whsec_" + random(24);
        String whsec = "whsec_" + random(24);
        String rk = "rk_test_" + random(24);
        HttpResponse app = admin.post("/v2/projects/" + projectId + "/apps", Map.of("name", "Web", "type", "stripe",
                "stripe", Map.of("webhook_secret", previousWhsec, "api_key", rk)));
        assertThat(app.status()).as(app.toString()).isEqualTo(201);
        String appId = app.json().get("id").asText();
        assertThat(admin.patch("/v2/projects/" + projectId + "/apps/" + appId,
                Map.of("stripe", Map.of("webhook_secret", whsec))).status()).isEqualTo(200);
        String authorization = "Bearer team-" + random(20);
        String integrations = "/v2/projects/" + projectId + "/integrations/";
        HttpResponse webhook = admin.post(integrations + "webhooks", Map.of("name", "Team",
                "url", "https://example.com/hooks", "authorization_header", authorization));
        assertThat(webhook.status()).as(webhook.toString()).isEqualTo(201);
        assertThat(webhook.header("Cache-Control")).isEqualTo("no-store");
        String webhookId = webhook.json().get("id").asText();
        String previousSigning = webhook.json().get("signing_secret").asText();
        HttpResponse rotated = admin.post(integrations + "webhooks/" + webhookId + "/actions/rotate_secret", null);
        assertThat(rotated.header("Cache-Control")).isEqualTo("no-store");
        String signing = rotated.json().get("signing_secret").asText();
        assertThat(admin.get(integrations + "webhooks/" + webhookId).header("Cache-Control")).isEqualTo("no-store");
        String slackUrl = "https://hooks.slack.com/services/T0/B0/" + random(24);
        assertThat(admin.post(integrations + "slack", Map.of("name", "Sales", "webhook_url", slackUrl)).status())
                .isEqualTo(201);
        String posthogKey = "phc_" + random(24);
        assertThat(admin.post(integrations + "posthog", Map.of("name", "Product", "api_key", posthogKey)).status())
                .isEqualTo(201);
        HttpResponse apiKey = admin.post("/v2/projects/" + projectId + "/api_keys",
                Map.of("name", "CI", "permissions", "read_only"));
        assertThat(apiKey.header("Cache-Control")).isEqualTo("no-store");
        return new Written(projectId, appId, webhookId, List.of(sk, whsec, previousWhsec, rk, authorization, signing,
                previousSigning, slackUrl, posthogKey, apiKey.json().get("key").asText()));
    }

    private static String webhookPath(Written w) {
        return "/v2/projects/" + w.projectId() + "/integrations/webhooks/" + w.webhookId();
    }

    private static HttpResponse stripeEvent(TestServer server, String appId, String secret) {
        String event = StripeObjects.event(uniqueId("evt_"), "customer.subscription.created",
                System.currentTimeMillis() / 1000,
                StripeObjects.subscription(uniqueId("sub_")).customer(uniqueId("cus_")).json());
        return server.anonymous().postStripe("/v1/incoming-webhooks/stripe/" + appId, event, sign(event, secret));
    }

    /**
     * The app's webhook secret verified the event's signature. What follows depends on the event (this one may need
     * Stripe, which is not reachable here), so the check is that the answer is not the signature's refusal.
     */
    private static void assertSignatureAccepted(TestServer server, String appId, String secret) {
        HttpResponse response = stripeEvent(server, appId, secret);
        assertThat(response.status() == 400 && response.body().contains("signature")).as(response.toString()).isFalse();
        assertThat(response.status()).as(response.toString()).isLessThan(500);
    }

    private static AppService appService(TestServer server) {
        Database database = server.substate().database();
        return new AppService(database, new ProjectService(database.jdbi(), Clock.systemUTC()), Clock.systemUTC());
    }

    private static void assertNoSecretIn(String dump, List<String> secrets) {
        assertThat(dump).contains("enc:v1:"); // the dump holds the rows: what is looked for would be there
        for (String secret : secrets) {
            assertThat(dump).as("the dump holds a secret in clear").doesNotContain(secret);
            // The distinctive part alone, in case a value were stored cut or differently prefixed.
            assertThat(dump).doesNotContain(secret.substring(Math.max(0, secret.length() - 16)));
        }
    }

    private static String pgDump(String url) throws Exception {
        String name = url.replaceAll("^jdbc:postgresql://[^/]+/([^?]+).*$", "$1");
        Process dump = new ProcessBuilder("pg_dump", "-h", "127.0.0.1", "-U", "postgres", "--data-only", name)
                .redirectErrorStream(true).start();
        String out = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(dump.waitFor()).as(out).isZero();
        assertThat(out).contains("COPY public.apps");
        return out;
    }

    /** The SQLite file's bytes after a checkpoint (and its WAL's, if any is left), as Latin-1 text. */
    private static String sqliteBytes(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        Path file = Path.of(url.substring("jdbc:sqlite:".length()));
        StringBuilder all = new StringBuilder(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
        Path wal = Path.of(file + "-wal");
        if (Files.exists(wal)) {
            all.append(new String(Files.readAllBytes(wal), StandardCharsets.ISO_8859_1));
        }
        return all.toString();
    }

    /** Every sealed value in the tables that hold secrets. */
    private static List<String> sealedValues(String url) {
        List<String> values = new ArrayList<>();
        Jdbi.create(url).useHandle(h -> {
            for (String query : List.of(
                    "SELECT webhook_secret, previous_webhook_secret, stripe_api_key FROM apps",
                    "SELECT url, authorization_header, signing_secret, previous_signing_secret, settings "
                            + "FROM webhook_integrations")) {
                h.createQuery(query).map((rs, ctx) -> {
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        String value = rs.getString(i);
                        if (value != null) {
                            Matcher m = SEALED.matcher(value);
                            while (m.find()) {
                                values.add(value.substring(m.start()));
                            }
                        }
                    }
                    return 0;
                }).list();
            }
        });
        return values;
    }

    /** The ids of the keys the stored values are sealed with. */
    private static Set<String> keyIds(String url) {
        Set<String> ids = new TreeSet<>();
        for (String value : sealedValues(url)) {
            Matcher m = SEALED.matcher(value);
            m.lookingAt();
            ids.add(m.group(1));
        }
        return ids;
    }

    /** The secret columns of one project's rows as stored. */
    private static Map<String, String> storedSecrets(String url, String projectId) {
        Map<String, String> stored = new java.util.TreeMap<>();
        Jdbi.create(url).useHandle(h -> {
            stored.put("sk", h.createQuery("SELECT secret_api_key FROM projects WHERE id = ?").bind(0, projectId)
                    .mapTo(String.class).one());
            h.createQuery("SELECT webhook_secret, stripe_api_key FROM apps WHERE project_id = ?").bind(0, projectId)
                    .map((rs, ctx) -> {
                        stored.put("whsec", rs.getString(1));
                        return stored.put("rk", rs.getString(2));
                    }).list();
            h.createQuery("SELECT kind, url, authorization_header, signing_secret, settings FROM webhook_integrations "
                    + "WHERE project_id = ?").bind(0, projectId).map((rs, ctx) -> {
                        String kind = rs.getString(1);
                        stored.put(kind + ".signing", rs.getString(4));
                        if (kind.equals("webhook")) {
                            stored.put("authorization", rs.getString(3));
                        } else if (kind.equals("slack")) {
                            stored.put("slack.url", rs.getString(2));
                            stored.put("slack.settings", rs.getString(5).replaceAll(".*\"webhook_url\":\"([^\"]*)\".*", "$1"));
                        } else {
                            stored.put("posthog.key", rs.getString(5).replaceAll(".*\"api_key\":\"([^\"]*)\".*", "$1"));
                        }
                        return 0;
                    }).list();
        });
        return stored;
    }

    record Run(int exit, String out, String err) {}

    private static Run rotate(Map<String, String> env) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new CommandLine(new io.substate.cli.SecretsCommandAccess().rotate(env,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)))
                .execute();
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Map<String, String> with(Map<String, String> env, String name, String value) {
        Map<String, String> copy = new HashMap<>(env);
        copy.put(name, value);
        return copy;
    }

    private static String base(WebhookReceiver receiver) {
        return receiver.url().substring(0, receiver.url().indexOf("/hooks"));
    }

    private static String newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    private static String random(int length) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom random = new SecureRandom();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }
}
