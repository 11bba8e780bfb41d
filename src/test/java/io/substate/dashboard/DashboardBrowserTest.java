package io.substate.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.common.Json;
import io.substate.testing.Api;
import io.substate.testing.Browser;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import static io.substate.testing.StripeEventBuilder.sign;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed's setup steps done by a person in the dashboard, in headless Chromium: log in, create a project and an
 * app, copy the Stripe Webhook Endpoint, save the Stripe Webhook Secret, turn on Track new purchases with the
 * metadata method; then Stripe's signed events show on the events page (with the reason of a failure), the customer
 * page, and the charts page draws. One database (SQLite) only: the pages do not depend on it, and browsers are slow.
 */
@Tag("browser")
class DashboardBrowserTest {
    static final String SECRET = "whsec_dashboard_browser_test";
    static final String PUBLIC_URL = "http://substate.test";
    @RegisterExtension
    static final Browser browser = Browser.perClass();
    static final TestServer server = TestServer.shared(TestDb.SQLITE);

    @BeforeEach
    void newSession() {
        browser.logOut(base() + "/projects");
    }

    String base() {
        return server.baseUrl();
    }

    Api admin() {
        return server.admin();
    }

    void logIn() {
        browser.type("admin-token", TestServer.ADMIN_TOKEN);
        browser.click(By.id("login"));
    }

    long now() {
        return System.currentTimeMillis() / 1000;
    }

    @Test
    void seedSetupStepsThenEventsCustomerAndCharts() {
        // Any page asks for the admin token first; a wrong one is refused in words.
        browser.open(base() + "/projects");
        assertThat(browser.labelOf("admin-token")).isEqualTo("Admin token");
        assertThat(browser.byId("admin-token").getAttribute("type")).isEqualTo("password");
        browser.type("admin-token", "not-the-token");
        browser.click(By.id("login"));
        assertThat(browser.textOf(By.cssSelector(".login .notice-error"), "not valid")).contains("not valid");
        logIn();
        browser.textOf(By.tagName("h1"), "Projects");

        // Create a project, then an app under Project Settings > Apps.
        String projectName = "Browser " + uniqueId("");
        assertThat(browser.labelOf("new-project-name")).isEqualTo("Project name");
        browser.type("new-project-name", projectName);
        browser.click(By.id("create-project"));
        browser.textOf(By.tagName("h1"), projectName);
        browser.textOf(By.id("project-crumb"), projectName);
        String projectId = browser.driver().getCurrentUrl().replaceAll(".*/projects/", "");
        // The secret key, shown once (Substate keeps its hash), then by its hint.
        String secretKey = browser.byId("project-secret-key").getAttribute("value");
        assertThat(secretKey).matches("sk_[A-Za-z0-9]{32}");
        assertThat(browser.byId("project-secret-key-hint").getText())
                .isEqualTo("sk_\u2026" + secretKey.substring(secretKey.length() - 4));
        assertThat(admin().withToken(secretKey).get("/v2/projects/" + projectId).status()).isEqualTo(200);
        browser.type("new-app-name", "Web checkout");
        browser.click(By.id("create-app"));

        // Webhook Configuration: copy the Stripe Webhook Endpoint.
        WebElement endpoint = browser.byId("stripe-webhook-endpoint");
        String appId = browser.driver().getCurrentUrl().replaceAll(".*/apps/", "");
        assertThat(browser.driver().getCurrentUrl()).isEqualTo(base() + "/projects/" + projectId + "/apps/" + appId);
        assertThat(browser.labelOf("stripe-webhook-endpoint")).isEqualTo("Stripe Webhook Endpoint");
        String endpointUrl = endpoint.getAttribute("value");
        assertThat(endpointUrl).isEqualTo(PUBLIC_URL + "/v1/incoming-webhooks/stripe/" + appId);
        browser.click(By.cssSelector("#webhook-configuration .with-buttons button"));
        browser.waitFor(d -> !d.findElement(By.cssSelector("#webhook-configuration .copy-status")).getText().isEmpty());
        assertThat(browser.byId("stripe-event-types").getText()).contains("customer.subscription.updated",
                "customer.subscription.deleted", "charge.refunded", "invoice.updated",
                "customer.subscription.created", "checkout.session.completed");
        assertThat(browser.driver().findElements(By.cssSelector("#stripe-event-types li"))).hasSize(6);

        // Paste the Signing secret and save it.
        assertThat(browser.labelOf("stripe-webhook-secret")).isEqualTo("Stripe Webhook Secret");
        assertThat(browser.byId("stripe-webhook-secret").getAttribute("type")).isEqualTo("password");
        browser.type("stripe-webhook-secret", SECRET);
        browser.click(By.id("save-webhook-secret"));
        browser.textOf(By.id("webhook-secret-status"), "is saved");

        // Track new purchases, with the App User ID read from a metadata field.
        browser.click(By.id("track-new-purchases"));
        assertThat(browser.labelOf("detection-metadata")).isEqualTo("Read App User ID from a Stripe metadata field");
        assertThat(browser.driver().findElement(By.id("metadata-field-key")).isDisplayed()).isFalse();
        browser.click(By.id("detection-metadata"));
        assertThat(browser.labelOf("metadata-field-key")).isEqualTo("Metadata field key");
        browser.type("metadata-field-key", "app_user_id");
        browser.click(By.id("save-tracking"));
        browser.textOf(By.id("webhook-configuration"), "Tracking settings saved.");
        JsonNode stripe = admin().get("/v2/projects/" + projectId + "/apps/" + appId).json().get("stripe");
        assertThat(stripe.get("webhook_secret_set").asBoolean()).isTrue();
        assertThat(stripe.get("track_new_purchases").asBoolean()).isTrue();
        assertThat(stripe.get("app_user_id_detection").asText()).isEqualTo("metadata");
        assertThat(stripe.get("metadata_key").asText()).isEqualTo("app_user_id");

        // Stripe sends to the copied endpoint: a new subscription (tracked), an unsupported type, a wrong signature.
        String webhookPath = endpointUrl.substring(PUBLIC_URL.length());
        String appUserId = "user-" + uniqueId("");
        String subscription = uniqueId("sub_");
        String created = StripeObjects.event(uniqueId("evt_"), "customer.subscription.created", now(),
                StripeObjects.subscription(subscription).customer(uniqueId("cus_")).status("active")
                        .price("price_Pro", "prod_Pro").period(now() - 60, now() + 30 * 86400)
                        .metadata("app_user_id", appUserId).json());
        String unsupported = StripeObjects.event(uniqueId("evt_"), "customer.created", now(),
                Json.object().put("id", uniqueId("cus_")).put("object", "customer"));
        HttpResponse accepted = server.anonymous().postStripe(webhookPath, created, sign(created, SECRET));
        HttpResponse refused = server.anonymous().postStripe(webhookPath, unsupported, sign(unsupported, SECRET));
        HttpResponse forged = server.anonymous().postStripe(webhookPath, created, sign(created, "whsec_wrong"));
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(200);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(forged.status()).isEqualTo(400);

        // The events page: the accepted event, the failed one with its reason and fix, the signature failure.
        browser.click(By.cssSelector("nav.tabs a[href$='/events']"));
        String createdId = Json.read(created).get("id").asText();
        String unsupportedId = Json.read(unsupported).get("id").asText();
        WebElement processedRow = browser.visible(By.cssSelector("tr[data-event-id='" + createdId + "']"));
        assertThat(processedRow.getText()).contains("customer.subscription.created", "Processed");
        WebElement failedRow = browser.visible(By.cssSelector("tr[data-event-id='" + unsupportedId + "']"));
        assertThat(failedRow.getText()).contains("customer.created", "Failed");
        WebElement reason = failedRow.findElement(By.xpath("following-sibling::tr[1]"));
        assertThat(reason.getText()).contains("Stripe sent an event type Substate does not handle",
                "unsupported_event_type", "one endpoint per event");
        assertThat(browser.textOf(By.id("signature-failures"), "Signature failures: 1"))
                .contains("did not match the Stripe Webhook Secret");

        // The customer page, reached by looking the App User ID up.
        browser.click(By.cssSelector("nav.sidebar a[href='/projects/" + projectId + "/customers']"));
        browser.type("customer-lookup", appUserId);
        browser.click(By.id("customer-lookup-submit"));
        assertThat(browser.textOf(By.id("subscriptions"), subscription)).contains("active");
        assertThat(browser.textOf(By.id("history"), "customer.subscription.created")).contains("Stripe event");
        assertThat(browser.driver().getCurrentUrl()).isEqualTo(base() + "/projects/" + projectId + "/customers/" + appUserId);

        // The charts page: its controls, then the plots, or a clear message while the charts API is missing.
        browser.click(By.cssSelector("nav.sidebar a[href='/projects/" + projectId + "/charts']"));
        assertThat(browser.labelOf("chart-resolution")).isEqualTo("Resolution");
        assertThat(browser.labelOf("chart-start-date")).isEqualTo("Start date");
        assertThat(browser.labelOf("chart-end-date")).isEqualTo("End date");
        boolean chartsServed = !admin().get("/v2/projects/" + projectId + "/charts/actives").body().contains("route_not_found");
        if (chartsServed) {
            browser.waitFor(d -> d.findElements(By.cssSelector("[data-chart] canvas")).size() >= 1);
        } else {
            browser.textOf(By.id("charts"), "Charts are not available on this server version.");
        }

        // Webhooks: add one and send it a test event (or a clear message while the integrations API is missing).
        browser.click(By.cssSelector("nav.sidebar a[href='/projects/" + projectId + "/integrations']"));
        boolean integrationsServed = !admin().get("/v2/projects/" + projectId + "/integrations/webhooks").body()
                .contains("route_not_found");
        if (integrationsServed) {
            browser.type("new-webhook-name", "Backend");
            browser.type("new-webhook-url", "http://127.0.0.1:9/substate-hook");
            browser.click(By.id("create-webhook"));
            browser.textOf(By.tagName("form"), "Webhook added");
            browser.click(By.xpath("//button[text()='Done']"));
            browser.click(By.xpath("//section[contains(@class,'integration')]//button[text()='Send test event']"));
            browser.visible(By.cssSelector("tr[data-delivery-id]"));
        } else {
            browser.textOf(By.id("main"), "Webhook integrations are not available on this server version.");
        }

        // Nothing was loaded from another origin (no CDN, no web font).
        @SuppressWarnings("unchecked")
        List<String> resources = (List<String>) browser.script(
                "return performance.getEntriesByType('resource').map(e => e.name)");
        assertThat(resources).isNotEmpty().allMatch(url -> url.startsWith(base() + "/"));
        assertThat(browser.unlabelledFields()).isEmpty();

        // Log out; a stable URL then asks for the token first, and shows the page asked for.
        browser.click(By.id("logout"));
        browser.byId("admin-token");
        browser.open(base() + "/projects/" + projectId + "/apps/" + appId);
        logIn();
        assertThat(browser.byId("stripe-webhook-endpoint").getAttribute("value")).isEqualTo(endpointUrl);
        assertThat(browser.unlabelledFields()).isEmpty();
    }

    @Test
    void aParkedEventIsExplainedAndReplayedOnceTrackingIsOn() {
        String projectId = admin().post("/v2/projects", Map.of("name", "Replay " + uniqueId(""))).json().get("id").asText();
        JsonNode app = admin().post("/v2/projects/" + projectId + "/apps", Map.of("name", "Web", "type", "stripe",
                "stripe", Map.of("webhook_secret", SECRET))).json();
        String appId = app.get("id").asText();
        String customer = uniqueId("cus_");
        String payload = StripeObjects.event(uniqueId("evt_"), "customer.subscription.created", now(),
                StripeObjects.subscription(uniqueId("sub_")).customer(customer).status("active")
                        .period(now() - 60, now() + 30 * 86400).json());
        String eventId = Json.read(payload).get("id").asText();
        HttpResponse parked = server.anonymous().postStripe("/v1/incoming-webhooks/stripe/" + appId, payload,
                sign(payload, SECRET));
        assertThat(parked.status()).isEqualTo(422);

        browser.open(base() + "/projects/" + projectId + "/apps/" + appId + "/events");
        logIn();
        WebElement row = browser.visible(By.cssSelector("tr[data-event-id='" + eventId + "']"));
        assertThat(row.getText()).contains("Parked");
        assertThat(row.findElement(By.xpath("following-sibling::tr[1]")).getText())
                .contains("Substate does not know this purchase yet", "/v1/receipts", "Track new purchases");
        admin().patch("/v2/projects/" + projectId + "/apps/" + appId,
                Map.of("stripe", Map.of("track_new_purchases", true, "app_user_id_detection", "stripe_customer_id")));

        browser.click(By.cssSelector("tr[data-event-id='" + eventId + "'] button.replay"));

        browser.waitFor(d -> d.findElement(By.cssSelector("tr[data-event-id='" + eventId + "']")).getText()
                .contains("Processed"));
        assertThat(admin().get("/v2/projects/" + projectId + "/customers/" + customer).status()).isEqualTo(200);
    }

    @Test
    void refreshFromStripeOnTheCustomerPageShowsACancellationMadeInStripe() {
        try (io.substate.testing.FakeStripe stripe = io.substate.testing.FakeStripe.start();
                TestServer withStripe = TestServer.start(TestDb.SQLITE,
                        Map.of("SUBSTATE_STRIPE_API_BASE", stripe.baseUrl()))) {
            io.substate.testing.Fixtures.StripeApp app = io.substate.testing.Fixtures.stripeApp(withStripe.admin(),
                    Map.of("webhook_secret", SECRET, "api_key", io.substate.testing.FakeStripe.API_KEY,
                            "track_new_purchases", true, "app_user_id_detection", "stripe_customer_id"));
            String customer = uniqueId("cus_");
            String sub = uniqueId("sub_");
            String payload = io.substate.testing.StripeObjects.event(uniqueId("evt_"), "customer.subscription.created",
                    now(), io.substate.testing.StripeObjects.subscription(sub).customer(customer).status("active")
                            .period(now() - 60, now() + 30 * 86400).json());
            assertThat(withStripe.anonymous().postStripe(app.webhookPath(), payload, sign(payload, SECRET)).status())
                    .isEqualTo(200);
            // The customer cancels in Stripe's portal, and no webhook reaches Substate.
            stripe.put(io.substate.testing.StripeObjects.subscription(sub).customer(customer).status("active")
                    .period(now() - 60, now() + 30 * 86400).cancelAtPeriodEnd(true).json());

            browser.logOut(withStripe.baseUrl() + "/projects");
            browser.open(withStripe.baseUrl() + "/projects/" + app.projectId() + "/customers/" + customer);
            logIn();
            browser.visible(By.id("subscriptions"));
            assertThat(browser.textOf(By.id("subscriptions"), sub)).doesNotContain("will not renew");
            browser.click(By.cssSelector("button.refresh-subscription"));

            browser.waitFor(d -> d.findElement(By.id("subscriptions")).getText().contains("will not renew"));
            assertThat(browser.visible(By.id("subscriptions")).getText()).contains("Refreshed from Stripe.");
            assertThat(stripe.requestsTo("/v1/subscriptions/" + sub)).isNotEmpty();
            assertThat(withStripe.admin().get("/v2/projects/" + app.projectId() + "/customers/" + customer + "/profile")
                    .json().get("history").toString()).contains("CANCELLATION");
        }
    }

    @Test
    void allowedOriginsAreSavedWithTheAppOnePerLineAndEmptyMeansAnyOrigin() {
        String projectId = admin().post("/v2/projects", Map.of("name", "Origins " + uniqueId(""))).json().get("id").asText();
        String appId = admin().post("/v2/projects/" + projectId + "/apps", Map.of("name", "Web", "type", "stripe"))
                .json().get("id").asText();
        String appPath = "/v2/projects/" + projectId + "/apps/" + appId;

        browser.open(base() + "/projects/" + projectId + "/apps/" + appId);
        logIn();
        assertThat(browser.labelOf("allowed-origins")).isEqualTo("Allowed origins");
        assertThat(browser.byId("allowed-origins").getAttribute("value")).isEmpty();
        assertThat(browser.byId("allowed-origins-status").getText()).contains("any origin");
        assertThat(browser.unlabelledFields()).isEmpty();

        // A mistake is refused in words, naming the entry; nothing is saved.
        browser.type("allowed-origins", "https://shop.example.com/\n");
        browser.click(By.id("save-allowed-origins"));
        browser.textOf(By.cssSelector("form[aria-label='Allowed origins'] .notice-error"), "trailing slash");
        assertThat(admin().get(appPath).json().get("allowed_origins").isNull()).isTrue();

        // Two origins, one per line (blank lines ignored), saved as browsers send them.
        browser.type("allowed-origins", "https://Shop.Example.com\n\n  http://localhost:5173  \n");
        browser.click(By.id("save-allowed-origins"));
        browser.textOf(By.cssSelector("form[aria-label='Allowed origins'] .notice-ok"), "Allowed origins saved.");
        assertThat(admin().get(appPath).json().get("allowed_origins")).extracting(JsonNode::asText)
                .containsExactly("https://shop.example.com", "http://localhost:5173");
        assertThat(browser.byId("allowed-origins").getAttribute("value"))
                .isEqualTo("https://shop.example.com\nhttp://localhost:5173");
        assertThat(browser.byId("allowed-origins-status").getText()).contains("these 2 origins");

        // Shown again after a reload; emptied, any origin again.
        browser.open(base() + "/projects/" + projectId + "/apps/" + appId);
        assertThat(browser.byId("allowed-origins").getAttribute("value"))
                .isEqualTo("https://shop.example.com\nhttp://localhost:5173");
        browser.byId("allowed-origins").clear();
        browser.click(By.id("save-allowed-origins"));
        browser.textOf(By.cssSelector("form[aria-label='Allowed origins'] .notice-ok"), "Allowed origins saved.");
        assertThat(admin().get(appPath).json().get("allowed_origins").isNull()).isTrue();
        assertThat(browser.byId("allowed-origins-status").getText()).contains("any origin");
    }

}
