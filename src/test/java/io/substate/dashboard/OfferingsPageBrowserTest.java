package io.substate.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.testing.Api;
import io.substate.testing.Browser;
import io.substate.testing.FakeStripe;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.Fixtures;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import static io.substate.testing.StripeEventBuilder.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The offerings page in headless Chromium (README, "Offerings"): create offerings and packages, attach products and
 * see the price the SDK is shown (or why a product is left out), reorder packages, make an offering current, edit
 * one, and map placements. One database (SQLite): the page does not depend on it.
 */
@Tag("browser")
class OfferingsPageBrowserTest {
    @RegisterExtension
    static final Browser browser = Browser.perClass();
    static FakeStripe stripe;
    static TestServer server;

    @BeforeAll
    static void start() {
        stripe = FakeStripe.start();
        server = TestServer.start(TestDb.SQLITE, Map.of("SUBSTATE_STRIPE_API_BASE", stripe.baseUrl()));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (stripe != null) {
            stripe.close();
        }
    }

    Api admin() {
        return server.admin();
    }

    String product(StripeApp app, String stripeProduct, String displayName) {
        HttpResponse created = admin().post("/v2/projects/" + app.projectId() + "/products", Map.of(
                "store_identifier", stripeProduct, "app_id", app.appId(), "type", "subscription",
                "display_name", displayName));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    JsonNode offerings(StripeApp app) {
        return admin().get("/v2/projects/" + app.projectId() + "/offerings?expand=items.package.product").json()
                .get("items");
    }

    String offeringId(StripeApp app, String lookupKey) {
        for (JsonNode offering : offerings(app)) {
            if (offering.get("lookup_key").asText().equals(lookupKey)) {
                return offering.get("id").asText();
            }
        }
        throw new AssertionError("no offering " + lookupKey);
    }

    WebElement card(String offeringId) {
        return browser.visible(By.id("offering-" + offeringId));
    }

    void createPackage(String offeringId, String lookupKey) {
        browser.type("new-package-key-" + offeringId, lookupKey);
        card(offeringId).findElement(By.cssSelector("form[aria-label^='New package'] button[type=submit]")).click();
        browser.visible(By.cssSelector("#offering-" + offeringId + " tr[data-package='" + lookupKey + "']"));
    }

    String packageText(String offeringId, String lookupKey) {
        return browser.visible(By.cssSelector("#offering-" + offeringId + " tr[data-package='" + lookupKey + "']"))
                .getText();
    }

    @Test
    void offeringsPackagesPricesAndPlacementsAreManagedOnTheOfferingsPage() {
        StripeApp app = Fixtures.stripeApp(admin(), Map.of("api_key", FakeStripe.API_KEY));
        String monthlyStripe = uniqueId("prod_");
        String monthlyPrice = uniqueId("price_");
        ObjectNode price = StripeObjects.price(monthlyPrice, monthlyStripe, 999, "usd", "month", 1);
        ((ObjectNode) price.get("recurring")).put("trial_period_days", 7);
        stripe.put(price);
        stripe.put(StripeObjects.product(monthlyStripe, "Monthly", monthlyPrice));
        String noPriceStripe = uniqueId("prod_");
        stripe.put(StripeObjects.product(noPriceStripe, "Unpriced", null));
        String monthly = product(app, monthlyStripe, "Pro Monthly");
        String unpriced = product(app, noPriceStripe, "Unpriced");

        browser.logIn(server, "/projects/" + app.projectId() + "/offerings");
        browser.textOf(By.tagName("h1"), "Offerings");
        assertThat(browser.visible(By.cssSelector(".sidebar a[aria-current=page]")).getText()).isEqualTo("Offerings");
        assertThat(browser.visible(By.id("main")).getText()).contains("No offering yet.");

        // The first offering becomes current.
        assertThat(browser.labelOf("new-offering-lookup-key")).isEqualTo("Lookup key");
        browser.type("new-offering-lookup-key", "default");
        browser.type("new-offering-display-name", "Default offering");
        browser.click(By.id("create-offering"));
        browser.waitFor(d -> !offerings(app).isEmpty());
        String current = offeringId(app, "default");
        assertThat(browser.textOf(By.id("offering-" + current), "Current")).contains("default");

        // Packages, with the price the SDK is shown, or why the product is left out.
        assertThat(browser.labelOf("new-package-key-" + current)).isEqualTo("Package lookup key");
        createPackage(current, "$rc_monthly");
        createPackage(current, "$rc_custom_unpriced");
        String monthlyPackage = offerings(app).get(0).get("packages").get("items").get(0).get("id").asText();
        String unpricedPackage = offerings(app).get(0).get("packages").get("items").get(1).get("id").asText();
        assertThat(browser.labelOf("attach-" + monthlyPackage)).isEqualTo("Product to attach");
        new Select(browser.byId("attach-" + monthlyPackage)).selectByValue(monthly);
        browser.click(By.cssSelector("tr[data-package='$rc_monthly'] form button[type=submit]"));
        browser.textOf(By.cssSelector("tr[data-package='$rc_monthly'] .price-shown"), "$9.99");
        assertThat(packageText(current, "$rc_monthly")).contains("Pro Monthly (" + monthlyStripe + ")",
                "$9.99 every month, 7 days free trial", monthlyPrice);
        new Select(browser.byId("attach-" + unpricedPackage)).selectByValue(unpriced);
        browser.click(By.cssSelector("tr[data-package='$rc_custom_unpriced'] form button[type=submit]"));
        assertThat(browser.textOf(By.cssSelector("tr[data-package='$rc_custom_unpriced'] .notice-warn"),
                "Left out")).contains("Left out of this package", noPriceStripe, "has no default price");

        // Reorder: the unpriced package moves up.
        browser.click(By.cssSelector("button[aria-label='Move $rc_custom_unpriced up']"));
        browser.waitFor(d -> offerings(app).get(0).get("packages").get("items").get(0).get("lookup_key").asText()
                .equals("$rc_custom_unpriced"));
        // The rows are drawn again after the move: between two drawings the table may have none.
        browser.waitFor(d -> d.findElements(By.cssSelector("#offering-" + current + " tr[data-package]")).stream()
                .findFirst().map(row -> row.getAttribute("data-package").equals("$rc_custom_unpriced")).orElse(false));

        // Edit the offering's display name and metadata.
        browser.type("offering-name-" + current, "Main offering");
        browser.type("offering-metadata-" + current, "{\"cta\": \"Start your trial\"}");
        card(current).findElement(By.cssSelector("form[aria-label='Offering default'] button[type=submit]")).click();
        browser.waitFor(d -> offerings(app).get(0).get("display_name").asText().equals("Main offering"));
        assertThat(offerings(app).get(0).get("metadata").get("cta").asText()).isEqualTo("Start your trial");

        // A second offering, made current.
        browser.type("new-offering-lookup-key", "sale");
        browser.click(By.id("create-offering"));
        browser.waitFor(d -> offerings(app).size() == 2);
        String sale = offeringId(app, "sale");
        browser.visible(By.cssSelector("#offering-" + sale + " button[data-action='make-current']")).click();
        browser.waitFor(d -> d.findElement(By.id("offering-" + sale)).getText().contains("Current"));
        assertThat(card(current).getText()).doesNotContain("Current");
        assertThat(admin().get("/v2/projects/" + app.projectId() + "/offerings/" + sale).json().get("is_current")
                .asBoolean()).isTrue();

        // Placements: onboarding shows the default offering; the fallback is the customer's current offering.
        assertThat(browser.labelOf("placement-fallback")).isEqualTo("Fallback offering");
        browser.type("new-placement-id", "onboarding");
        new Select(browser.byId("new-placement-offering")).selectByValue(current);
        browser.click(By.id("save-placements"));
        browser.visible(By.cssSelector("#placements tr[data-placement='onboarding']"));
        JsonNode placements = admin().get("/v2/projects/" + app.projectId() + "/placements").json();
        assertThat(placements.get("offering_ids_by_placement").get("onboarding").asText()).isEqualTo(current);
        assertThat(placements.get("fallback_offering_id").isNull()).isTrue();

        // Detach and delete.
        browser.visible(By.cssSelector("tr[data-package='$rc_custom_unpriced'] .package-product button.link"))
                .click();
        browser.waitFor(d -> offerings(app).get(0).get("packages").get("items").get(0).get("products").get("items")
                .isEmpty());
        browser.waitFor(d -> d.findElement(By.cssSelector("tr[data-package='$rc_custom_unpriced']")).getText()
                .contains("No product attached"));
        browser.click(By.cssSelector("tr[data-package='$rc_custom_unpriced'] button.danger"));
        browser.waitFor(d -> d.switchTo().alert()).accept();
        browser.waitFor(d -> offerings(app).get(0).get("packages").get("items").size() == 1);

        assertThat(browser.unlabelledFields()).isEmpty();
        String text = browser.visible(By.id("main")).getText();
        assertThat(text).doesNotContain("null", "undefined", "[object Object]", "NaN");
    }

}
