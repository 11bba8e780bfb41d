package io.substate.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
import io.substate.testing.Browser;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.Fixtures;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

import static io.substate.testing.StripeEventBuilder.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Granting and revoking entitlements on the customer page, in headless Chromium, as support staff would: a grant for
 * one of RevenueCat's durations, one until an end date, a second grant of an active one refused in words, and a
 * revocation. One database (SQLite): the page does not depend on it.
 */
@Tag("browser")
class GrantsBrowserTest {
    @RegisterExtension
    static final Browser browser = Browser.perClass();
    static final TestServer server = TestServer.shared(TestDb.SQLITE);

    Api admin() {
        return server.admin();
    }

    String entitlement(StripeApp app, String lookupKey, String displayName) {
        return admin().post("/v2/projects/" + app.projectId() + "/entitlements",
                Map.of("lookup_key", lookupKey, "display_name", displayName)).json().get("id").asText();
    }

    JsonNode grants(StripeApp app, String user) {
        return Fixtures.profile(admin(), app.projectId(), user).get("granted_entitlements");
    }

    @Test
    void supportGrantsForADurationOrUntilADateAndRevokes() {
        StripeApp app = Fixtures.stripeApp(admin(), new HashMap<>());
        String pro = entitlement(app, "pro", "Pro");
        String beta = entitlement(app, "beta", "Beta access");
        String user = "support-" + uniqueId("");
        assertThat(server.anonymous().withToken(app.secretKey()).get("/v1/subscribers/" + user).status())
                .isEqualTo(201);

        browser.logIn(server, "/projects/" + app.projectId() + "/customers/" + user);
        browser.textOf(By.id("granted-entitlements"), "No granted entitlement.");
        assertThat(browser.labelOf("grant-entitlement")).isEqualTo("Entitlement");
        assertThat(browser.labelOf("grant-duration")).isEqualTo("Duration");
        assertThat(browser.driver().findElement(By.id("grant-end")).isDisplayed()).isFalse();
        assertThat(browser.unlabelledFields()).isEmpty();

        // A week of Pro.
        new Select(browser.byId("grant-entitlement")).selectByValue(pro);
        new Select(browser.byId("grant-duration")).selectByValue("weekly");
        browser.click(By.id("grant-submit"));
        String table = browser.textOf(By.id("granted-entitlements"), "rc_promo_pro_weekly");
        assertThat(table).contains("pro", "Active");
        assertThat(browser.visible(By.id("active-entitlements")).getText()).contains("pro");
        assertThat(browser.visible(By.id("history")).getText()).contains("NON_RENEWING_PURCHASE");
        JsonNode weekly = grants(app, user).get(0);
        assertThat(weekly.get("product_identifier").asText()).isEqualTo("rc_promo_pro_weekly");
        assertThat(weekly.get("expires_at").asLong() - weekly.get("starts_at").asLong()).isEqualTo(7 * 86_400_000L);

        // Beta until a date, read as UTC.
        new Select(browser.byId("grant-entitlement")).selectByValue(beta);
        new Select(browser.byId("grant-duration")).selectByValue("custom");
        assertThat(browser.labelOf("grant-end")).isEqualTo("Ends at (UTC)");
        browser.script("const end = document.getElementById('grant-end'); end.value = '2030-01-02T03:04';"
                + "end.dispatchEvent(new Event('input', {bubbles: true}));");
        assertThat(browser.unlabelledFields()).isEmpty();
        browser.click(By.id("grant-submit"));
        browser.textOf(By.id("granted-entitlements"), "rc_promo_beta_custom");
        assertThat(browser.visible(By.id("granted-entitlements")).getText()).contains("2030-01-02 03:04:00 UTC");
        JsonNode custom = grants(app, user).get(1);
        assertThat(custom.get("product_identifier").asText()).isEqualTo("rc_promo_beta_custom");
        assertThat(custom.get("expires_at").asLong()).isEqualTo(Instant.parse("2030-01-02T03:04:00Z").toEpochMilli());

        // Pro is granted already: the form says so and nothing changes.
        new Select(browser.byId("grant-entitlement")).selectByValue(pro);
        new Select(browser.byId("grant-duration")).selectByValue("lifetime");
        browser.click(By.id("grant-submit"));
        assertThat(browser.textOf(By.cssSelector("#grant-form .notice-error"), "entitlement_already_granted"))
                .contains("revoke it first");
        assertThat(grants(app, user)).hasSize(2);

        // Revoke Pro.
        browser.click(By.cssSelector("button.revoke-grant[data-entitlement-id='" + pro + "']"));
        browser.textOf(By.id("granted-entitlements"), "Revoked");
        assertThat(browser.visible(By.id("active-entitlements")).getText()).contains("beta").doesNotContain("pro");
        assertThat(browser.driver().findElements(By.cssSelector("button.revoke-grant"))).hasSize(1);
        assertThat(grants(app, user).get(0).get("revoked_at").isNull()).isFalse();
        assertThat(grants(app, user).get(1).get("active").asBoolean()).isTrue();
        String text = browser.visible(By.tagName("main")).getText();
        for (String slip : List.of("null", "undefined", "[object Object]", "NaN")) {
            assertThat(text).as(slip).doesNotContain(slip);
        }
    }

    @Test
    void aProjectWithoutEntitlementsSaysWhereToCreateOne() {
        StripeApp app = Fixtures.stripeApp(admin(), new HashMap<>());
        String user = "nothing-" + uniqueId("");
        server.anonymous().withToken(app.secretKey()).get("/v1/subscribers/" + user);

        browser.logIn(server, "/projects/" + app.projectId() + "/customers/" + user);

        assertThat(browser.textOf(By.id("grant-form"), "no entitlement")).contains("create one");
        assertThat(browser.driver().findElement(By.cssSelector("#grant-form a")).getAttribute("href"))
                .endsWith("/projects/" + app.projectId() + "/entitlements");
    }

}
