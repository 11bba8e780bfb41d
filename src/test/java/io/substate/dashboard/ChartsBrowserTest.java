package io.substate.dashboard;

import static io.substate.testing.StripeEventBuilder.sign;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static io.substate.testing.StripeObjects.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.substate.testing.Browser;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
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
import org.openqa.selenium.WebElement;

/**
 * The charts page in headless Chromium: every chart the server gives is drawn (a plot, no error), the charts whose
 * measures are parts of a whole plot each part, and summaries read in each measure's unit. One database (SQLite):
 * the page does not depend on it.
 */
@Tag("browser")
class ChartsBrowserTest {
    private static final String SECRET = "whsec_charts_page";
    private static final List<String> CHARTS = List.of("mrr", "arr", "mrr_movement", "revenue", "refund_rate",
            "actives", "actives_movement", "actives_new", "subscription_status", "subscription_retention", "churn",
            "trials", "trials_movement", "trials_new", "trial_conversion_rate", "customers_new", "conversion_to_paying",
            "ltv_per_customer", "ltv_per_paying_customer", "cohort_explorer");

    @RegisterExtension
    static final Browser browser = Browser.perClass();
    static final TestServer server = TestServer.shared(TestDb.SQLITE);

    @Test
    void everyChartIsDrawnWithItsMeasures() {
        Map<String, Object> settings = new HashMap<>();
        settings.put("webhook_secret", SECRET);
        settings.put("track_new_purchases", true);
        settings.put("app_user_id_detection", "stripe_customer_id");
        StripeApp app = Fixtures.stripeApp(server.admin(), settings);
        // A $15 monthly subscription started a minute ago.
        long now = System.currentTimeMillis() / 1000;
        String payload = event(uniqueId("evt_"), "customer.subscription.created", now,
                StripeObjects.subscription(uniqueId("sub_")).customer(uniqueId("cus_")).amount(1500, "usd")
                        .period(now - 60, now + 30 * 86400).livemode(true).json());
        HttpResponse sent = server.anonymous().postStripe(app.webhookPath(), payload, sign(payload, SECRET));
        assertThat(sent.status()).as(sent.toString()).isEqualTo(200);

        browser.logOut(server.baseUrl() + "/projects");
        // From last month's first day: last month's cohort is complete for period 0, this month's is not.
        java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
        java.time.LocalDate lastMonth = today.minusMonths(1).withDayOfMonth(1);
        browser.open(server.baseUrl() + "/projects/" + app.projectId() + "/charts?resolution=month&start_date="
                + lastMonth + "&end_date=" + today);
        browser.type("admin-token", TestServer.ADMIN_TOKEN);
        browser.click(By.id("login"));
        browser.waitFor(d -> d.findElements(By.cssSelector("[data-chart] canvas")).size() == CHARTS.size());

        for (String chart : CHARTS) {
            WebElement card = browser.driver().findElement(By.cssSelector("[data-chart='" + chart + "']"));
            assertThat(card.findElements(By.cssSelector(".notice-error"))).as(chart).isEmpty();
            assertThat(card.findElements(By.cssSelector("canvas"))).as(chart).isNotEmpty();
        }
        // One legend row for the dates, then one per plotted measure.
        assertThat(legendRows("mrr_movement")).isEqualTo(1 + 6);
        assertThat(legendRows("actives_movement")).isEqualTo(1 + 4);
        assertThat(legendRows("subscription_status")).isEqualTo(1 + 3);
        assertThat(legendRows("revenue")).isEqualTo(1 + 1);
        assertThat(summary("mrr")).contains("MRR (total): $15.00");
        assertThat(summary("arr")).contains("ARR (total): $180.00");
        assertThat(summary("actives_new")).contains("New Paid Subscriptions (total): 1");
        assertThat(summary("subscription_status")).contains("Auto-renewing (total): 1");
        assertThat(summary("conversion_to_paying")).contains("New Customers (total): 1");
        assertThat(summary("subscription_retention")).contains("Subscriptions (total): 1");
        // The cohort explorer: its cohort size only in the summary, and a table of the cohorts by period after them
        // (this month's customer has paid, but period 0 ends after now: not known yet), by the measure picked.
        assertThat(summary("cohort_explorer")).isEqualTo("Customers (average): 0.5 Customers (total): 1");
        List<WebElement> rows = browser.driver().findElements(By.cssSelector(
                "[data-chart='cohort_explorer'] .cohort-table tbody tr"));
        assertThat(rows).isNotEmpty();
        List<WebElement> head = browser.driver().findElements(By.cssSelector(
                "[data-chart='cohort_explorer'] .cohort-table thead th"));
        assertThat(head).extracting(WebElement::getText).containsSequence("Cohort", "Customers", "0", "1")
                .hasSize(2 + 13);
        assertThat(rows).hasSize(2);
        String none = " —".repeat(12);
        assertThat(rows.get(0).getText()).isEqualTo(lastMonth + " 0 $0.00" + none);
        assertThat(rows.get(1).getText()).isEqualTo(today.withDayOfMonth(1) + " 1 —" + none);
        new org.openqa.selenium.support.ui.Select(browser.driver().findElement(By.id("cohort_explorer-measure")))
                .selectByValue("paying_customers");
        assertThat(browser.driver().findElement(By.cssSelector(
                "[data-chart='cohort_explorer'] .cohort-table tbody tr")).getText())
                .isEqualTo(lastMonth + " 0 0" + none);
    }

    int legendRows(String chart) {
        return browser.driver().findElements(By.cssSelector("[data-chart='" + chart + "'] .u-legend .u-series"))
                .size();
    }

    String summary(String chart) {
        return browser.driver().findElement(By.cssSelector("[data-chart='" + chart + "'] .summary")).getText();
    }
}
