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
            // An unpaid subscription's access ends when Substate learns it is unpaid: for an import, when it was read.
            boolean unpaid = p.get("status").asText().equals("unpaid");
            text.append(p.get("store_token").asText()).append(' ').append(p.get("status").asText()).append(' ')
                    .append(unpaid ? "(read time)" : p.get("expires_at")).append(' ').append(p.get("grants_access")).append(' ')
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
            // The invoices the subscription pages carried are not read again, and no fee is read twice (the
            // subscription's first payment and its invoice's own event share one read: sync/StripeImport's memo).
            assertThat(world.stripe.requests()).extracting(FakeStripe.RecordedRequest::path)
                    .noneMatch(path -> path.startsWith("/v1/invoices/"));
            List<String> feeReads = world.stripe.requests().stream()
                    .filter(r -> r.params().getOrDefault("expand[]", List.of()).stream()
                            .anyMatch(e -> e.endsWith("balance_transaction")))
                    .map(r -> r.path() + "?" + r.query()).toList();
            assertThat(feeReads).isNotEmpty().doesNotHaveDuplicates();
            // Imported history is not announced: no delivery to the integration.
            JsonNode deliveries = world.server.admin().get("/v2/projects/" + app.projectId()
                    + "/integrations/webhooks/" + integration.json().get("id").asText() + "/deliveries").json();
            assertThat(deliveries.get("items")).isEmpty();

            Map<String, String> before = states(app, account);
            world.stripe.clearRequests();
            ImportCli.Run again = cli(app);

            assertThat(again.exit()).as(again.err()).isZero();
            assertThat(again.summary()).contains(" 0 imported, 27 unchanged, 0 without App User ID");
            assertThat(states(app, account)).isEqualTo(before);
            // Unchanged objects are known events: nothing is read for them but the lists (and refunds' charges).
            assertThat(world.stripe.requests()).extracting(FakeStripe.RecordedRequest::path)
                    .allMatch(path -> List.of("/v1/subscriptions", "/v1/checkout/sessions", "/v1/refunds")
                            .contains(path) || path.startsWith("/v1/charges/"));
            assertThat(imports(app).get("items")).hasSize(2)
                    .allSatisfy(i -> assertThat(i.get("status").asText()).isEqualTo("completed"));
        } finally {
            receiver.close();
        }
    }

    List<String> customerIds(StripeApp app) {
        List<String> ids = new ArrayList<>();
        world.server.admin().get("/v2/projects/" + app.projectId() + "/customers?limit=100").json().get("items")
                .forEach(c -> ids.add(c.get("id").asText()));
        return ids;
    }

    @Test
    void theThreeDetectionMethodsAndAMappingFileWithBadRowsReportedByLine() throws Exception {
        ImportAccount account = new ImportAccount(world.stripe);
        String withMetadata = account.subscription("active", uniqueId("cus_"), "meta-user-a");
        String withoutMetadata = account.subscription("active", uniqueId("cus_"), null);
        account.oneTime(1, 0);
        String session = account.oneTime.keySet().iterator().next();

        StripeApp metadata = app("metadata", "user_id");
        ImportCli.Run byMetadata = cli(metadata);
        assertThat(byMetadata.exit()).as(byMetadata.err()).isZero();
        assertThat(byMetadata.summary()).contains(" 1 imported, ", " 2 without App User ID (")
                .contains(withoutMetadata, session);
        assertThat(purchase(metadata, "meta-user-a").get("store_token").asText()).isEqualTo(withMetadata);
        assertThat(customerIds(metadata)).containsExactly("meta-user-a");

        StripeApp anonymous = app("anonymous", null);
        ImportCli.Run byAnonymous = cli(anonymous);
        assertThat(byAnonymous.summary()).contains(" 3 imported, ", " 0 without App User ID");
        assertThat(customerIds(anonymous)).hasSize(3).allSatisfy(id -> assertThat(id).startsWith("$RCAnonymousID:"));

        StripeApp byCustomer = app("stripe_customer_id", null);
        Path mapping = dir.resolve("mapping.csv");
        Files.writeString(mapping, String.join("\n",
                "app_user_id,stripe_customer_id,stripe_subscription_id",
                "mapped-a,," + withMetadata,
                "mapped-b," + account.customerOf.get(withoutMetadata) + ",",
                "too-few," + account.customerOf.get(withoutMetadata),
                "," + account.customerOf.get(withoutMetadata) + ",",
                "wrong-prefix,sub_not_a_customer,",
                "other-b," + account.customerOf.get(withoutMetadata) + ",",
                "nothing,,"), java.nio.charset.StandardCharsets.UTF_8);
        ImportCli.Run mapped = cli(byCustomer, "--mapping", mapping.toString());

        assertThat(mapped.exit()).as(mapped.err()).isZero();
        assertThat(mapped.err()).contains("Mapping line 4: the row has 2 fields, the header 3",
                "Mapping line 5: ", "app_user_id", "Mapping line 6: stripe_customer_id 'sub_not_a_customer' does "
                        + "not start with cus_", "Mapping line 7: " + account.customerOf.get(withoutMetadata)
                        + " is mapped to 'mapped-b' on line 3 and to 'other-b' here",
                "Mapping line 8: neither", "Mapping: 2 Stripe ids mapped, 5 rows skipped");
        assertThat(purchase(byCustomer, "mapped-a").get("store_token").asText()).isEqualTo(withMetadata);
        assertThat(purchase(byCustomer, "mapped-b").get("store_token").asText()).isEqualTo(withoutMetadata);
        assertThat(purchase(byCustomer, account.oneTime.get(session)).get("store_token").asText()).isEqualTo(session);
        assertThat(customerIds(byCustomer)).containsExactlyInAnyOrder("mapped-a", "mapped-b",
                account.oneTime.get(session));
    }

    @Test
    void aMappingThatCannotBeReadStopsBeforeAnythingIsWritten() throws Exception {
        new ImportAccount(world.stripe).subscriptions(1, false);
        StripeApp app = app("stripe_customer_id", null);
        ImportCli.Run missing = cli(app, "--mapping", dir.resolve("nowhere.csv").toString());
        Path noColumns = dir.resolve("columns.csv");
        Files.writeString(noColumns, "user,customer\nu1,cus_1\n");
        ImportCli.Run wrongHeader = cli(app, "--mapping", noColumns.toString());
        ImportCli.Run badConcurrency = cli(app, "--concurrency", "0");
        ImportCli.Run unknownApp = ImportCli.run(world.server.databaseUrl(), world.stripe.baseUrl(), PAGE,
                List.of("--app", "appNoSuchApp"));

        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("Cannot read the mapping", "nothing was imported");
        assertThat(wrongHeader.exit()).isEqualTo(2);
        assertThat(wrongHeader.err()).contains("must name 'app_user_id'");
        assertThat(badConcurrency.exit()).isEqualTo(2);
        assertThat(unknownApp.exit()).isEqualTo(2);
        assertThat(customerIds(app)).isEmpty();
        assertThat(imports(app).get("items")).isEmpty();
        assertThat(world.stripe.requests()).isEmpty();
    }

    @Test
    void aRateLimitMidImportWaitsForRetryAfterAndFinishes() {
        ImportAccount account = new ImportAccount(world.stripe).subscriptions(2, false);
        StripeApp app = app("stripe_customer_id", null);
        world.stripe.rateLimitRequest("/v1/subscriptions", 2, 1);

        ImportCli.Run run = cli(app);

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.summary()).contains("completed: 12 subscriptions", " 12 imported, ", " 0 failed");
        List<FakeStripe.RecordedRequest> pages = world.stripe.requestsTo("/v1/subscriptions");
        assertThat(pages).hasSize(4); // three pages, the second asked twice
        assertThat(pages.get(2).query()).isEqualTo(pages.get(1).query());
        assertThat(pages.get(2).receivedAtMillis() - pages.get(1).receivedAtMillis()).isGreaterThanOrEqualTo(1000);
        JsonNode done = imports(app).get("items").get(0);
        assertThat(done.get("counters").get("rate_limit_waits").asInt()).isEqualTo(1);
        account.subscriptions.keySet().forEach(sub -> assertThat(purchase(app, account.customerOf.get(sub))
                .get("status").asText()).isEqualTo(account.subscriptions.get(sub)));
    }

    @Test
    void anImportStoppedByStripeContinuesFromItsCursorAndEndsAsAnUninterruptedOne() {
        ImportAccount account = new ImportAccount(world.stripe).subscriptions(3, false).oneTime(4, 2);
        StripeApp uninterrupted = app("stripe_customer_id", null);
        assertThat(cli(uninterrupted).exit()).isZero();
        List<FakeStripe.RecordedRequest> all = world.stripe.requests();
        int thirdPage = 0;
        for (int i = 0, pages = 0; i < all.size(); i++) {
            if (all.get(i).path().equals("/v1/subscriptions") && ++pages == 3) {
                thirdPage = i + 1;
            }
        }
        world.stripe.clearRequests();
        StripeApp app = app("stripe_customer_id", null);
        world.stripe.downAfter(thirdPage);

        ImportCli.Run crashed = cli(app);

        assertThat(crashed.exit()).as(crashed.out()).isEqualTo(1);
        assertThat(crashed.summary()).contains("stopped in subscriptions (run it again to continue)",
                "Stripe kept failing");
        JsonNode stopped = imports(app).get("items").get(0);
        assertThat(stopped.get("status").asText()).isEqualTo("failed");
        assertThat(stopped.get("phase").asText()).isEqualTo("subscriptions");
        String cursor = stopped.get("cursor").asText();
        assertThat(cursor).startsWith("sub_");
        List<FakeStripe.RecordedRequest> firstRun = world.stripe.requestsTo("/v1/subscriptions");
        assertThat(firstRun.get(firstRun.size() - 2).params().get("starting_after")).isNotNull();

        world.stripe.down(false);
        world.stripe.clearRequests();
        ImportCli.Run resumed = cli(app);

        assertThat(resumed.exit()).as(resumed.err()).isZero();
        assertThat(resumed.err()).contains("Continuing import " + stopped.get("id").asText() + " from subscriptions "
                + "after " + cursor);
        List<FakeStripe.RecordedRequest> secondRun = world.stripe.requestsTo("/v1/subscriptions");
        assertThat(secondRun.get(0).params()).containsEntry("starting_after", List.of(cursor));
        assertThat(secondRun).allSatisfy(r -> assertThat(r.params()).containsKey("starting_after"));
        assertThat(secondRun.size()).isLessThan(4);
        assertThat(resumed.summary()).contains("completed: 18 subscriptions, 4 checkout sessions and 2 refunds read");
        assertThat(imports(app).get("items")).hasSize(1);
        assertThat(states(app, account)).isEqualTo(states(uninterrupted, account));
    }

    @Test
    void aWebhookNewerThanTheReadWinsAndAnOlderOneLosesWhileTheImportRuns() {
        ImportAccount account = new ImportAccount(world.stripe).subscriptions(4, false);
        String newer = account.withStatus("active").get(0);
        String older = account.withStatus("active").get(1);
        StripeApp app = app("stripe_customer_id", null);
        long now = SyncWorld.now();
        String canceledLater = StripeObjects.event(uniqueId("evt_"), "customer.subscription.deleted", now + 60,
                StripeObjects.subscription(newer).customer(account.customerOf.get(newer))
                        .price("price_monthly", SyncWorld.PRODUCT).period(now - 10 * ImportAccount.DAY,
                                now + 20 * ImportAccount.DAY).canceled(now + 60, "cancellation_requested").json());
        String pastDueBefore = StripeObjects.event(uniqueId("evt_"), "customer.subscription.updated", now - 3600,
                StripeObjects.subscription(older).customer(account.customerOf.get(older)).status("past_due")
                        .price("price_monthly", SyncWorld.PRODUCT).period(now - 10 * ImportAccount.DAY,
                                now + 20 * ImportAccount.DAY).json());

        HttpResponse started = world.server.admin().post(importPath(app), Map.of());
        // Before the import made the purchase, a webhook is parked (this app does not track new purchases) and
        // applied when it appears; after, it is applied at once: either way the snapshots' order decides.
        List<Integer> answers = List.of(webhook(app, canceledLater), webhook(app, pastDueBefore));
        awaitCompleted(app, started.json().get("id").asText());
        assertThat(answers).allSatisfy(status -> assertThat(status).isIn(200, 422));
        assertThat(webhook(app, pastDueBefore)).isEqualTo(200);

        assertThat(purchase(app, account.customerOf.get(newer)).get("status").asText()).isEqualTo("canceled");
        assertThat(purchase(app, account.customerOf.get(newer)).get("grants_access").asBoolean()).isFalse();
        assertThat(purchase(app, account.customerOf.get(older)).get("status").asText()).isEqualTo("active");
        assertThat(purchase(app, account.customerOf.get(older)).get("billing_issues_detected_at").isNull()).isTrue();
    }

    int webhook(StripeApp app, String payload) {
        return world.server.anonymous().postStripe(app.webhookPath(), payload,
                io.substate.testing.StripeEventBuilder.sign(payload, SyncWorld.SECRET)).status();
    }

    @Test
    void aDryRunReadsEverythingAndWritesNothing() {
        ImportAccount account = new ImportAccount(world.stripe);
        account.subscription("active", uniqueId("cus_"), "meta-user-a");
        String without = account.subscription("past_due", uniqueId("cus_"), null);
        StripeApp app = app("metadata", "user_id");

        ImportCli.Run dry = cli(app, "--dry-run");

        assertThat(dry.exit()).as(dry.err()).isZero();
        assertThat(dry.summary()).startsWith("Dry run of the import of app " + app.appId() + " completed: "
                + "2 subscriptions").contains(" 1 would be imported, ", " 1 without App User ID (" + without + ")");
        assertThat(world.stripe.requestsTo("/v1/subscriptions")).isNotEmpty();
        assertThat(customerIds(app)).isEmpty();
        assertThat(world.server.admin().get("/v2/projects/" + app.projectId() + "/apps/" + app.appId()
                + "/stripe_events").json().get("items")).isEmpty();

        ImportCli.Run real = cli(app);
        assertThat(real.summary()).startsWith("Import of app").contains(" 1 imported, ", " 1 without App User ID");
        assertThat(customerIds(app)).containsExactly("meta-user-a");
    }

    String importPath(StripeApp app) {
        return "/v2/projects/" + app.projectId() + "/apps/" + app.appId() + "/actions/import";
    }

    JsonNode awaitCompleted(StripeApp app, String importId) {
        String path = "/v2/projects/" + app.projectId() + "/apps/" + app.appId() + "/imports/" + importId;
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> !world.server.admin().get(path).json().get("status").asText().equals("running"));
        return world.server.admin().get(path).json();
    }

    @Test
    void theApiStartsAnImportInTheBackgroundShowsItsProgressAndRefusesASecond() {
        ImportAccount account = new ImportAccount(world.stripe).subscriptions(1, false).oneTime(2, 1);
        StripeApp app = app("stripe_customer_id", null);
        WebhookReceiver receiver = WebhookReceiver.healthy();
        try {
            HttpResponse integration = world.server.admin().post("/v2/projects/" + app.projectId()
                    + "/integrations/webhooks", Map.of("name", "Backend", "url", receiver.url()));
            world.stripe.delayNext(Duration.ofMillis(1500));

            HttpResponse started = world.server.admin().post(importPath(app), Map.of("deliver_events", true));
            HttpResponse second = world.server.admin().post(importPath(app), Map.of());
            HttpResponse unknownField = world.server.admin().post(importPath(app), Map.of("dry", true));

            assertThat(started.status()).as(started.toString()).isEqualTo(202);
            assertThat(started.json().get("object").asText()).isEqualTo("stripe_import");
            assertThat(started.json().get("status").asText()).isEqualTo("running");
            assertThat(started.json().get("deliver_events").asBoolean()).isTrue();
            assertThat(second.status()).isEqualTo(409);
            assertThat(second.json().get("code").asText()).isEqualTo("import_already_running");
            assertThat(unknownField.status()).isEqualTo(400);
            String id = started.json().get("id").asText();
            JsonNode done = awaitCompleted(app, id);
            assertThat(done.get("status").asText()).isEqualTo("completed");
            assertThat(done.get("phase").asText()).isEqualTo("done");
            assertThat(done.get("counters").get("imported").asInt()).isEqualTo(9);
            assertThat(done.get("counters").get("subscriptions_read").asInt()).isEqualTo(6);
            assertThat(done.get("summary").asText()).contains("completed");
            assertThat(imports(app).get("items").get(0).get("id").asText()).isEqualTo(id);
            assertThat(world.server.admin().get("/v2/projects/" + app.projectId() + "/apps/" + app.appId()
                    + "/imports/imp_nope").status()).isEqualTo(404);
            // Asked for: the imported purchases' events go to the integration.
            String deliveries = "/v2/projects/" + app.projectId() + "/integrations/webhooks/"
                    + integration.json().get("id").asText() + "/deliveries";
            await().atMost(Duration.ofSeconds(30)).until(() -> world.server.admin().get(deliveries).json()
                    .get("items").size() > 0);
            assertThat(purchase(app, account.customerOf.values().iterator().next())).isNotNull();
        } finally {
            receiver.close();
        }
    }

    /** Stripe's own page size over a few hundred objects; prints the time it took (BENCHMARKS-style, not asserted). */
    @Test
    void aFewHundredObjectsInPagesOfOneHundred() {
        ImportAccount account = new ImportAccount(world.stripe).subscriptions(45, false).oneTime(20, 5);
        StripeApp app = app("stripe_customer_id", null);

        long started = System.nanoTime();
        ImportCli.Run run = ImportCli.run(world.server.databaseUrl(), world.stripe.baseUrl(), 100,
                List.of("--app", app.appId()));
        long millis = (System.nanoTime() - started) / 1_000_000;

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.summary()).contains("completed: 270 subscriptions, 20 checkout sessions and 5 refunds read",
                " 295 imported, ", " 0 failed");
        assertThat(world.stripe.requestsTo("/v1/subscriptions")).hasSize(3);
        System.out.printf("Stripe import on %s: %d objects, %d Stripe requests, %d ms%n", db, account.objects(),
                world.stripe.requests().size(), millis);
        account.withStatus("past_due").forEach(sub -> assertThat(purchase(app, account.customerOf.get(sub))
                .get("grants_access").asBoolean()).isTrue());
    }
}
