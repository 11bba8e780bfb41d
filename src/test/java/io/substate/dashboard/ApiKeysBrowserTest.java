package io.substate.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
import io.substate.testing.Browser;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

/**
 * The project page's API keys (made, shown once, listed by hint, revoked after a confirmation) and the app page's
 * Delete app (a confirmation naming what goes; cancelling changes nothing), in headless Chromium. One database
 * (SQLite): the pages do not depend on it.
 */
@Tag("browser")
class ApiKeysBrowserTest {
    @RegisterExtension
    static final Browser browser = Browser.perClass();
    static final TestServer server = TestServer.shared(TestDb.SQLITE);

    Api admin() {
        return server.admin();
    }

    @Test
    void makesAKeyShownOnceListsItByHintAndRevokesItAfterAConfirmation() {
        StripeApp app = Fixtures.stripeApp(admin(), new HashMap<>());
        browser.logIn(server, "/projects/" + app.projectId());
        browser.textOf(By.id("api-keys"), "No API key yet.");
        assertThat(browser.labelOf("new-api-key-name")).isEqualTo("Key name");
        assertThat(browser.labelOf("new-api-key-permissions")).isEqualTo("Permissions");

        browser.type("new-api-key-name", "Reporting");
        new Select(browser.byId("new-api-key-permissions")).selectByValue("read_only");
        browser.click(By.id("create-api-key"));
        String key = browser.byId("new-api-key").getAttribute("value");
        assertThat(key).startsWith("sk_api_");
        assertThat(browser.labelOf("new-api-key")).contains("Reporting", "not shown again");
        assertThat(browser.unlabelledFields()).isEmpty();
        String row = browser.textOf(By.id("api-keys-table"), "Reporting");
        assertThat(row).contains("Read only", "sk_…" + key.substring(key.length() - 4)).doesNotContain(key);
        Api withKey = server.anonymous().withToken(key);
        assertThat(withKey.get("/v2/projects/" + app.projectId()).status()).isEqualTo(200);
        assertThat(withKey.post("/v2/projects/" + app.projectId(), Map.of("name", "x")).status()).isEqualTo(403);

        // Cancelled: the key stays.
        browser.click(By.cssSelector("button.revoke-api-key"));
        Alert question = browser.waitFor(d -> d.switchTo().alert());
        assertThat(question.getText()).contains("Reporting", key.substring(key.length() - 4));
        question.dismiss();
        assertThat(withKey.get("/v2/projects/" + app.projectId()).status()).isEqualTo(200);

        browser.click(By.cssSelector("button.revoke-api-key"));
        browser.waitFor(d -> d.switchTo().alert()).accept();
        browser.textOf(By.id("api-keys"), "No API key yet.");
        assertThat(withKey.get("/v2/projects/" + app.projectId()).status()).isEqualTo(401);
        assertThat(admin().get("/v2/projects/" + app.projectId() + "/api_keys").json().get("items")).isEmpty();
        String text = browser.visible(By.tagName("main")).getText();
        for (String slip : List.of("null", "undefined", "[object Object]", "NaN")) {
            assertThat(text).as(slip).doesNotContain(slip);
        }
    }

    @Test
    void deletesAnAppAfterAConfirmationThatNamesWhatGoes() {
        StripeApp app = Fixtures.stripeApp(admin(), new HashMap<>());
        String p = "/v2/projects/" + app.projectId();
        admin().post(p + "/products", Map.of("store_identifier", "prod_Gold", "app_id", app.appId(),
                "type", "subscription"));
        admin().post(p + "/integrations/webhooks", Map.of("name", "Gold hook", "url", "https://hooks.example.com/g",
                "app_id", app.appId()));
        browser.logIn(server, "/projects/" + app.projectId() + "/apps/" + app.appId());

        browser.click(By.id("delete-app"));
        Alert question = browser.waitFor(d -> d.switchTo().alert());
        assertThat(question.getText()).contains(app.appId(), "prod_Gold", "Gold hook", "purchase", "cannot be undone");
        question.dismiss();
        assertThat(admin().get(p + "/apps/" + app.appId()).status()).isEqualTo(200);

        browser.click(By.id("delete-app"));
        browser.waitFor(d -> d.switchTo().alert()).accept();
        browser.waitFor(d -> d.getCurrentUrl().endsWith("/projects/" + app.projectId()));
        browser.textOf(By.tagName("main"), "No app yet.");
        assertThat(admin().get(p + "/apps/" + app.appId()).status()).isEqualTo(404);
        JsonNode products = admin().get(p + "/products").json().get("items");
        assertThat(products).isEmpty();
    }
}
