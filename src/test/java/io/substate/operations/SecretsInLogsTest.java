package io.substate.operations;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import io.substate.testing.FakeStripe;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * No secret reaches a log line or an error answer, whatever fails. Failures are injected for real: a database trigger
 * makes the statement that stores a project's secret key, or an app's webhook secret and Stripe key, fail; Stripe
 * answers an error that echoes the key it refused; code logs secrets of every known shape. Every line is formatted by
 * the server's own logback pattern ({@code logback.xml}) and searched for the secrets.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class SecretsInLogsTest {
    static final String WEBHOOK_SECRET = "whsec_LogTestSecret0123456789abcdef";
    static final String STRIPE_KEY = "rk_test_LogTestRestrictedKey0123456789";

    @Parameter
    TestDb db;

    TestServer server;
    FakeStripe stripe;
    final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    Appender<ILoggingEvent> capture;

    @BeforeEach
    void start() {
        stripe = FakeStripe.start();
        server = TestServer.start(db, Map.of("SUBSTATE_STRIPE_API_BASE", stripe.baseUrl()));
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        @SuppressWarnings("unchecked")
        OutputStreamAppender<ILoggingEvent> console = (OutputStreamAppender<ILoggingEvent>) root.getAppender("STDOUT");
        assertThat(console).as("logback.xml's STDOUT appender").isNotNull();
        Layout<ILoggingEvent> layout = ((LayoutWrappingEncoder<ILoggingEvent>) console.getEncoder()).getLayout();
        capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                lines.add(layout.doLayout(event));
            }
        };
        capture.setContext(root.getLoggerContext());
        capture.start();
        root.addAppender(capture);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(capture);
        server.close();
        stripe.close();
    }

    String log() {
        synchronized (lines) {
            return String.join("", lines);
        }
    }

    /** Makes every INSERT or UPDATE of {@code table} fail in the database, as a full disk or a lost lock would. */
    void failWrites(String table) {
        server.substate().database().jdbi().useHandle(h -> {
            if (db == TestDb.SQLITE) {
                for (String op : List.of("INSERT", "UPDATE")) {
                    h.execute("CREATE TRIGGER fail_" + op.toLowerCase() + "_" + table + " BEFORE " + op + " ON " + table
                            + " BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
                }
            } else {
                h.execute("CREATE OR REPLACE FUNCTION injected_failure() RETURNS trigger AS $$ BEGIN "
                        + "RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql");
                h.execute("CREATE TRIGGER fail_writes_" + table + " BEFORE INSERT OR UPDATE ON " + table
                        + " FOR EACH ROW EXECUTE FUNCTION injected_failure()");
            }
        });
    }

    void allowWrites(String table) {
        server.substate().database().jdbi().useHandle((Handle h) -> {
            if (db == TestDb.SQLITE) {
                h.execute("DROP TRIGGER fail_insert_" + table);
                h.execute("DROP TRIGGER fail_update_" + table);
            } else {
                h.execute("DROP TRIGGER fail_writes_" + table + " ON " + table);
            }
        });
    }

    @Test
    void aFailingAppUpdateLogsNeitherTheWebhookSecretNorTheStripeKey() {
        StripeApp app = Fixtures.stripeApp(server.admin(), Map.of("webhook_secret", "whsec_first0123456789"));
        failWrites("apps");
        HttpResponse response;
        try {
            response = server.admin().patch("/v2/projects/" + app.projectId() + "/apps/" + app.appId(),
                    Map.of("stripe", Map.of("webhook_secret", WEBHOOK_SECRET, "api_key", STRIPE_KEY)));
        } finally {
            allowWrites("apps");
        }

        assertThat(response.status()).as(response.toString()).isEqualTo(500);
        assertThat(log()).as("the failure was logged").contains("Unhandled error", "injected failure");
        assertThat(log() + response.body()).doesNotContain(WEBHOOK_SECRET, STRIPE_KEY, "LogTestSecret",
                "LogTestRestrictedKey");
    }

    @Test
    void aFailingStatementLogsNotTheSecretKeyItWrites() {
        failWrites("projects");
        HttpResponse response;
        try {
            response = server.admin().post("/v2/projects", Map.of("name", "Doomed"));
        } finally {
            allowWrites("projects");
        }

        assertThat(response.status()).as(response.toString()).isEqualTo(500);
        assertThat(log()).as("the failure was logged").contains("Unhandled error", "injected failure");
        assertThat(log()).doesNotContainPattern("\\bsk_[A-Za-z0-9]{6,}");
    }

    @Test
    void aStripeErrorEchoingTheKeyIsRedactedInTheAnswerAndTheLog() {
        StripeApp app = Fixtures.stripeApp(server.admin(), Map.of("webhook_secret", "whsec_first0123456789",
                "api_key", STRIPE_KEY));
        stripe.failNext(401, FakeStripe.error("invalid_request_error", null,
                "Invalid API Key provided: " + STRIPE_KEY, null), Map.of());

        HttpResponse response = server.admin().post("/v2/projects/" + app.projectId() + "/apps/" + app.appId()
                + "/actions/check_connection", Map.of());
        LoggerFactory.getLogger("substate.test").warn("Check failed: {}", response.body());

        assertThat(response.status()).as(response.toString()).isLessThan(500);
        assertThat(response.body()).contains("Invalid API Key provided: rk_test_[redacted]");
        assertThat(log() + response.body()).doesNotContain(STRIPE_KEY, "LogTestRestrictedKey");
    }

    @Test
    void everyKnownShapeIsRedactedFromMessagesAndStackTraces() {
        String adminToken = TestServer.ADMIN_TOKEN;
        List<String> secrets = List.of("sk_" + "a1".repeat(16), "sk_api_" + "b2".repeat(20),
                "sk_live_" + "c3".repeat(12), "rk_live_" + "d4".repeat(12), "whsec_" + "e5".repeat(16),
                "adm_" + "f6".repeat(20), adminToken);
        org.slf4j.Logger log = LoggerFactory.getLogger("substate.test");
        for (String secret : secrets) {
            log.info("Calling with {} and Authorization: Bearer {}", secret, "tok" + secret);
            log.error("Failed", new IllegalStateException("key " + secret + " refused",
                    new RuntimeException("Basic " + secret)));
        }
        log.info("Ids stay readable: task_1234567 disk_abcdefg sub_1234567 cus_1234567 strp_public1234567");

        String text = log();
        for (String secret : secrets) {
            assertThat(text).doesNotContain(secret);
        }
        assertThat(text).contains("sk_api_[redacted]", "whsec_[redacted]", "Bearer [redacted]", "key sk_[redacted]",
                "task_1234567 disk_abcdefg sub_1234567 cus_1234567 strp_public1234567");
    }
}
