package io.substate.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.substate.testing.Browser;
import io.substate.testing.FakeStripe;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * The app page's "Import from Stripe" in headless Chromium: the button starts the import and the section follows it
 * (running, then completed with its counts) by polling. One database (SQLite): the page does not depend on it.
 */
@Tag("browser")
class ImportBrowserTest {
    @Test
    void theButtonStartsAnImportAndItsProgressIsShownUntilItCompletes() {
        try (FakeStripe stripe = FakeStripe.start();
                TestServer server = TestServer.start(TestDb.SQLITE, Map.of("SUBSTATE_STRIPE_API_BASE",
                        stripe.baseUrl()));
                Browser browser = Browser.start()) {
            StripeApp app = Fixtures.stripeApp(server.admin(), Map.of("webhook_secret", "whsec_import_page",
                    "api_key", FakeStripe.API_KEY, "app_user_id_detection", "stripe_customer_id"));
            Fixtures.entitlement(server.admin(), app, "premium", "prod_premium", "subscription");
            stripe.put(StripeObjects.subscription("sub_ImportPage1").customer("cus_ImportPage1").json());
            stripe.put(StripeObjects.subscription("sub_ImportPage2").customer("cus_ImportPage2").status("canceled")
                    .json());

            browser.open(server.baseUrl() + "/projects/" + app.projectId() + "/apps/" + app.appId());
            browser.type("admin-token", TestServer.ADMIN_TOKEN);
            browser.click(By.id("login"));
            stripe.delayNext(Duration.ofMillis(1500)); // the first list page: long enough to see it running
            browser.click(By.id("import-from-stripe"));

            // The section is redrawn at every poll: each check reads the element anew.
            browser.waitFor(d -> d.findElement(By.id("import-status")).getText().equals("running"));
            browser.waitFor(d -> d.findElement(By.id("import-status")).getText().equals("completed"));
            String progress = browser.waitFor(d -> d.findElement(By.id("import-progress")).getText());
            assertThat(progress).contains("completed: 2 subscriptions", "Imported\n2");
            assertThat(browser.byId("import-from-stripe").isEnabled()).isTrue();
            assertThat(Fixtures.activeEntitlementKeys(server.admin(), app.projectId(), "cus_ImportPage1"))
                    .containsExactly("premium");
        }
    }
}
