package io.substate.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
import io.substate.testing.Browser;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import io.substate.testing.WebhookReceiver;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The integrations page's services in headless Chromium: add a PostHog integration, send it a test event (which a
 * local receiver standing in for PostHog gets in the capture API's format), edit it without retyping its key and
 * rename one of its events. One
 * database (SQLite): the page does not depend on it.
 */
@Tag("browser")
class IntegrationsBrowserTest {
    @RegisterExtension
    static final Browser browser = Browser.perClass();
    static final TestServer server = TestServer.shared(TestDb.SQLITE);

    Api admin() {
        return server.admin();
    }

    @Test
    void aServiceIsAddedSentATestEventAndEdited() {
        StripeApp app = Fixtures.stripeApp(admin(), new HashMap<>());
        String integrations = "/v2/projects/" + app.projectId() + "/integrations/posthog";
        try (WebhookReceiver posthog = WebhookReceiver.healthy()) {
            browser.logIn(server, "/projects/" + app.projectId() + "/integrations");

            browser.click(By.cssSelector("#service-posthog summary"));
            browser.type("posthog-new-name", "Product analytics");
            browser.type("posthog-new-api_key", "phc_from_the_dashboard");
            browser.type("posthog-new-host", posthog.url().replace("/hooks", ""));
            assertThat(browser.unlabelledFields()).isEmpty();
            browser.click(By.id("posthog-new-save"));

            String card = browser.textOf(By.cssSelector("#service-posthog section.integration"), "Product analytics");
            assertThat(card).contains("Set (write-only)").doesNotContain("phc_from_the_dashboard");
            JsonNode created = admin().get(integrations).json().get("items").get(0);
            assertThat(created.get("api_key_set").asBoolean()).isTrue();

            browser.click(By.xpath("//section[@id='service-posthog']//button[text()='Send test event']"));
            browser.visible(By.cssSelector("#service-posthog tr[data-delivery-id]"));
            await().atMost(Duration.ofSeconds(20)).until(() -> !posthog.received().isEmpty());
            JsonNode sent = posthog.received().get(0).json();
            assertThat(sent.get("api_key").asText()).isEqualTo("phc_from_the_dashboard");
            assertThat(sent.get("event").asText()).isEqualTo("rc_test_event");

            String id = created.get("id").asText();
            browser.click(By.xpath("//section[@id='service-posthog']//button[text()='Edit']"));
            browser.byId("posthog-" + id + "-name").clear();
            browser.type("posthog-" + id + "-name", "Renamed analytics");
            browser.click(By.xpath("//section[@id='service-posthog']//form//details[@class='event-names']/summary"));
            browser.type("posthog-" + id + "-event-name-initial_purchase", "Subscribed");
            browser.click(By.id("posthog-" + id + "-save"));
            browser.textOf(By.cssSelector("#service-posthog section.integration h2"), "Renamed analytics");
            JsonNode edited = admin().get(integrations + "/" + id).json();
            assertThat(edited.get("name").asText()).isEqualTo("Renamed analytics");
            assertThat(edited.get("api_key_set").asBoolean()).isTrue();
            assertThat(edited.get("host").asText()).isEqualTo(created.get("host").asText());
            assertThat(edited.get("event_names").get("initial_purchase").asText()).isEqualTo("Subscribed");
            assertThat(edited.get("event_names")).hasSize(1);
            assertThat(browser.textOf(By.cssSelector("#service-posthog dd.event-names"), "Subscribed"))
                    .contains("rc_initial_purchase_event");

            String text = browser.visible(By.tagName("main")).getText();
            for (String slip : List.of("null", "undefined", "[object Object]", "NaN")) {
                assertThat(text).as(slip).doesNotContain(slip);
            }
        }
    }
}
