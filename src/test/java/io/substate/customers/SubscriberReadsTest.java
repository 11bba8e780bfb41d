package io.substate.customers;

import static io.substate.testing.StripeEventBuilder.sign;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static io.substate.testing.StripeObjects.event;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
import io.substate.testing.FakeStripe;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Subscriber reads over HTTP on both databases: RevenueCat's ETag protocol (200, then 304 for the same ETag, then
 * 200 with a new ETag after each kind of change), and reads that start after a write's answer seeing that write,
 * every time, with the read path's kept renderings warm: on PostgreSQL the writes go through one instance and the
 * reads through another sharing the database; SQLite has one instance.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class SubscriberReadsTest {
    static final String SECRET = "whsec_subscriber_reads";
    static final String PORTAL = "https://billing.stripe.com/p/login/reads";
    static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    static final String ETAG = "X-RevenueCat-ETag";
    private static final Map<TestDb, TestServer> SERVERS = new EnumMap<>(TestDb.class);
    private static final FakeStripe STRIPE = FakeStripe.start();

    @Parameter
    TestDb db;

    TestServer server() {
        synchronized (SERVERS) {
            return SERVERS.computeIfAbsent(db, d -> TestServer.start(d,
                    Map.of("SUBSTATE_STRIPE_API_BASE", STRIPE.baseUrl())));
        }
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    static String date(long epochSeconds) {
        return DATE.format(Instant.ofEpochSecond(epochSeconds));
    }

    /** An app tracking new purchases by Stripe customer id, with "pro" on prod_Pro and "two" on prod_Two. */
    StripeApp app() {
        Map<String, Object> settings = new HashMap<>();
        settings.put("webhook_secret", SECRET);
        settings.put("api_key", FakeStripe.API_KEY);
        settings.put("track_new_purchases", true);
        settings.put("app_user_id_detection", "stripe_customer_id");
        settings.put("management_url", PORTAL);
        StripeApp app = Fixtures.stripeApp(server().admin(), settings);
        Fixtures.entitlement(server().admin(), app, "pro", "prod_Pro", "subscription");
        Fixtures.entitlement(server().admin(), app, "two", "prod_Two", "subscription");
        Fixtures.entitlement(server().admin(), app, "gift", "prod_Gift", "subscription");
        return app;
    }

    /** A subscription of the Stripe customer {@code customer} to prod_Pro, sent as Stripe sends it. */
    static void subscription(TestServer server, StripeApp app, String type, String sub, String customer, String status,
            long created, long periodEnd) {
        String event = event(uniqueId("evt_"), type, created, StripeObjects.subscription(sub).customer(customer)
                .status(status).price("price_Pro", "prod_Pro").amount(999, "usd").latestInvoice(uniqueId("in_"))
                .period(now() - 3600, periodEnd).json());
        HttpResponse answer = server.anonymous().postStripe(app.webhookPath(), event, sign(event, SECRET));
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
    }

    static String path(String appUserId) {
        return "/v1/subscribers/" + java.net.URLEncoder.encode(appUserId, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void anUnchangedSubscriberIs304AndEveryKindOfChangeGivesANewETag() {
        StripeApp app = app();
        String user = uniqueId("cus_");
        Api sdk = server().anonymous().withToken(app.publicKey());
        Api secret = server().anonymous().withToken(app.secretKey());
        Api admin = server().admin();

        HttpResponse created = sdk.get(path(user));
        assertThat(created.status()).isEqualTo(201);
        String etag = created.header(ETAG);
        assertThat(etag).matches("[0-9a-f]{32}");
        assertThat(Long.parseLong(created.header("X-RevenueCat-Request-Time")))
                .isEqualTo(created.json().get("request_date_ms").asLong());

        HttpResponse unchanged = sdk.withHeader(ETAG, etag).get(path(user));
        assertThat(unchanged.status()).isEqualTo(304);
        assertThat(unchanged.body()).isEmpty();
        assertThat(unchanged.header(ETAG)).isEqualTo(etag);
        assertThat(Long.parseLong(unchanged.header("X-RevenueCat-Request-Time")))
                .isGreaterThanOrEqualTo(created.json().get("request_date_ms").asLong());
        // X-Platform moves last_seen, which the ETag leaves out; another ETag, or none, gets the body.
        assertThat(sdk.withHeader("X-Platform", "web").withHeader(ETAG, etag).get(path(user)).status()).isEqualTo(304);
        assertThat(sdk.withHeader(ETAG, "").get(path(user)).status()).isEqualTo(200);
        assertThat(sdk.withHeader(ETAG, "0".repeat(32)).get(path(user)).status()).isEqualTo(200);
        // The secret key's answer holds the attributes: another answer, another ETag.
        String secretEtag = secret.get(path(user)).header(ETAG);
        assertThat(secretEtag).isNotEqualTo(etag);

        String sub = uniqueId("sub_");
        long end = now() + 30 * 86400;
        etag = changed(sdk, user, etag, "a purchase", () -> subscription(server(), app, "customer.subscription.created",
                sub, user, "active", now() - 20, end));
        assertThat(sdk.get(path(user)).json().get("subscriber").get("entitlements").has("pro")).isTrue();

        etag = changed(sdk, user, etag, "a purchase's change", () -> subscription(server(), app,
                "customer.subscription.updated", sub, user, "active", now() - 10, end + 86400));
        etag = changed(sdk, user, etag, "a grant", () -> assertThat(secret.post(path(user)
                + "/entitlements/gift/promotional", Map.of("duration", "weekly")).status()).isEqualTo(201));
        String proProduct = idOf(admin, app, "products", "store_identifier", "prod_Pro");
        String giftId = idOf(admin, app, "entitlements", "lookup_key", "gift");
        etag = changed(sdk, user, etag, "the entitlements' products", () -> assertThat(admin.post("/v2/projects/"
                + app.projectId() + "/entitlements/" + giftId + "/actions/attach_products",
                Map.of("product_ids", List.of(proProduct))).status()).isEqualTo(200));
        etag = changed(sdk, user, etag, "the app's management URL", () -> assertThat(admin.patch("/v2/projects/"
                + app.projectId() + "/apps/" + app.appId(), Map.of("stripe", Map.of("management_url",
                PORTAL + "/new"))).status()).isEqualTo(200));
        assertThat(sdk.get(path(user)).json().get("subscriber").get("management_url").asText()).isEqualTo(PORTAL + "/new");

        // Attributes show to the secret key only: its ETag changes, the public key's does not.
        String publicEtag = etag;
        changed(secret, user, secret.get(path(user)).header(ETAG), "an attribute", () -> assertThat(sdk.post(path(user) + "/attributes",
                Map.of("attributes", Map.of("plan", Map.of("value", "gold"))))).extracting(HttpResponse::status)
                .isEqualTo(200));
        assertThat(sdk.withHeader(ETAG, publicEtag).get(path(user)).status()).isEqualTo(304);

        // Merging an anonymous customer (logIn) brings its attributes.
        String anonymous = "$RCAnonymousID:" + uniqueId("").replace("_", "");
        String target = uniqueId("merged_");
        sdk.post(path(anonymous) + "/attributes", Map.of("attributes", Map.of("from", Map.of("value", "anonymous"))));
        String targetEtag = secret.get(path(target)).header(ETAG);
        changed(secret, target, targetEtag, "a merge", () -> assertThat(sdk.post("/v1/subscribers/identify",
                Map.of("app_user_id", anonymous, "new_app_user_id", target)).status()).isEqualTo(200));
    }

    /** The id of the project's {@code kind} ("products", "entitlements") whose {@code field} is {@code value}. */
    static String idOf(Api admin, StripeApp app, String kind, String field, String value) {
        for (JsonNode item : admin.get("/v2/projects/" + app.projectId() + "/" + kind + "?limit=100").json().get("items")) {
            if (item.get(field).asText().equals(value)) {
                return item.get("id").asText();
            }
        }
        throw new AssertionError("no " + kind + " with " + field + " " + value);
    }

    /**
     * Makes the change; the subscriber's ETag was {@code etag} and now answers 200 with another, which then answers
     * 304. Returns the new ETag.
     */
    static String changed(Api api, String user, String etag, String change, Runnable write) {
        assertThat(api.withHeader(ETAG, etag).get(path(user)).status()).as("before " + change).isEqualTo(304);
        write.run();
        HttpResponse after = api.withHeader(ETAG, etag).get(path(user));
        assertThat(after.status()).as("after " + change + ": " + after).isEqualTo(200);
        String next = after.header(ETAG);
        assertThat(next).as(change).isNotEqualTo(etag);
        assertThat(api.withHeader(ETAG, next).get(path(user)).status()).as("again after " + change).isEqualTo(304);
        return next;
    }

    /**
     * 100 writes of five kinds, each answered through one instance, each followed by a read through another (on
     * PostgreSQL; the same one on SQLite) that must show it; the reader's rendering of the customer is warm before
     * each write.
     */
    @Test
    void aReadAfterAWritesAnswerSeesTheWriteEveryTimeAcrossInstances() {
        StripeApp app = app();
        TestServer other = db == TestDb.SQLITE ? null : server().startAnotherInstance();
        try {
            TestServer writer = server();
            TestServer reader = other == null ? server() : other;
            Api write = writer.anonymous().withToken(app.publicKey());
            Api writeSecret = writer.anonymous().withToken(app.secretKey());
            Api read = reader.anonymous().withToken(app.publicKey());
            Api readSecret = reader.anonymous().withToken(app.secretKey());
            String user = uniqueId("cus_");
            String sub = uniqueId("sub_");
            String receipt = uniqueId("sub_");
            long base = now() + 86400;
            subscription(writer, app, "customer.subscription.created", sub, user, "active", now() - 1000, base);

            for (int i = 0; i < 100; i++) {
                long end = base + (i + 1) * 3600L;
                JsonNode before = readSecret.get(path(user)).json().get("subscriber");
                assertThat(before).isNotNull();
                switch (i % 5) {
                    case 0 -> {
                        subscription(writer, app, "customer.subscription.updated", sub, user, "active",
                                now() - 900 + i, end);
                        assertThat(read.get(path(user)).json().get("subscriber").get("entitlements").get("pro")
                                .get("expires_date").asText()).as("webhook %d", i).isEqualTo(date(end));
                    }
                    case 1 -> {
                        HttpResponse saved = write.post(path(user) + "/attributes", Map.of("attributes",
                                Map.of("n", Map.of("value", "v" + i, "updated_at_ms", System.currentTimeMillis() + i))));
                        assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
                        assertThat(readSecret.get(path(user)).json().get("subscriber").get("subscriber_attributes")
                                .get("n").get("value").asText()).as("attribute %d", i).isEqualTo("v" + i);
                    }
                    case 2 -> {
                        STRIPE.put(StripeObjects.subscription(receipt).customer(uniqueId("cus_")).status("active")
                                .price("price_Two", "prod_Two").amount(499, "usd").latestInvoice(uniqueId("in_"))
                                .period(now() - 3600, end).json());
                        HttpResponse posted = write.withHeader("X-Platform", "stripe").post("/v1/receipts",
                                Map.of("app_user_id", user, "fetch_token", receipt));
                        assertThat(posted.status()).as(posted.toString()).isEqualTo(200);
                        assertThat(read.get(path(user)).json().get("subscriber").get("entitlements").get("two")
                                .get("expires_date").asText()).as("receipt %d", i).isEqualTo(date(end));
                    }
                    case 3 -> {
                        // logIn from a new anonymous id onto a customer the reader has rendered: a merge.
                        String anonymous = "$RCAnonymousID:" + uniqueId("").replace("_", "") + i;
                        String target = uniqueId("t_") + i;
                        write.post(path(anonymous) + "/attributes", Map.of("attributes",
                                Map.of("from", Map.of("value", anonymous))));
                        assertThat(readSecret.get(path(target)).json().get("subscriber").get("subscriber_attributes")
                                .has("from")).isFalse();
                        HttpResponse merged = write.post("/v1/subscribers/identify",
                                Map.of("app_user_id", anonymous, "new_app_user_id", target));
                        assertThat(merged.status()).as(merged.toString()).isEqualTo(200);
                        assertThat(readSecret.get(path(target)).json().get("subscriber").get("subscriber_attributes")
                                .get("from").get("value").asText()).as("merge %d", i).isEqualTo(anonymous);
                    }
                    default -> {
                        long grantEnd = (System.currentTimeMillis() / 1000 + 86400 * 2 + i * 60L) * 1000;
                        HttpResponse granted = writeSecret.post(path(user) + "/entitlements/gift/promotional",
                                Map.of("end_time_ms", grantEnd, "duration", "daily"));
                        assertThat(granted.status()).as(granted.toString()).isEqualTo(201);
                        assertThat(read.get(path(user)).json().get("subscriber").get("entitlements").get("gift")
                                .get("expires_date").asText()).as("grant %d", i).isEqualTo(date(grantEnd / 1000));
                    }
                }
            }
        } finally {
            if (other != null) {
                other.close();
            }
        }
    }
}
