package io.substate.dashboard;

import static io.substate.testing.StripeEventBuilder.sign;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.substate.testing.Api;
import io.substate.testing.Browser;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;

/**
 * The customers list and the customer page in headless Chromium, on RevenueCat v2's customer API: the list pages
 * through every customer, a search by email (any case) or Stripe customer id opens the one customer it finds, a
 * search without a match says so, and the customer page shows the identity, aliases, active entitlements,
 * attributes and the purchase. One database (SQLite): the pages do not depend on it.
 */
@Tag("browser")
class CustomersBrowserTest {
    static final String SECRET = "whsec_customers_browser";
    @RegisterExtension
    static final Browser browser = Browser.perClass();
    static final TestServer server = TestServer.shared(TestDb.SQLITE);

    Api admin() {
        return server.admin();
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    @Test
    void theListPagesAndASearchOpensTheCustomerItFinds() {
        Map<String, Object> stripe = new HashMap<>();
        stripe.put("webhook_secret", SECRET);
        stripe.put("track_new_purchases", true);
        stripe.put("app_user_id_detection", "metadata");
        stripe.put("metadata_key", "app_user_id");
        StripeApp app = Fixtures.stripeApp(admin(), stripe);
        Fixtures.entitlement(admin(), app, "pro", "prod_Pro", "subscription");
        String customers = "/v2/projects/" + app.projectId() + "/customers";
        for (int i = 0; i < 20; i++) {
            assertThat(admin().post(customers, Map.of("id", "filler-" + i)).status()).isEqualTo(201);
        }
        String anonymous = "$RCAnonymousID:" + java.util.UUID.randomUUID().toString().replace("-", "");
        String user = "buyer-" + uniqueId("");
        String stripeCustomer = uniqueId("cus_");
        Api secret = server.anonymous().withToken(app.secretKey());
        assertThat(secret.get(Fixtures.customerPath(app.projectId(), anonymous).replace(customers, "/v1/subscribers"))
                .status()).isEqualTo(201);
        secret.post("/v1/subscribers/identify", Map.of("app_user_id", anonymous, "new_app_user_id", user));
        String subscriptionId = uniqueId("sub_");
        String payload = StripeObjects.event(uniqueId("evt_"), "customer.subscription.created", now(),
                StripeObjects.subscription(subscriptionId).customer(stripeCustomer).status("active")
                        .metadata("app_user_id", user).price("price_Pro", "prod_Pro").amount(999, "usd")
                        .period(now() - 60, now() + 30 * 86400).json());
        assertThat(server.anonymous().postStripe(app.webhookPath(), payload, sign(payload, SECRET)).status())
                .isEqualTo(200);
        assertThat(admin().post(Fixtures.customerPath(app.projectId(), user) + "/attributes", Map.of("attributes",
                List.of(Map.of("name", "$email", "value", "Buyer@Example.com")))).status()).isEqualTo(200);

        // The list: 21 customers, 20 on the first page.
        browser.logIn(server, "/projects/" + app.projectId() + "/customers");
        browser.textOf(By.id("customers"), "filler-0");
        assertThat(browser.driver().findElements(By.cssSelector("#customers tbody tr"))).hasSize(20);
        assertThat(browser.labelOf("customer-lookup")).isEqualTo("App User ID, alias, Stripe customer id or email");
        assertThat(browser.unlabelledFields()).isEmpty();
        browser.click(By.id("customers-next"));
        browser.textOf(By.id("customers"), anonymous);
        assertThat(browser.driver().findElements(By.cssSelector("#customers tbody tr"))).hasSize(1);
        assertThat(browser.driver().findElements(By.id("customers-next"))).isEmpty();

        // A search without a match, then one by email in another case: it opens the customer.
        browser.type("customer-lookup", "nobody@example.com");
        browser.click(By.id("customer-lookup-submit"));
        browser.textOf(By.id("customers"), "No customer matches \"nobody@example.com\".");
        browser.type("customer-lookup", "BUYER@example.com");
        browser.click(By.id("customer-lookup-submit"));
        browser.textOf(By.id("subscriptions"), subscriptionId);
        assertThat(browser.driver().getCurrentUrl()).isEqualTo(server.baseUrl() + "/projects/" + app.projectId()
                + "/customers/%24RCAnonymousID%3A" + anonymous.substring("$RCAnonymousID:".length()));
        assertThat(browser.visible(By.id("aliases")).getText()).contains(anonymous, user);
        assertThat(browser.visible(By.id("active-entitlements")).getText()).contains("pro", "until");
        assertThat(browser.visible(By.id("attributes")).getText()).contains("$email", "Buyer@Example.com");
        assertThat(browser.visible(By.id("subscriptions")).getText()).contains("active");
        assertThat(browser.visible(By.id("history")).getText()).contains("INITIAL_PURCHASE");
        String text = browser.visible(By.tagName("main")).getText();
        for (String slip : List.of("null", "undefined", "[object Object]", "NaN")) {
            assertThat(text).as(slip).doesNotContain(slip);
        }

        // From the customer page, by Stripe customer id.
        browser.open(server.baseUrl() + "/projects/" + app.projectId() + "/customers/filler-3");
        browser.textOf(By.id("attributes"), "No attribute.");
        browser.type("customer-lookup", stripeCustomer);
        browser.click(By.id("customer-lookup-submit"));
        browser.waitFor(d -> d.getCurrentUrl().contains("RCAnonymousID"));
        browser.textOf(By.id("subscriptions"), subscriptionId);
    }
}
