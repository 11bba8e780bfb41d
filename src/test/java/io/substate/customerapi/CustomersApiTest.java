package io.substate.customerapi;

import static io.substate.testing.StripeEventBuilder.sign;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import io.substate.testing.WebhookReceiver;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * RevenueCat API v2's customer routes over HTTP on both databases: every route, the shapes field by field as the
 * spec's schemas give them (Customer, CustomerAlias, CustomerAttribute, CustomerEntitlement, the list object,
 * DeletedObject, Transfer), paging, each kind of search, purchases from signed Stripe webhooks and grants, the
 * TRANSFER event a transfer sends, and the errors.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class CustomersApiTest {
    static final String SECRET = "whsec_customers_api_test";
    private static final Map<TestDb, TestServer> SERVERS = new EnumMap<>(TestDb.class);
    private static final WebhookReceiver RECEIVER = WebhookReceiver.healthy();

    /** The fields of RevenueCat's customer object as one customer is answered (the list leaves out entitlements). */
    static final Set<String> CUSTOMER_FIELDS = Set.of("object", "id", "project_id", "first_seen_at", "last_seen_at",
            "last_seen_app_version", "last_seen_country", "last_seen_platform", "last_seen_platform_version",
            "experiment", "active_entitlements");
    static final Set<String> LIST_FIELDS = Set.of("object", "items", "next_page", "url");

    @Parameter
    TestDb db;

    StripeApp app;
    String entitlementId;

    TestServer server() {
        synchronized (SERVERS) {
            return SERVERS.computeIfAbsent(db, d -> TestServer.start(d, Map.of("SUBSTATE_DELIVERY_RETRY_SCHEDULE", "1s")));
        }
    }

    @AfterAll
    static void stop() {
        synchronized (SERVERS) {
            SERVERS.values().forEach(TestServer::close);
            SERVERS.clear();
        }
    }

    @BeforeEach
    void newProject() {
        Map<String, Object> stripe = new HashMap<>();
        stripe.put("webhook_secret", SECRET);
        stripe.put("track_new_purchases", true);
        stripe.put("app_user_id_detection", "metadata");
        stripe.put("metadata_key", "app_user_id");
        app = Fixtures.stripeApp(admin(), stripe);
        Fixtures.entitlement(admin(), app, "pro", "prod_Pro", "subscription");
        entitlementId = entitlementIdOf("pro");
    }

    Api admin() {
        return server().admin();
    }

    String customers() {
        return "/v2/projects/" + app.projectId() + "/customers";
    }

    String customer(String appUserId) {
        return Fixtures.customerPath(app.projectId(), appUserId);
    }

    String entitlementIdOf(String lookupKey) {
        for (JsonNode e : admin().get("/v2/projects/" + app.projectId() + "/entitlements").json().get("items")) {
            if (e.get("lookup_key").asText().equals(lookupKey)) {
                return e.get("id").asText();
            }
        }
        throw new AssertionError("no entitlement " + lookupKey);
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    /** A signed subscription webhook: the purchase of {@code appUserId} (metadata), paid by {@code stripeCustomer}. */
    long subscribe(String appUserId, String stripeCustomer) {
        long end = now() + 30 * 86400;
        String payload = StripeObjects.event(uniqueId("evt_"), "customer.subscription.created", now(),
                StripeObjects.subscription(uniqueId("sub_")).customer(stripeCustomer).status("active")
                        .metadata("app_user_id", appUserId).price("price_Pro", "prod_Pro").amount(999, "usd")
                        .period(now() - 10, end).json());
        HttpResponse response = server().anonymous().postStripe(app.webhookPath(), payload, sign(payload, SECRET));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return end * 1000;
    }

    HttpResponse create(String id, Object attributes) {
        Map<String, Object> body = new HashMap<>();
        body.put("id", id);
        if (attributes != null) {
            body.put("attributes", attributes);
        }
        return admin().post(customers(), body);
    }

    static void assertV2Error(HttpResponse response, int status, String code) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        JsonNode error = response.json();
        assertThat(error.get("object").asText()).isEqualTo("error");
        assertThat(error.get("type").isTextual()).isTrue();
        assertThat(error.get("message").isTextual()).isTrue();
        assertThat(error.get("retryable").isBoolean()).isTrue();
        assertThat(error.get("doc_url").asText())
                .isEqualTo("https://errors.rev.cat/" + error.get("type").asText().replace('_', '-'));
        assertThat(error.get("code").asText()).as(response.toString()).isEqualTo(code);
    }

    static Set<String> fields(JsonNode node) {
        Set<String> names = new LinkedHashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static void assertList(JsonNode list, String url) {
        assertThat(fields(list)).isEqualTo(LIST_FIELDS);
        assertThat(list.get("object").asText()).isEqualTo("list");
        assertThat(list.get("items").isArray()).isTrue();
        assertThat(list.get("next_page").isNull() || list.get("next_page").isTextual()).isTrue();
        assertThat(list.get("url").asText()).isEqualTo(url);
    }

    /** The ids of every customer the list answers, following next_page. */
    List<String> allPages(String firstPage) {
        List<String> ids = new ArrayList<>();
        String next = firstPage;
        for (int i = 0; next != null && i < 10; i++) {
            HttpResponse page = admin().get(next);
            assertThat(page.status()).as(page.toString()).isEqualTo(200);
            page.json().get("items").forEach(c -> ids.add(c.get("id").asText()));
            next = page.json().get("next_page").isNull() ? null : page.json().get("next_page").asText();
        }
        return ids;
    }

    // --- get -----------------------------------------------------------------------------------------------------

    @Test
    void aCustomerIsRevenueCatsObjectFoundByAnyAppUserIdWithItsOriginalAsId() {
        String anonymous = "$RCAnonymousID:" + java.util.UUID.randomUUID().toString().replace("-", "");
        String user = uniqueId("user_");
        Api secret = server().anonymous().withToken(app.secretKey());
        assertThat(secret.get("/v1/subscribers/" + segment(anonymous)).status())
                .isEqualTo(201);
        assertThat(secret.post("/v1/subscribers/identify", Map.of("app_user_id", anonymous, "new_app_user_id", user))
                .status()).isEqualTo(201);
        long expires = subscribe(user, uniqueId("cus_"));

        HttpResponse byAlias = admin().get(customer(user));

        assertThat(byAlias.status()).as(byAlias.toString()).isEqualTo(200);
        JsonNode c = byAlias.json();
        assertThat(fields(c)).isEqualTo(CUSTOMER_FIELDS);
        assertThat(c.get("object").asText()).isEqualTo("customer");
        assertThat(c.get("id").asText()).isEqualTo(anonymous);
        assertThat(c.get("project_id").asText()).isEqualTo(app.projectId());
        assertThat(c.get("first_seen_at").isIntegralNumber()).isTrue();
        assertThat(c.get("first_seen_at").asLong()).isCloseTo(System.currentTimeMillis(),
                org.assertj.core.data.Offset.offset(60_000L));
        assertThat(c.get("last_seen_at").isIntegralNumber()).isTrue();
        assertThat(c.get("last_seen_at").asLong()).isGreaterThanOrEqualTo(c.get("first_seen_at").asLong());
        for (String unknown : List.of("last_seen_app_version", "last_seen_country", "last_seen_platform",
                "last_seen_platform_version", "experiment")) {
            assertThat(c.get(unknown).isNull()).as(unknown).isTrue();
        }
        JsonNode active = c.get("active_entitlements");
        assertList(active, customer(anonymous) + "/active_entitlements");
        assertThat(active.get("next_page").isNull()).isTrue();
        assertThat(active.get("items")).hasSize(1);
        JsonNode entitlement = active.get("items").get(0);
        assertThat(fields(entitlement)).containsExactlyInAnyOrder("object", "entitlement_id", "expires_at");
        assertThat(entitlement.get("object").asText()).isEqualTo("customer.active_entitlement");
        assertThat(entitlement.get("entitlement_id").asText()).isEqualTo(entitlementId);
        assertThat(entitlement.get("expires_at").isIntegralNumber()).isTrue();
        assertThat(entitlement.get("expires_at").asLong()).isEqualTo(expires);
        assertThat(admin().get(customer(anonymous)).json()).as("the same customer by its original id").isEqualTo(c);
        // A project key reads its own project's customers.
        assertThat(secret.get(customer(user)).json()).isEqualTo(c);
    }

    @Test
    void expandAttributesAddsThemAsAListObject() {
        String user = uniqueId("attr_");
        assertThat(create(user, List.of(Map.of("name", "$email", "value", "cat@example.com"),
                Map.of("name", "plan", "value", "gold"))).status()).isEqualTo(201);

        JsonNode c = admin().get(customer(user) + "?expand=attributes").json();

        Set<String> expected = new LinkedHashSet<>(CUSTOMER_FIELDS);
        expected.add("attributes");
        assertThat(fields(c)).isEqualTo(expected);
        JsonNode attributes = c.get("attributes");
        assertList(attributes, customer(user) + "/attributes");
        assertThat(attributes.get("items")).extracting(a -> a.get("name").asText()).containsExactly("$email", "plan");
        JsonNode email = attributes.get("items").get(0);
        assertThat(fields(email)).containsExactlyInAnyOrder("object", "name", "value", "updated_at");
        assertThat(email.get("object").asText()).isEqualTo("customer.attribute");
        assertThat(email.get("value").asText()).isEqualTo("cat@example.com");
        assertThat(email.get("updated_at").isIntegralNumber()).isTrue();
        assertThat(admin().get(customer(user)).json().has("attributes")).as("only when expanded").isFalse();
        assertV2Error(admin().get(customer(user) + "?expand=subscriptions"), 400, "invalid_parameter");
    }

    // --- list and search -----------------------------------------------------------------------------------------

    @Test
    void theListPagesThroughEveryCustomerOnceWithRevenueCatsNextPage() {
        List<String> ids = List.of(uniqueId("a_"), uniqueId("b_"), uniqueId("c_"));
        ids.forEach(id -> assertThat(create(id, null).status()).isEqualTo(201));

        HttpResponse first = admin().get(customers() + "?limit=2");

        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertList(first.json(), customers());
        assertThat(first.json().get("items")).hasSize(2);
        JsonNode row = first.json().get("items").get(0);
        Set<String> rowFields = new LinkedHashSet<>(CUSTOMER_FIELDS);
        rowFields.remove("active_entitlements"); // RevenueCat answers it only for one customer
        assertThat(fields(row)).isEqualTo(rowFields);
        String next = first.json().get("next_page").asText();
        assertThat(next).startsWith(customers() + "?starting_after=").endsWith("&limit=2");
        assertThat(allPages(customers() + "?limit=2")).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(allPages(customers() + "?limit=1")).hasSize(3).doesNotHaveDuplicates();
        assertThat(admin().get(next).json().get("next_page").isNull()).isTrue();
        assertV2Error(admin().get(customers() + "?starting_after=nobody_here"), 400, "invalid_parameter");
        assertV2Error(admin().get(customers() + "?limit=0"), 400, "invalid_parameter");
    }

    @Test
    void searchFindsACustomerByAppUserIdAliasStripeCustomerIdOrEmail() {
        String anonymous = "$RCAnonymousID:" + java.util.UUID.randomUUID().toString().replace("-", "");
        String user = uniqueId("searched_");
        String stripeCustomer = uniqueId("cus_");
        Api secret = server().anonymous().withToken(app.secretKey());
        assertThat(secret.get("/v1/subscribers/" + segment(anonymous)).status())
                .isEqualTo(201);
        secret.post("/v1/subscribers/identify", Map.of("app_user_id", anonymous, "new_app_user_id", user));
        subscribe(user, stripeCustomer);
        admin().post(customer(user) + "/attributes", Map.of("attributes",
                List.of(Map.of("name", "$email", "value", "Someone.Searched@Example.com"))));
        assertThat(create(uniqueId("other_"), List.of(Map.of("name", "$email", "value", "other@example.com")))
                .status()).isEqualTo(201);

        for (String term : List.of(anonymous, user, stripeCustomer, "someone.searched@example.com",
                "SOMEONE.SEARCHED@EXAMPLE.COM")) {
            HttpResponse found = admin().get(customers() + "?search=" + encode(term));
            assertThat(found.status()).as(found.toString()).isEqualTo(200);
            assertThat(found.json().get("items")).as(term).extracting(c -> c.get("id").asText())
                    .containsExactly(anonymous);
        }
        assertThat(admin().get(customers() + "?search=nobody%40example.com").json().get("items")).isEmpty();
        assertThat(admin().get(customers() + "?search=searched").json().get("items")).as("exact only").isEmpty();
        assertThat(admin().get(customers()).json().get("items")).hasSize(2);
    }

    static String encode(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    static String segment(String value) {
        return encode(value).replace("+", "%20");
    }

    // --- create and delete ---------------------------------------------------------------------------------------

    @Test
    void createAnswers201OnceThen409AndRefusesBadBodiesWhole() {
        String user = uniqueId("new_");

        HttpResponse created = create(user, List.of(Map.of("name", "$displayName", "value", "Cat")));

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(fields(created.json())).isEqualTo(CUSTOMER_FIELDS);
        assertThat(created.json().get("id").asText()).isEqualTo(user);
        assertThat(created.json().get("active_entitlements").get("items")).isEmpty();
        assertThat(admin().get(customer(user)).json()).isEqualTo(created.json());
        assertThat(admin().get(customer(user) + "/attributes").json().get("items").get(0).get("value").asText())
                .isEqualTo("Cat");
        assertV2Error(create(user, null), 409, "resource_already_exists");

        String refused = uniqueId("refused_");
        assertV2Error(create(refused, List.of(Map.of("name", "$notReserved", "value", "x"))), 400,
                "invalid_subscriber_attributes");
        assertV2Error(admin().get(customer(refused)), 404, "resource_missing"); // nothing was created
        assertV2Error(admin().post(customers(), Map.of("id", refused, "name", "x")), 400, "invalid_parameter");
        assertV2Error(admin().post(customers(), Map.of()), 400, "invalid_parameter");
        assertV2Error(admin().post(customers(), Map.of("id", refused, "attributes", "nope")), 400, "invalid_parameter");
        assertV2Error(admin().post(customers(), Map.of("id", "null")), 400, "invalid_app_user_id");
        assertV2Error(admin().send("POST", customers(), "{not json"), 400, "invalid_json");
    }

    @Test
    void deleteAnswersRevenueCatsDeletedObjectAndTheCustomerIsGone() {
        String user = uniqueId("gone_");
        String alias = uniqueId("gone_alias_");
        create(user, null);
        subscribe(user, uniqueId("cus_"));

        HttpResponse deleted = admin().delete(customer(user));

        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
        assertThat(fields(deleted.json())).containsExactlyInAnyOrder("object", "id", "deleted_at");
        assertThat(deleted.json().get("object").asText()).isEqualTo("customer");
        assertThat(deleted.json().get("id").asText()).isEqualTo(user);
        assertThat(deleted.json().get("deleted_at").isIntegralNumber()).isTrue();
        assertV2Error(admin().get(customer(user)), 404, "resource_missing");
        assertV2Error(admin().delete(customer(user)), 404, "resource_missing");
        assertV2Error(admin().delete(customer(alias)), 404, "resource_missing");
        assertThat(admin().get(customers() + "?search=" + user).json().get("items")).isEmpty();
    }

    // --- aliases, attributes, active entitlements --------------------------------------------------------------

    @Test
    void aliasesListEveryAppUserIdOriginalFirstAndPage() {
        String anonymous = "$RCAnonymousID:" + java.util.UUID.randomUUID().toString().replace("-", "");
        String user = uniqueId("aliased_");
        Api secret = server().anonymous().withToken(app.secretKey());
        secret.get("/v1/subscribers/" + segment(anonymous));
        secret.post("/v1/subscribers/identify", Map.of("app_user_id", anonymous, "new_app_user_id", user));

        HttpResponse aliases = admin().get(customer(user) + "/aliases");

        assertThat(aliases.status()).as(aliases.toString()).isEqualTo(200);
        assertList(aliases.json(), customer(user) + "/aliases");
        assertThat(aliases.json().get("items")).extracting(a -> a.get("id").asText()).containsExactly(anonymous, user);
        JsonNode alias = aliases.json().get("items").get(0);
        assertThat(fields(alias)).containsExactlyInAnyOrder("object", "id", "created_at");
        assertThat(alias.get("object").asText()).isEqualTo("customer.alias");
        assertThat(alias.get("created_at").isIntegralNumber()).isTrue();
        JsonNode first = admin().get(customer(user) + "/aliases?limit=1").json();
        assertThat(first.get("items")).hasSize(1);
        assertThat(first.get("next_page").asText()).isEqualTo(customer(user) + "/aliases?starting_after="
                + segment(anonymous) + "&limit=1");
        JsonNode second = admin().get(first.get("next_page").asText()).json();
        assertThat(second.get("items")).extracting(a -> a.get("id").asText()).containsExactly(user);
        assertThat(second.get("next_page").isNull()).isTrue();
    }

    @Test
    void attributesAreSetListedPagedAndDeletedWithV1sRules() {
        String user = uniqueId("attrs_");
        create(user, null);
        String path = customer(user) + "/attributes";

        HttpResponse set = admin().post(path, Map.of("attributes", List.of(
                Map.of("name", "$email", "value", "support@example.com"),
                Map.of("name", "$displayName", "value", "John Appleseed"),
                Map.of("name", "my_custom_attr", "value", "custom value"))));

        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        assertList(set.json(), path);
        assertThat(set.json().get("items")).extracting(a -> a.get("name").asText())
                .containsExactly("$displayName", "$email", "my_custom_attr");
        assertThat(admin().get(path).json()).isEqualTo(set.json());
        JsonNode page = admin().get(path + "?limit=2").json();
        assertThat(page.get("items")).hasSize(2);
        assertThat(page.get("next_page").asText()).isEqualTo(path + "?starting_after=%24email&limit=2");
        assertThat(admin().get(page.get("next_page").asText()).json().get("items"))
                .extracting(a -> a.get("name").asText()).containsExactly("my_custom_attr");
        // The v1 subscriber shows them too.
        JsonNode v1 = server().anonymous().withToken(app.secretKey()).get("/v1/subscribers/" + user).json();
        assertThat(v1.get("subscriber").get("subscriber_attributes").get("$email").get("value").asText())
                .isEqualTo("support@example.com");

        Map<String, Object> deletion = new HashMap<>();
        deletion.put("name", "my_custom_attr");
        deletion.put("value", null);
        HttpResponse deleted = admin().post(path, Map.of("attributes", List.of(deletion,
                Map.of("name", "$email", "value", "new@example.com"))));
        assertThat(deleted.json().get("items")).extracting(a -> a.get("name").asText() + "=" + a.get("value").asText())
                .containsExactly("$displayName=John Appleseed", "$email=new@example.com");

        // A refused attribute refuses the request whole.
        HttpResponse refused = admin().post(path, Map.of("attributes", List.of(
                Map.of("name", "$email", "value", "third@example.com"), Map.of("name", "1bad", "value", "x"))));
        assertV2Error(refused, 400, "invalid_subscriber_attributes");
        assertThat(refused.json().get("attribute_errors").get(0).get("key_name").asText()).isEqualTo("1bad");
        assertThat(admin().get(path).json()).isEqualTo(deleted.json());
        assertV2Error(admin().post(path, Map.of("attributes", List.of())), 400, "invalid_parameter");
        assertV2Error(admin().post(path, Map.of("attributes", List.of(Map.of("name", "a", "value", "1", "x", "y")))),
                400, "invalid_parameter");
        assertV2Error(admin().post(path, Map.of()), 400, "invalid_parameter");
        assertV2Error(admin().get(path + "?starting_after=nothing"), 400, "invalid_parameter");
    }

    @Test
    void activeEntitlementsComeFromPurchasesAndGrants() {
        Fixtures.entitlement(admin(), app, "extra", "prod_Extra", "subscription");
        String extraId = entitlementIdOf("extra");
        String user = uniqueId("active_");
        long purchaseEnd = subscribe(user, uniqueId("cus_"));
        long grantEnd = System.currentTimeMillis() + 86_400_000L;
        HttpResponse granted = admin().post(customer(user) + "/actions/grant_entitlement",
                Map.of("entitlement_id", extraId, "expires_at", grantEnd));
        assertThat(granted.status()).as(granted.toString()).isEqualTo(201);
        assertThat(fields(granted.json())).as("the grant answers the customer").isEqualTo(CUSTOMER_FIELDS);

        HttpResponse active = admin().get(customer(user) + "/active_entitlements");

        assertThat(active.status()).as(active.toString()).isEqualTo(200);
        assertList(active.json(), customer(user) + "/active_entitlements");
        Map<String, Long> ends = new HashMap<>();
        active.json().get("items").forEach(e -> ends.put(e.get("entitlement_id").asText(), e.get("expires_at").asLong()));
        assertThat(ends).containsExactlyInAnyOrderEntriesOf(Map.of(entitlementId, purchaseEnd, extraId, grantEnd));
        assertThat(granted.json().get("active_entitlements")).isEqualTo(active.json());
        JsonNode first = admin().get(customer(user) + "/active_entitlements?limit=1").json();
        assertThat(first.get("items")).hasSize(1);
        assertThat(admin().get(first.get("next_page").asText()).json().get("items")).hasSize(1);

        HttpResponse revoked = admin().post(customer(user) + "/actions/revoke_granted_entitlement",
                Map.of("entitlement_id", extraId));
        assertThat(revoked.json().get("active_entitlements").get("items"))
                .extracting(e -> e.get("entitlement_id").asText()).containsExactly(entitlementId);
    }

    // --- transfer ------------------------------------------------------------------------------------------------

    @Test
    void transferMovesPurchasesToTheTargetAndSendsTransfer() {
        HttpResponse integration = admin().post("/v2/projects/" + app.projectId() + "/integrations/webhooks",
                Map.of("name", "Receiver", "url", RECEIVER.url()));
        assertThat(integration.status()).as(integration.toString()).isEqualTo(201);
        String source = uniqueId("from_");
        String target = uniqueId("to_");
        long expires = subscribe(source, uniqueId("cus_"));
        create(target, null);

        HttpResponse transferred = admin().post(customer(source) + "/actions/transfer",
                Map.of("target_customer_id", target));

        assertThat(transferred.status()).as(transferred.toString()).isEqualTo(200);
        assertThat(fields(transferred.json())).containsExactlyInAnyOrder("source_customer", "target_customer");
        JsonNode from = transferred.json().get("source_customer");
        JsonNode to = transferred.json().get("target_customer");
        assertThat(fields(from)).isEqualTo(CUSTOMER_FIELDS);
        assertThat(from.get("id").asText()).isEqualTo(source);
        assertThat(from.get("active_entitlements").get("items")).isEmpty();
        assertThat(to.get("id").asText()).isEqualTo(target);
        assertThat(to.get("active_entitlements").get("items").get(0).get("expires_at").asLong()).isEqualTo(expires);
        assertThat(Fixtures.profile(admin(), app.projectId(), target).get("purchases")).hasSize(1);
        assertThat(Fixtures.profile(admin(), app.projectId(), source).get("purchases")).isEmpty();
        JsonNode event = RECEIVER.await(e -> e.path("type").asText().equals("TRANSFER")
                && e.path("transferred_to").toString().contains(target)).event();
        assertThat(event.get("transferred_from")).extracting(JsonNode::asText).containsExactly(source);
        assertThat(event.get("transferred_to")).extracting(JsonNode::asText).containsExactly(target);
        assertThat(event.get("app_id").asText()).isEqualTo(app.appId());
        assertThat(Fixtures.profile(admin(), app.projectId(), target).get("history").findValuesAsText("type"))
                .contains("TRANSFER");

        // Nothing left to move: still 200, and no new event for the source.
        assertThat(admin().post(customer(source) + "/actions/transfer", Map.of("target_customer_id", target,
                "app_ids", List.of(app.appId()))).status()).isEqualTo(200);
        assertV2Error(admin().post(customer(source) + "/actions/transfer", Map.of("target_customer_id", "nobody_"
                + uniqueId(""))), 404, "resource_missing");
        assertV2Error(admin().post(customer(source) + "/actions/transfer", Map.of("target_customer_id", source)),
                400, "invalid_parameter");
        assertV2Error(admin().post(customer(source) + "/actions/transfer", Map.of()), 400, "invalid_parameter");
        assertV2Error(admin().post(customer(source) + "/actions/transfer", Map.of("target_customer_id", target,
                "app_ids", List.of("appMissing"))), 404, "resource_missing");
    }

    @Test
    void transferWithAppIdsMovesOnlyThoseAppsPurchases() {
        String source = uniqueId("from_");
        String target = uniqueId("to_");
        subscribe(source, uniqueId("cus_"));
        create(target, null);
        HttpResponse otherApp = admin().post("/v2/projects/" + app.projectId() + "/apps",
                Map.of("name", "Other", "type", "stripe", "stripe", Map.of()));
        assertThat(otherApp.status()).as(otherApp.toString()).isEqualTo(201);

        HttpResponse transferred = admin().post(customer(source) + "/actions/transfer",
                Map.of("target_customer_id", target, "app_ids", List.of(otherApp.json().get("id").asText())));

        assertThat(transferred.status()).as(transferred.toString()).isEqualTo(200);
        assertThat(transferred.json().get("source_customer").get("active_entitlements").get("items")).hasSize(1);
        assertThat(transferred.json().get("target_customer").get("active_entitlements").get("items")).isEmpty();
    }

    // --- errors and keys -----------------------------------------------------------------------------------------

    @Test
    void unknownCustomersAre404AndKeysReachOnlyTheirProject() {
        String nobody = uniqueId("nobody_");
        for (String suffix : List.of("", "/aliases", "/attributes", "/active_entitlements", "/profile")) {
            assertV2Error(admin().get(customer(nobody) + suffix), 404, "resource_missing");
        }
        assertV2Error(admin().post(customer(nobody) + "/attributes", Map.of("attributes",
                List.of(Map.of("name", "a", "value", "b")))), 404, "resource_missing");
        assertV2Error(admin().get("/v2/projects/projMissing/customers"), 404, "resource_missing");
        String user = uniqueId("keyed_");
        create(user, null);
        assertV2Error(server().anonymous().get(customer(user)), 401, "unauthorized");
        StripeApp other = Fixtures.stripeApp(admin(), new HashMap<>());
        assertV2Error(server().anonymous().withToken(other.secretKey()).get(customer(user)), 403, "forbidden");
        assertV2Error(server().anonymous().withToken(other.secretKey()).get(customers()), 403, "forbidden");
        assertThat(server().anonymous().withToken(app.secretKey()).get(customers()).status()).isEqualTo(200);
    }
}
