package io.substate.dashboard;

import com.sun.net.httpserver.HttpServer;
import io.substate.testing.Browser;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.Fixtures;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.JavascriptExecutor;

import static io.substate.testing.StripeEventBuilder.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * CORS as a real browser applies it (README, "Browsers (CORS)"): a page served from a second origin calls Substate
 * with {@code fetch()} and the headers RevenueCat's web SDK sends, so every call is preflighted. With the app's
 * public key it reads the answers; with the project's secret key, against the admin API, or from an origin the app
 * does not allow, Chromium keeps it from reading anything. SQLite only: CORS does not depend on the database.
 */
@Tag("browser")
class CrossOriginBrowserTest {
    @RegisterExtension
    static final Browser browser = Browser.perClass();
    static final TestServer server = TestServer.shared(TestDb.SQLITE);
    static HttpServer shop;
    static String shopOrigin;

    @BeforeAll
    static void start() throws IOException {
        shop = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] page = "<!doctype html><html><head><title>Shop</title></head><body><p>Shop</p></body></html>"
                .getBytes(StandardCharsets.UTF_8);
        shop.createContext("/", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(page);
            }
        });
        shop.start();
        // Another host name and another port than the API's http://127.0.0.1:<port>: another origin twice over.
        shopOrigin = "http://localhost:" + shop.getAddress().getPort();
        browser.driver().manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() {
        if (shop != null) {
            shop.stop(0);
        }
    }

    /**
     * {@code fetch()} from the shop's page as purchases-js makes it: these headers on every call, a JSON body or none.
     * Answers {@code {status, body}}, or {@code {error}} when the browser refused to let the page read the answer.
     */
    @SuppressWarnings("unchecked")
    Map<String, Object> fetch(String method, String path, String key, String jsonBody) {
        return (Map<String, Object>) ((JavascriptExecutor) browser.driver()).executeAsyncScript("""
                const [url, method, key, body, done] = arguments;
                fetch(url, { method, body, headers: { 'Authorization': 'Bearer ' + key,
                    'Content-Type': 'application/json', 'Accept': 'application/json', 'X-Platform': 'web',
                    'X-Version': '1.63.1', 'X-Is-Sandbox': 'false' } })
                  .then(async (r) => done({ status: r.status, body: await r.text() }),
                        (e) => done({ error: String(e) }));""", server.baseUrl() + path, method, key, jsonBody);
    }

    @Test
    void aPageOfAnotherOriginReadsWhatItsPublicKeyMayCallAndNothingElse() {
        StripeApp app = Fixtures.stripeApp(server.admin(), new HashMap<>());
        browser.open(shopOrigin + "/");
        assertThat(browser.driver().getTitle()).isEqualTo("Shop");
        String user = "$RCAnonymousID:" + uniqueId("").toLowerCase();
        String encoded = "%24RCAnonymousID%3A" + user.substring("$RCAnonymousID:".length());

        Map<String, Object> created = fetch("GET", "/v1/subscribers/" + encoded, app.publicKey(), null);
        Map<String, Object> attributes = fetch("POST", "/v1/subscribers/" + encoded + "/attributes", app.publicKey(),
                "{\"attributes\":{\"$displayName\":{\"value\":\"Ann\",\"updated_at_ms\":1}}}");
        Map<String, Object> identified = fetch("POST", "/v1/subscribers/identify", app.publicKey(),
                "{\"app_user_id\":\"" + user + "\",\"new_app_user_id\":\"ann-" + uniqueId("") + "\"}");
        Map<String, Object> unknownKey = fetch("GET", "/v1/subscribers/" + encoded, "strp_unknown0123456789", null);

        assertThat(created).as(created.toString()).containsEntry("status", 201L);
        assertThat((String) created.get("body")).contains("\"original_app_user_id\":\"" + user + "\"");
        assertThat(attributes).as(attributes.toString()).containsEntry("status", 200L);
        assertThat(identified).as(identified.toString()).containsEntry("status", 201L);
        // The SDK can read why its key is refused.
        assertThat(unknownKey).as(unknownKey.toString()).containsEntry("status", 401L);
        assertThat((String) unknownKey.get("body")).contains("7225");

        // The secret key, the admin API: the browser lets the page read nothing.
        for (Map<String, Object> refused : List.of(
                fetch("DELETE", "/v1/subscribers/" + encoded, app.secretKey(), null),
                fetch("GET", "/v1/subscribers/" + encoded, app.secretKey(), null),
                fetch("GET", "/v2/projects/" + app.projectId(), TestServer.ADMIN_TOKEN, null),
                fetch("PATCH", "/v2/projects/" + app.projectId() + "/apps/" + app.appId(), TestServer.ADMIN_TOKEN,
                        "{\"allowed_origins\":null}"))) {
            assertThat(refused).as(refused.toString()).containsKey("error").doesNotContainKey("status");
        }
        // The DELETE never ran: its preflight was refused.
        assertThat(server.anonymous().withToken(app.secretKey()).get("/v1/subscribers/" + encoded).status())
                .isEqualTo(200);
    }

    @Test
    void anAppThatAllowsOtherOriginsIsUnreadableFromThisPage() {
        StripeApp app = Fixtures.stripeApp(server.admin(), new HashMap<>());
        browser.open(shopOrigin + "/");
        String appPath = "/v2/projects/" + app.projectId() + "/apps/" + app.appId();
        String user = "user-" + uniqueId("");

        server.admin().patch(appPath, Map.of("allowed_origins", List.of("https://shop.example.com")));
        Map<String, Object> elsewhere = fetch("GET", "/v1/subscribers/" + user, app.publicKey(), null);
        server.admin().patch(appPath, Map.of("allowed_origins", List.of("https://shop.example.com", shopOrigin)));
        Map<String, Object> listed = fetch("GET", "/v1/subscribers/" + user, app.publicKey(), null);

        assertThat(elsewhere).as(elsewhere.toString()).containsKey("error").doesNotContainKey("status");
        // The refused call was still served (the customer exists now): only its answer was kept from the page.
        assertThat(listed).as(listed.toString()).containsEntry("status", 200L);
    }
}
