package io.substate.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Browser;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The API reference page (/api-reference) renders the served /openapi.json: every operation under its tag, an
 * operation's parameters, body and responses when opened, the schemas it links, and a filter. In headless Chromium;
 * one database (SQLite): the page does not depend on it.
 */
@Tag("browser")
class ApiReferenceBrowserTest {
    @RegisterExtension
    static final Browser browser = Browser.perClass();
    static final TestServer server = TestServer.shared(TestDb.SQLITE);

    @Test
    void listsEveryOperationOfTheDocumentUnderItsTagAndOpensOne() {
        JsonNode document = server.anonymous().get("/openapi.json").json();
        int operations = 0;
        for (JsonNode item : document.get("paths")) {
            for (String method : List.of("get", "post", "put", "patch", "delete")) {
                operations += item.has(method) ? 1 : 0;
            }
        }
        browser.logIn(server, "/api-reference");
        browser.textOf(By.tagName("h1"), "API reference");
        browser.visible(By.id("op-getSubscriber"));
        assertThat(browser.driver().findElements(By.cssSelector("details.api-operation"))).hasSize(operations);
        assertThat(browser.byId("tag-subscribers-v1").getText()).contains("Subscribers (v1)",
                "/v1/subscribers/{app_user_id}");
        assertThat(browser.byId("tag-customers").getText()).contains("POST", "/v2/projects/{project_id}/customers",
                "Create a customer");
        assertThat(browser.byId("tag-stripe-webhook").getText()).contains("/v1/incoming-webhooks/stripe/{app_id}");

        // An operation opened: its parameters, body and responses, and the schema it answers, one click away.
        browser.click(By.cssSelector("#op-grantEntitlement > summary"));
        WebElement grant = browser.byId("op-grantEntitlement");
        assertThat(browser.textOf(By.cssSelector("#op-grantEntitlement .api-parameters"), "customer_id"))
                .contains("project_id", "path", "required");
        assertThat(grant.getText()).contains("Request body", "entitlement_id", "expires_at", "201", "Granted",
                "ErrorV2", "AdminToken or ProjectKey");
        browser.click(By.cssSelector("#op-grantEntitlement .api-responses a[href='#schema-Customer']"));
        assertThat(browser.byId("schema-Customer").getText()).contains("active_entitlements", "first_seen_at");
        assertThat(browser.script("return location.pathname + location.hash")).isEqualTo("/api-reference#schema-Customer");

        String text = browser.driver().findElement(By.id("main")).getText();
        assertThat(text).doesNotContain("undefined", "[object Object]", "NaN");
    }

    @Test
    void theFilterKeepsTheOperationsThatMatch() {
        browser.logIn(server, "/api-reference");
        browser.visible(By.id("op-getProject"));
        browser.type("api-search", "promotional");
        browser.waitFor(d -> d.findElements(By.id("op-getProject")).isEmpty());
        assertThat(browser.driver().findElements(By.cssSelector("details.api-operation")).stream()
                .map(e -> e.getAttribute("id")).toList())
                .containsExactlyInAnyOrder("op-grantPromotionalEntitlement", "op-revokePromotionalEntitlements");
        assertThat(browser.labelOf("api-search")).isEqualTo("Filter");
        assertThat(browser.unlabelledFields()).isEmpty();
    }

    @Test
    void aProjectPageLinksToIt() {
        StripeApp app = Fixtures.stripeApp(server.admin(), new HashMap<>());
        browser.logIn(server, "/projects/" + app.projectId());
        browser.click(By.linkText("API reference"));
        browser.visible(By.id("op-createProject"));
        assertThat(browser.script("return location.pathname")).isEqualTo("/api-reference");
    }
}
