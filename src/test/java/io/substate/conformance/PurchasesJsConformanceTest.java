package io.substate.conformance;

import static io.substate.testing.StripeEventBuilder.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.common.Json;
import io.substate.testing.FakeStripe;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * RevenueCat's own web SDK, {@code @revenuecat/purchases-js} from npm, run by Node against a running server: if its
 * parser accepts our JSON and sees what RevenueCat would show, real clients work unchanged. One Node process per
 * database. Without Node the test is skipped locally and FAILS when {@code CI} is set.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class PurchasesJsConformanceTest {
    /** Pinned so that a new SDK release cannot silently change what this test proves; bump deliberately. */
    static final String SDK_VERSION = "1.63.1";
    static final String PORTAL = "https://billing.stripe.com/p/login/test_conformance";
    static final Path WORK_DIR = Path.of("target", "sdk-conformance");

    @Parameter
    TestDb db;

    @Test
    void theWebSdkParsesCustomerInfoSetsAttributesAndIdentifies() throws Exception {
        Path script = installSdk();
        try (FakeStripe stripe = FakeStripe.start();
                TestServer server = TestServer.start(db, Map.of("SUBSTATE_STRIPE_API_BASE", stripe.baseUrl()))) {
            Map<String, Object> settings = new HashMap<>();
            settings.put("api_key", FakeStripe.API_KEY);
            settings.put("management_url", PORTAL);
            StripeApp app = Fixtures.stripeApp(server.admin(), settings);
            Fixtures.entitlement(server.admin(), app, "pro", "prod_Pro", "subscription");
            String sub = uniqueId("sub_");
            long now = System.currentTimeMillis() / 1000;
            stripe.put(StripeObjects.subscription(sub).status("active").price("price_M", "prod_Pro").amount(999, "usd")
                    .period(now - 60, now + 30 * 86400).json());
            String anonymous = "$RCAnonymousID:" + java.util.UUID.randomUUID().toString().replace("-", "");
            HttpResponse receipt = server.anonymous().withToken(app.publicKey()).withHeader("X-Platform", "stripe")
                    .post("/v1/receipts", Map.of("app_user_id", anonymous, "fetch_token", sub));
            assertThat(receipt.status()).as(receipt.toString()).isEqualTo(200);
            String newUser = "sdk_user_" + uniqueId("");

            JsonNode out = runNode(script, Map.of("SUBSTATE_URL", server.baseUrl(), "API_KEY", app.publicKey(),
                    "APP_USER_ID", anonymous, "NEW_APP_USER_ID", newUser));

            assertThat(out.has("error")).as(out.toString()).isFalse();
            JsonNode info = out.get("customerInfo");
            assertThat(info.get("originalAppUserId").asText()).isEqualTo(anonymous);
            assertThat(info.get("activeEntitlements").toString()).isEqualTo("[\"pro\"]");
            JsonNode pro = info.get("entitlements").get("pro");
            assertThat(pro.get("isActive").asBoolean()).isTrue();
            assertThat(pro.get("willRenew").asBoolean()).isTrue();
            assertThat(pro.get("store").asText()).isEqualTo("stripe");
            assertThat(pro.get("isSandbox").asBoolean()).isTrue();
            assertThat(pro.get("productIdentifier").asText()).isEqualTo("prod_Pro");
            assertThat(pro.get("periodType").asText()).isEqualTo("normal");
            assertThat(info.get("activeSubscriptions").toString()).isEqualTo("[\"prod_Pro\"]");
            assertThat(info.get("managementURL").asText()).isEqualTo(PORTAL);
            assertThat(info.get("prices").get("prod_Pro").get("amountMicros").asLong()).isEqualTo(9_990_000L);
            assertThat(out.get("attributesSet").asBoolean()).isTrue();
            JsonNode identified = out.get("identify");
            assertThat(identified.get("wasCreated").asBoolean()).isTrue();
            assertThat(identified.get("customerInfo").get("activeEntitlements").toString()).isEqualTo("[\"pro\"]");
            assertThat(out.get("appUserIdAfterIdentify").asText()).isEqualTo(newUser);

            JsonNode attributes = server.anonymous().withToken(app.secretKey()).get("/v1/subscribers/" + newUser)
                    .json().get("subscriber").get("subscriber_attributes");
            assertThat(attributes.get("$email").get("value").asText()).isEqualTo("sdk@example.com");
            assertThat(attributes.get("nickname").get("value").asText()).isEqualTo("sdk-user");
        }
    }

    /** Installs the SDK once into target/ (cached across runs); returns the script's path inside that directory. */
    static synchronized Path installSdk() throws Exception {
        if (!commandWorks("node", "--version") || !commandWorks("npm", "--version")) {
            if (System.getenv("CI") != null) {
                fail("Node.js and npm are required for the SDK conformance test in CI (install Node 18+)");
            }
            Assumptions.abort("Node.js/npm not installed; the SDK conformance test runs in CI");
        }
        Files.createDirectories(WORK_DIR);
        Path manifest = WORK_DIR.resolve("node_modules/@revenuecat/purchases-js/package.json");
        if (!Files.exists(manifest) || !Files.readString(manifest).contains("\"version\": \"" + SDK_VERSION + "\"")) {
            Files.writeString(WORK_DIR.resolve("package.json"),
                    "{\"name\":\"substate-sdk-conformance\",\"private\":true,\"type\":\"module\"}\n");
            run(List.of("npm", "install", "--no-audit", "--no-fund", "--no-save",
                    "@revenuecat/purchases-js@" + SDK_VERSION), Map.of(), 300);
        }
        Path script = WORK_DIR.resolve("purchases-js-check.mjs");
        try (InputStream in = PurchasesJsConformanceTest.class.getResourceAsStream("/sdk-conformance/purchases-js-check.mjs")) {
            Files.write(script, in.readAllBytes());
        }
        return script;
    }

    static JsonNode runNode(Path script, Map<String, String> env) throws Exception {
        String output = run(List.of("node", script.getFileName().toString()), env, 120);
        String lastLine = output.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("the SDK script printed no JSON:\n" + output));
        return Json.read(lastLine);
    }

    private static String run(List<String> command, Map<String, String> env, int timeoutSeconds) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).directory(WORK_DIR.toFile())
                .redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        byte[] output;
        try (InputStream in = process.getInputStream()) {
            output = in.readAllBytes();
        }
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish in " + timeoutSeconds + " s");
        }
        String text = new String(output, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new AssertionError(command + " exited with " + process.exitValue() + ":\n" + text);
        }
        return text;
    }

    private static boolean commandWorks(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
