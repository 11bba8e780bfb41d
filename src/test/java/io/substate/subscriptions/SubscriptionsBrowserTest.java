package io.substate.subscriptions;

import static io.substate.subscriptions.SubscriptionsWorld.STRIPE;
import static io.substate.subscriptions.SubscriptionsWorld.now;
import static io.substate.subscriptions.SubscriptionsWorld.subscriptionPath;
import static org.assertj.core.api.Assertions.assertThat;

import io.substate.testing.Browser;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;

/**
 * The Subscriptions section of the customer page in headless Chromium, as support staff use it: state, revenue and
 * transactions; Cancel at period end and Refund latest payment, each asked first (a dismissed question changes
 * nothing), then the row shows what Stripe answered. One database (SQLite): the page does not depend on it.
 */
@Tag("browser")
class SubscriptionsBrowserTest {
    private static final long DAY = 86_400;
    @RegisterExtension
    static final Browser browser = Browser.perClass();
    static final TestServer server = SubscriptionsWorld.server(TestDb.SQLITE);

    @Test
    void supportSeesASubscriptionCancelsItAndRefundsItsLatestPayment() {
        StripeApp app = SubscriptionsWorld.app(server.admin());
        long start = now() - 2 * DAY;
        SubscriptionsWorld.Sub sub = SubscriptionsWorld.subscribe(server, app, start, start + 30 * DAY);
        By row = By.cssSelector("#subscriptions tr[data-subscription-id='" + sub.id() + "']");

        browser.logIn(server, "/projects/" + app.projectId() + "/customers/" + sub.customer());
        assertThat(browser.textOf(row, sub.subscription())).contains("active", "will renew", "$9.99", "premium");

        browser.click(By.cssSelector("#subscriptions .subscription-transactions summary"));
        assertThat(browser.textOf(By.cssSelector("#subscriptions .subscription-transactions"), sub.invoice()))
                .contains("$9.99");

        // Cancel at the period end: asked, then the row says it will not renew and still gives access.
        browser.click(By.cssSelector("#subscriptions button.cancel-at-period-end"));
        assertThat(browser.waitFor(d -> d.switchTo().alert()).getText()).contains("keeps access");
        browser.driver().switchTo().alert().accept();
        assertThat(browser.textOf(row, "will not renew")).contains("Cancelled at the period end.", "gives access");
        assertThat(server.admin().get(subscriptionPath(app, sub.id())).json().get("auto_renewal_status").asText())
                .isEqualTo("will_not_renew");
        assertThat(browser.driver().findElements(By.cssSelector("#subscriptions button.cancel-at-period-end")))
                .isEmpty();

        // Refund: a dismissed question refunds nothing; an accepted one ends the subscription and refunds.
        browser.click(By.cssSelector("#subscriptions button.refund-latest"));
        browser.waitFor(d -> d.switchTo().alert()).dismiss();
        assertThat(STRIPE.requestsTo("/v1/refunds")).noneMatch(r -> r.body().contains(sub.paymentIntent()));
        browser.click(By.cssSelector("#subscriptions button.refund-latest"));
        assertThat(browser.waitFor(d -> d.switchTo().alert()).getText()).contains("loses access");
        browser.driver().switchTo().alert().accept();
        assertThat(browser.textOf(row, "Refunded the latest payment.")).contains("expired", "$0.00", "no access");
        assertThat(STRIPE.requestsTo("/v1/refunds")).anyMatch(r -> r.body().contains(sub.paymentIntent()));
        assertThat(browser.driver().findElements(By.cssSelector("#subscriptions button.cancel-now"))).isEmpty();

        String text = browser.visible(By.tagName("main")).getText();
        for (String slip : List.of("null", "undefined", "[object Object]", "NaN")) {
            assertThat(text).as(slip).doesNotContain(slip);
        }
    }
}
