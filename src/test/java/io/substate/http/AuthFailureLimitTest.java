package io.substate.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.substate.testing.Api;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failed authentications are limited per client address and per kind of key (README, "Security"). The server here
 * trusts one proxy, so each test speaks from addresses of its own through {@code X-Forwarded-For}; the limit is 5
 * failures per address and 12 per kind of key, in a window longer than the test.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthFailureLimitTest {
    private static final int LIMIT = 5;
    private static final int KEY_LIMIT = 12;

    @Parameter
    TestDb db;

    private TestServer server;
    /** The database of {@link #server}: the class's instance may be reused for the next parameter. */
    private TestDb serverDb;
    private StripeApp app;
    private ListAppender<ILoggingEvent> log;

    /** Started before the first test: the parameter is not set yet in {@code @BeforeAll}. */
    @BeforeEach
    void start() {
        if (server != null && serverDb != db) {
            server.close();
            server = null;
        }
        if (server == null) {
            serverDb = db;
            server = TestServer.start(db, Map.of(
                    "SUBSTATE_AUTH_FAILURE_LIMIT", Integer.toString(LIMIT),
                    "SUBSTATE_AUTH_FAILURE_KEY_LIMIT", Integer.toString(KEY_LIMIT),
                    "SUBSTATE_AUTH_FAILURE_WINDOW", "10m",
                    "SUBSTATE_TRUSTED_PROXIES", "1"));
            app = Fixtures.stripeApp(server.admin(), Map.of("webhook_secret", "whsec_authlimit"));
        }
        log = new ListAppender<>();
        log.start();
        ((Logger) LoggerFactory.getLogger(AuthFailures.class)).addAppender(log);
    }

    @AfterEach
    void detachLog() {
        ((Logger) LoggerFactory.getLogger(AuthFailures.class)).detachAppender(log);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void adminTokenGuessesFromOneAddressGet429WithRetryAfterAWarnAndAMetric() {
        String address = "203.0.113.7";
        double failuresBefore = metric("substate_auth_failures_total", "admin_token");
        double throttledBefore = metric("substate_auth_throttled_total", "admin_token");
        String guess = "guess-admin-token-SECRETPART-0123456789";
        for (int i = 0; i < LIMIT; i++) {
            HttpResponse response = from(address, guess + i).get("/v2/projects");
            assertThat(response.status()).as(response.toString()).isEqualTo(401);
        }

        // Now even the right token is refused from that address: answering it differently would let guessing go on.
        HttpResponse refused = from(address, TestServer.ADMIN_TOKEN).get("/v2/projects");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(429);
        assertThat(refused.json().get("code").asText()).isEqualTo("too_many_authentication_failures");
        assertThat(refused.json().get("type").asText()).isEqualTo("rate_limit_error");
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertThat(retryAfter).isBetween(1L, 600L);

        // Another address with the right token, and the same address without a key, are served.
        assertThat(from("203.0.113.8", TestServer.ADMIN_TOKEN).get("/v2/projects").status()).isEqualTo(200);
        assertThat(from(address, null).get("/health/live").status()).isEqualTo(200);

        List<ILoggingEvent> warnings = log.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
        assertThat(warnings).hasSize(1);
        String line = warnings.get(0).getFormattedMessage();
        assertThat(line).contains(address, "admin_token", AuthFailures.fingerprint(guess + (LIMIT - 1)))
                .doesNotContain("SECRETPART").doesNotContain(guess.substring(0, 9));
        assertThat(metric("substate_auth_failures_total", "admin_token") - failuresBefore).isEqualTo(LIMIT);
        assertThat(metric("substate_auth_throttled_total", "admin_token") - throttledBefore).isEqualTo(1);
    }

    @Test
    void secretKeyGuessesOnV1Get429InV1sShape() {
        String address = "203.0.113.20";
        String path = "/v1/subscribers/auth-limit-user";
        for (int i = 0; i < LIMIT; i++) {
            assertThat(from(address, "sk_guess" + i).get(path).status()).isEqualTo(401);
        }
        HttpResponse refused = from(address, app.secretKey()).get(path);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.json().get("code").asInt()).isEqualTo(7225);
        assertThat(refused.header("Retry-After")).isNotNull();

        // The app's public key from another address still works.
        assertThat(from("203.0.113.21", app.publicKey()).get(path).status()).isIn(200, 201);
    }

    @Test
    void onlyTheAddressTheTrustedProxyAppendedCounts() {
        // A client writing X-Forwarded-For itself only adds entries left of the one the proxy appends.
        String blocked = "203.0.113.30";
        for (int i = 0; i < LIMIT; i++) {
            assertThat(from(blocked, "sk_api_guess" + i).get("/v2/projects/x/apps").status()).isEqualTo(401);
        }
        assertThat(from(blocked, TestServer.ADMIN_TOKEN).get("/v2/projects").status()).isEqualTo(429);
        Api spoofing = new Api(server.baseUrl(), TestServer.ADMIN_TOKEN)
                .withHeader("X-Forwarded-For", blocked + ", 203.0.113.31");
        assertThat(spoofing.get("/v2/projects").status()).isEqualTo(200);
    }

    @Test
    void guessesOfOneKindFromManyAddressesAreCutToOneEachPastTheKeyLimit() {
        // strp_ public keys: KEY_LIMIT failures spread so that no address reaches its own limit.
        for (int i = 0; i < KEY_LIMIT; i++) {
            String address = "198.51.100." + (i / 2 + 1);
            assertThat(from(address, "strp_guess" + i).get("/v1/subscribers/u").status()).isEqualTo(401);
        }
        // An address that failed in the window is refused now; one that never failed is served.
        assertThat(from("198.51.100.1", app.publicKey()).get("/v1/subscribers/u").status()).isEqualTo(429);
        assertThat(from("198.51.100.99", app.publicKey()).get("/v1/subscribers/u").status()).isIn(200, 201);
        assertThat(log.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("key prefix strp_"));
    }

    private Api from(String address, String token) {
        return new Api(server.baseUrl(), token).withHeader("X-Forwarded-For", address);
    }

    private double metric(String name, String prefix) {
        String start = name + "{key_prefix=\"" + prefix + "\"}";
        return server.anonymous().get("/metrics").body().lines()
                .filter(l -> l.startsWith(start))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }
}
