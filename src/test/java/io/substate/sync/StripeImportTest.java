package io.substate.sync;

import static io.substate.testing.StripeEventBuilder.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.cli.ImportCli;
import io.substate.testing.FakeStripe;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.WebhookReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Importing a Stripe account ({@code stripe import} and {@code POST …/actions/import}): every subscription status,
 * one-time purchases and refunds over many small pages, the three detection methods and a mapping file, a 429 and a
 * crash midway, a webhook racing the import, a dry run, and a second run that changes nothing.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class StripeImportTest {
    /** Small pages, so a few dozen objects make many of them. */
    private static final int PAGE = 5;

    @Parameter
    TestDb db;

    @TempDir
    Path dir;

    SyncWorld world;

    @BeforeEach
    void start() {
        world = new SyncWorld(db, "30d", "1h");
    }

    @AfterEach
    void stop() {
        world.close();
    }

    /** An app with a Stripe key, NOT tracking new purchases (the import starts them all the same). */
    StripeApp app(String detection, String metadataKey) {
        Map<String, Object> settings = new HashMap<>();
        settings.put("webhook_secret", SyncWorld.SECRET);
        settings.put("api_key", FakeStripe.API_KEY);
        settings.put("track_new_purchases", false);
        settings.put("app_user_id_detection", detection);
        if (metadataKey != null) {
            settings.put("metadata_key", metadataKey);
        }
        StripeApp app = Fixtures.stripeApp(world.server.admin(), settings);
        Fixtures.entitlement(world.server.admin(), app, "premium", SyncWorld.PRODUCT, "subscription");
        Fixtures.entitlement(world.server.admin(), app, "lifetime", ImportAccount.LIFETIME, "one_time");
        return app;
    }

    ImportCli.Run cli(StripeApp app, String... args) {
        List<String> all = new ArrayList<>(List.of("--app", app.appId()));
        all.addAll(List.of(args));
        return ImportCli.run(world.server.databaseUrl(), world.stripe.baseUrl(), PAGE, all);
    }

    JsonNode profile(StripeApp app, String appUserId) {
        return Fixtures.profile(world.server.admin(), app.projectId(), appUserId);
    }

    boolean customerExists(StripeApp app, String appUserId) {
        return world.server.admin().get(Fixtures.customerPath(app.projectId(), appUserId)).status() == 200;
    }

    JsonNode purchase(StripeApp app, String appUserId) {
        JsonNode purchases = profile(app, appUserId).get("purchases");
        assertThat(purchases).as("purchases of " + appUserId).hasSize(1);
        return purchases.get(0);
    }

    /** What a customer's purchases, entitlements and history are, to compare runs. */
    String state(StripeApp app, String appUserId) {
        JsonNode profile = profile(app, appUserId);
        StringBuilder text = new StringBuilder();
        for (JsonNode p : profile.get("purchases")) {
            text.append(p.get("store_token").asText()).append(' ').append(p.get("status").asText()).append(' ')
                    .append(p.get("expires_at")).append(' ').append(p.get("grants_access")).append(' ')
                    .append(p.get("refunded_at")).append(' ').append(p.get("billing_issues_detected_at"))
                    .append(' ').append(p.get("period_type")).append('\n');
        }
        List<String> history = new ArrayList<>();
        profile.get("history").forEach(h -> history.add(h.get("kind").asText() + ":" + h.path("type").asText()));
        history.sort(null);
        text.append(history).append(' ')
                .append(Fixtures.activeEntitlementKeys(world.server.admin(), app.projectId(), appUserId));
        return text.toString();
    }

    Map<String, String> states(StripeApp app, ImportAccount account) {
        Map<String, String> states = new TreeMap<>();
        account.customerOf.values().forEach(c -> states.put(c, state(app, c)));
        account.oneTime.values().forEach(c -> states.put(c, state(app, c)));
        return states;
    }

    List<String> outgoingTypes(StripeApp app, String appUserId) {
        List<String> types = new ArrayList<>();
        profile(app, appUserId).get("history").forEach(h -> {
            if (h.get("kind").asText().equals("outgoing_event")) {
                types.add(h.get("type").asText());
            }
        });
        return types;
    }

    JsonNode imports(StripeApp app) {
        return world.server.admin().get("/v2/projects/" + app.projectId() + "/apps/" + app.appId() + "/imports").json();
    }

    @Test
    void everyStatusOneTimePurchasesAndRefundsOverManyPagesAndASecondRunChangesNothing() {
        StripeApp app = app("stripe_customer_id", null);
        ImportAccount account = new ImportAccount(world.stripe).subscriptions(3, false).oneTime(6, 2);
        account.subscriptionSession(account.withStatus("active").get(0));
        WebhookReceiver receiver = WebhookReceiver.healthy();
        try {
            HttpResponse integration = world.server.admin().post("/v2/projects/" + app.projectId()
                    + "/integrations/webhooks", Map.of("name", "Backend", "url", receiver.url()));
            assertThat(integration.status()).isEqualTo(201);

            ImportCli.Run run = cli(app);

            assertThat(run.exit()).as(run.err() + run.out()).isZero();
            assertThat(run.summary()).startsWith("Import of app " + app.appId() + " completed: 18 subscriptions, "
                    + "7 checkout sessions and 2 refunds read, ");
            assertThat(run.summary()).contains(" 0 without App User ID", " 0 failed");
            for (String sub : account.subscriptions.keySet()) {
                String status = account.subscriptions.get(sub);
                JsonNode purchase = purchase(app, account.customerOf.get(sub));
                assertThat(purchase.get("store_token").asText()).isEqualTo(sub);
                assertThat(purchase.get("status").asText()).as(status).isEqualTo(status);
                boolean access = List.of("trialing", "active", "past_due").contains(status);
                assertThat(purchase.get("grants_access").asBoolean()).as(status).isEqualTo(access);
                assertThat(Fixtures.activeEntitlementKeys(world.server.admin(), app.projectId(),
                        account.customerOf.get(sub))).as(status).isEqualTo(access ? List.of("premium") : List.of());
                assertThat(purchase.get("period_type").asText()).as(status)
                        .isEqualTo(status.equals("trialing") ? "trial" : "normal");
                if (status.equals("past_due")) {
                    assertThat(purchase.get("billing_issues_detected_at").isNull()).isFalse();
                }
            }
            for (Map.Entry<String, String> session : account.oneTime.entrySet()) {
                JsonNode purchase = purchase(app, session.getValue());
                boolean refunded = account.refundedSessions.contains(session.getKey());
                assertThat(purchase.get("kind").asText()).isEqualTo("one_time");
                assertThat(purchase.get("refunded_at").isNull()).isEqualTo(!refunded);
                assertThat(Fixtures.activeEntitlementKeys(world.server.admin(), app.projectId(), session.getValue()))
                        .isEqualTo(refunded ? List.of() : List.of("lifetime"));
            }
            String active = account.customerOf.get(account.withStatus("active").get(0));
            assertThat(outgoingTypes(app, active)).contains("INITIAL_PURCHASE");
            assertThat(outgoingTypes(app, account.oneTime.get(account.refundedSessions.get(0))))
                    .contains("NON_RENEWING_PURCHASE", "CANCELLATION");
            // Every list was read to its end, page by page, and the latest invoices came with the subscriptions.
            List<FakeStripe.RecordedRequest> subscriptionPages = world.stripe.requestsTo("/v1/subscriptions");
            assertThat(subscriptionPages).hasSize(4);
            assertThat(subscriptionPages.get(0).params()).containsEntry("status", List.of("all"))
                    .containsEntry("limit", List.of(String.valueOf(PAGE)))
                    .containsEntry("expand[]", List.of("data.latest_invoice")).doesNotContainKey("starting_after");
            assertThat(subscriptionPages.get(1).params()).containsKey("starting_after");
            assertThat(world.stripe.requestsTo("/v1/checkout/sessions")).hasSize(2)
                    .allSatisfy(r -> assertThat(r.params()).containsEntry("status", List.of("complete")));
            assertThat(world.stripe.requestsTo("/v1/refunds")).hasSize(1);
            // Imported history is not announced: no delivery to the integration.
            JsonNode deliveries = world.server.admin().get("/v2/projects/" + app.projectId()
                    + "/integrations/webhooks/" + integration.json().get("id").asText() + "/deliveries").json();
            assertThat(deliveries.get("items")).isEmpty();

            Map<String, String> before = states(app, account);
            ImportCli.Run again = cli(app);

            assertThat(again.exit()).as(again.err()).isZero();
            assertThat(again.summary()).contains(" 0 imported, 27 unchanged, 0 without App User ID");
            assertThat(states(app, account)).isEqualTo(before);
            assertThat(imports(app).get("items")).hasSize(2)
                    .allSatisfy(i -> assertThat(i.get("status").asText()).isEqualTo("completed"));
        } finally {
            receiver.close();
        }
    }
}
