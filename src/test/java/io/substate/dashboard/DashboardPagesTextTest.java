package io.substate.dashboard;

import static io.substate.testing.StripeEventBuilder.sign;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.substate.common.Json;
import io.substate.testing.Api;
import io.substate.testing.Browser;
import io.substate.testing.FakeStripe;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import io.substate.testing.WebhookReceiver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * Every dashboard page, filled with a project that has everything (an app with its secret and key, Stripe events of
 * each outcome, a customer with a purchase, attributes and a granted entitlement, entitlements and products, offerings
 * with and without packages and a price from Stripe, a webhook integration with a delivery, charts), read as a person
 * reads it: no {@code null}, {@code undefined} or {@code [object Object]} may
 * show, the marks of a value rendered where an element or a text was meant.
 */
@Tag("browser")
class DashboardPagesTextTest {
    static final String SECRET = "whsec_dashboard_text_test";
    static final Pattern SLIPS = Pattern.compile("\\bnull\\b|\\bundefined\\b|\\[object Object]|\\bNaN\\b");

    @Test
    void noPageShowsAValueThatWasNotMeantAsText() {
        try (FakeStripe stripe = FakeStripe.start();
                WebhookReceiver receiver = WebhookReceiver.healthy();
                TestServer server = TestServer.start(TestDb.SQLITE, Map.of("SUBSTATE_STRIPE_API_BASE", stripe.baseUrl()));
                Browser browser = Browser.start()) {
            Api admin = server.admin();
            StripeApp app = Fixtures.stripeApp(admin, Map.of("webhook_secret", SECRET, "api_key", FakeStripe.API_KEY,
                    "track_new_purchases", true, "app_user_id_detection", "stripe_customer_id",
                    "management_url", "https://billing.stripe.com/p/login/test_text"));
            String project = "/projects/" + app.projectId();
            Fixtures.entitlement(admin, app, "pro", "prod_Pro", "subscription");
            HttpResponse webhook = admin.post("/v2" + project + "/integrations/webhooks",
                    Map.of("name", "Backend", "url", receiver.url()));
            assertThat(webhook.status()).as(webhook.toString()).isEqualTo(201);
            String customer = uniqueId("cus_");
            long now = System.currentTimeMillis() / 1000;
            String created = StripeObjects.event(uniqueId("evt_"), "customer.subscription.created", now,
                    StripeObjects.subscription(uniqueId("sub_")).customer(customer).status("active")
                            .price("price_Pro", "prod_Pro").amount(999, "usd").period(now - 60, now + 30 * 86400)
                            .json());
            String unsupported = StripeObjects.event(uniqueId("evt_"), "customer.created", now,
                    Json.object().put("id", customer).put("object", "customer"));
            assertThat(server.anonymous().postStripe(app.webhookPath(), created, sign(created, SECRET)).status())
                    .isEqualTo(200);
            assertThat(server.anonymous().postStripe(app.webhookPath(), unsupported, sign(unsupported, SECRET))
                    .status()).isEqualTo(400);
            assertThat(server.anonymous().postStripe(app.webhookPath(), created, sign(created, "whsec_wrong"))
                    .status()).isEqualTo(400);
            HttpResponse attributes = server.anonymous().withToken(app.secretKey()).post("/v1/subscribers/" + customer
                    + "/attributes", Map.of("attributes", Map.of("$email", Map.of("value", "text@example.com"))));
            assertThat(attributes.status()).as(attributes.toString()).isEqualTo(200);
            receiver.await("INITIAL_PURCHASE", customer);
            stripe.put(StripeObjects.product("prod_Pro", "Pro", "price_Pro"))
                    .put(StripeObjects.price("price_Pro", "prod_Pro", 999, "usd", "month", 1));
            String productId = admin.get("/v2" + project + "/products").json().get("items").get(0).get("id").asText();
            String offering = admin.post("/v2" + project + "/offerings", Map.of("lookup_key", "default",
                    "display_name", "Default", "metadata", Map.of("cta", "Subscribe"))).json().get("id").asText();
            String pkg = admin.post("/v2" + project + "/offerings/" + offering + "/packages",
                    Map.of("lookup_key", "$rc_monthly", "display_name", "Monthly")).json().get("id").asText();
            HttpResponse attached = admin.post("/v2" + project + "/packages/" + pkg + "/actions/attach_products",
                    Map.of("products", List.of(Map.of("product_id", productId, "eligibility_criteria", "all"))));
            assertThat(attached.status()).as(attached.toString()).isEqualTo(200);
            admin.post("/v2" + project + "/offerings", Map.of("lookup_key", "empty", "display_name", "No packages"));
            HttpResponse granted = server.anonymous().withToken(app.secretKey()).post("/v1/subscribers/" + customer
                    + "/entitlements/pro/promotional", Map.of("duration", "weekly"));
            assertThat(granted.status()).as(granted.toString()).isEqualTo(201);

            List<String> pages = List.of("/projects", project, project + "/apps/" + app.appId(),
                    project + "/apps/" + app.appId() + "/events", project + "/customers",
                    project + "/customers/" + customer, project + "/entitlements", project + "/integrations",
                    project + "/charts", project + "/offerings");
            browser.open(server.baseUrl() + "/projects");
            browser.type("admin-token", TestServer.ADMIN_TOKEN);
            browser.click(By.id("login"));
            browser.textOf(By.tagName("h1"), "Projects");
            List<String> slips = new ArrayList<>();
            for (String page : pages) {
                browser.open(server.baseUrl() + page);
                String text = settledText(browser);
                Matcher slip = SLIPS.matcher(text);
                while (slip.find()) {
                    int from = Math.max(0, slip.start() - 60);
                    slips.add(page + ": …" + text.substring(from, Math.min(text.length(), slip.end() + 60))
                            .replace('\n', ' ') + "…");
                }
            }
            assertThat(slips).isEmpty();
        }
    }

    /** The page's text once it has rendered and stopped loading (the same text twice, half a second apart). */
    private static String settledText(Browser browser) {
        browser.visible(By.cssSelector("main h1"));
        String[] last = {""};
        return browser.waitFor(driver -> {
            String now = (String) browser.script("return document.body.innerText");
            boolean loading = now.contains("Loading") || now.isBlank();
            boolean same = now.equals(last[0]);
            last[0] = now;
            if (!same || loading) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }
            return now;
        });
    }
}
