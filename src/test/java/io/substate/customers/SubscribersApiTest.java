package io.substate.customers;

import static io.substate.testing.StripeEventBuilder.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The RevenueCat v1 subscriber endpoints over HTTP on both databases: get-or-create, keys and their scope, blocked
 * App User IDs, last_seen, identify (logIn), attributes with RevenueCat's validation, and delete.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class SubscribersApiTest {
    static final String DATE = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z";

    @Parameter
    TestDb db;

    StripeApp app;

    TestServer server() {
        return TestServer.shared(db);
    }

    @BeforeEach
    void newProject() {
        app = Fixtures.stripeApp(server().admin(), new HashMap<>());
    }

    Api publicKey() {
        return server().anonymous().withToken(app.publicKey());
    }

    Api secretKey() {
        return server().anonymous().withToken(app.secretKey());
    }

    static String path(String appUserId) {
        return "/v1/subscribers/" + URLEncoder.encode(appUserId, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String anonymousId() {
        return "$RCAnonymousID:" + java.util.UUID.randomUUID().toString().replace("-", "");
    }

    HttpResponse setAttributes(Api api, String appUserId, Map<String, Object> attributes) {
        return api.post(path(appUserId) + "/attributes", Map.of("attributes", attributes));
    }

    static Map<String, Object> attribute(Object value, long updatedAtMs) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("value", value);
        a.put("updated_at_ms", updatedAtMs);
        return a;
    }

    JsonNode attributes(String appUserId) {
        return secretKey().get(path(appUserId)).json().get("subscriber").get("subscriber_attributes");
    }

    @Test
    void getCreatesTheCustomerWith201ThenAnswers200() {
        String user = "user_" + uniqueId("");

        HttpResponse created = publicKey().get(path(user));
        HttpResponse again = publicKey().get(path(user));

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(200);
        assertThat(created.header("Content-Type")).contains("application/json");
        JsonNode body = again.json();
        assertThat(body.get("request_date").asText()).matches(DATE);
        assertThat(body.get("request_date_ms").asLong()).isGreaterThan(1_600_000_000_000L);
        JsonNode subscriber = body.get("subscriber");
        assertThat(subscriber.get("original_app_user_id").asText()).isEqualTo(user);
        assertThat(subscriber.get("first_seen").asText()).matches(DATE);
        assertThat(subscriber.get("last_seen").asText()).matches(DATE);
        assertThat(subscriber.get("entitlements")).isEmpty();
        assertThat(subscriber.get("subscriptions")).isEmpty();
        assertThat(subscriber.get("non_subscriptions")).isEmpty();
        assertThat(subscriber.get("other_purchases")).isEmpty();
        assertThat(subscriber.get("management_url").isNull()).isTrue();
        assertThat(subscriber.get("original_purchase_date").isNull()).isTrue();
        assertThat(subscriber.get("original_application_version").isNull()).isTrue();
        assertThat(subscriber.has("subscriber_attributes")).as("only with the secret key").isFalse();
        assertThat(secretKey().get(path(user)).json().get("subscriber").get("subscriber_attributes")).isEmpty();
    }

    @Test
    void anonymousIdsWithReservedCharactersRoundTripUrlEncoded() {
        String anonymous = anonymousId();
        assertThat(publicKey().get(path(anonymous)).status()).isEqualTo(201);
        JsonNode subscriber = publicKey().get(path(anonymous)).json().get("subscriber");
        assertThat(subscriber.get("original_app_user_id").asText()).isEqualTo(anonymous);
    }

    @Test
    void keysAreCheckedAndScopedToTheirProject() {
        String user = "scoped_" + uniqueId("");
        publicKey().get(path(user));
        StripeApp other = Fixtures.stripeApp(server().admin(), new HashMap<>());

        assertError(server().anonymous().get(path(user)), 401, 7225);
        assertError(server().anonymous().withToken("strp_doesNotExist1").get(path(user)), 401, 7225);
        assertError(server().anonymous().withToken("sk_doesNotExist1").get(path(user)), 401, 7225);
        assertError(server().anonymous().withToken(TestServer.ADMIN_TOKEN).get(path(user)), 401, 7225);
        // Another project's key sees its own (new) customer, never this one.
        assertThat(server().anonymous().withToken(other.publicKey()).get(path(user)).status()).isEqualTo(201);
        assertError(server().anonymous().withToken(other.secretKey()).delete(path("never_" + uniqueId(""))), 404, 7259);
        assertThat(publicKey().get(path(user)).status()).as("still there").isEqualTo(200);
    }

    @Test
    void blockedAppUserIdsAreRefused() {
        for (String blocked : List.of("null", "undefined", "NaN", "anonymous", "[object Object]", "0", "-1", "nil",
                "guest", "a".repeat(101))) {
            assertError(publicKey().get(path(blocked)), 400, 7220);
        }
        assertError(publicKey().post("/v1/subscribers/identify",
                Map.of("app_user_id", anonymousId(), "new_app_user_id", "team/user")), 400, 7220);
        assertError(publicKey().post("/v1/subscribers/identify", Map.of("app_user_id", anonymousId(),
                "new_app_user_id", "")), 400, 7220);
        assertError(publicKey().post("/v1/subscribers/identify", Map.of("app_user_id", anonymousId())), 400, 7220);
    }

    @Test
    void xPlatformUpdatesLastSeen() throws InterruptedException {
        String user = "seen_" + uniqueId("");
        String firstSeen = publicKey().get(path(user)).json().get("subscriber").get("last_seen").asText();
        Thread.sleep(1100);

        String informational = publicKey().get(path(user)).json().get("subscriber").get("last_seen").asText();
        String fromApp = publicKey().withHeader("X-Platform", "web").get(path(user)).json().get("subscriber")
                .get("last_seen").asText();

        assertThat(informational).isEqualTo(firstSeen);
        assertThat(fromApp).isGreaterThan(firstSeen);
        assertThat(publicKey().get(path(user)).json().get("subscriber").get("first_seen").asText()).isEqualTo(firstSeen);
    }

    // --- identify ---------------------------------------------------------------------------------------------

    HttpResponse identify(String from, String to) {
        return publicKey().post("/v1/subscribers/identify", Map.of("app_user_id", from, "new_app_user_id", to));
    }

    @Test
    void identifyFromAnAnonymousIdToANewIdAliasesThemWith201() {
        String anonymous = anonymousId();
        publicKey().get(path(anonymous));
        setAttributes(publicKey(), anonymous, Map.of("color", attribute("red", 1000)));
        String user = "new_" + uniqueId("");

        HttpResponse response = identify(anonymous, user);

        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        assertThat(response.json().get("subscriber").get("original_app_user_id").asText()).isEqualTo(anonymous);
        assertThat(attributes(user).get("color").get("value").asText()).isEqualTo("red");
        assertThat(secretKey().get(path(anonymous)).json().get("subscriber").get("original_app_user_id").asText())
                .isEqualTo(anonymous);
        assertThat(identify(anonymous, user).status()).as("again: exists").isEqualTo(200);
    }

    @Test
    void identifyFromAnAnonymousIdToAnExistingIdMergesUnlessItHasAnAnonymousIdAlready() {
        String user = "existing_" + uniqueId("");
        publicKey().get(path(user));
        String first = anonymousId();
        publicKey().get(path(first));
        setAttributes(publicKey(), first, Map.of("plan", attribute("gold", 1000)));

        HttpResponse merged = identify(first, user);

        assertThat(merged.status()).as(merged.toString()).isEqualTo(200);
        assertThat(attributes(user).get("plan").get("value").asText()).isEqualTo("gold");
        assertThat(attributes(first).get("plan").get("value").asText()).as("same customer").isEqualTo("gold");

        String second = anonymousId();
        publicKey().get(path(second));
        setAttributes(publicKey(), second, Map.of("device", attribute("tablet", 1000)));
        HttpResponse switched = identify(second, user);

        assertThat(switched.status()).isEqualTo(200);
        assertThat(attributes(user).has("device")).as("not merged: the user already had an anonymous id").isFalse();
        assertThat(attributes(second).get("device").get("value").asText()).isEqualTo("tablet");
    }

    @Test
    void identifyFromAnIdentifiedIdSwitchesWithoutMerging() {
        String alice = "alice_" + uniqueId("");
        publicKey().get(path(alice));
        setAttributes(publicKey(), alice, Map.of("name", attribute("Alice", 1000)));
        String bob = "bob_" + uniqueId("");

        HttpResponse created = identify(alice, bob);

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("subscriber").get("original_app_user_id").asText()).isEqualTo(bob);
        assertThat(attributes(bob)).isEmpty();
        assertThat(attributes(alice).get("name").get("value").asText()).isEqualTo("Alice");
        assertThat(identify(alice, bob).status()).isEqualTo(200);
    }

    // --- attributes -------------------------------------------------------------------------------------------

    @Test
    void attributesAreSavedAndOnlyNewerUpdatesWin() {
        String user = "attrs_" + uniqueId("");
        HttpResponse saved = setAttributes(publicKey(), user, Map.of("$email", attribute("a@example.com", 2000),
                "favorite_food", attribute("pizza", 2000), "$displayName", attribute("Ann", 2000)));
        assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
        assertThat(saved.json().get("subscriber").has("subscriber_attributes")).as("public key").isFalse();

        setAttributes(publicKey(), user, Map.of("favorite_food", attribute("salad", 1000)));
        setAttributes(publicKey(), user, Map.of("$email", attribute("b@example.com", 3000)));

        JsonNode attributes = attributes(user);
        assertThat(attributes.get("favorite_food").get("value").asText()).as("older update lost").isEqualTo("pizza");
        assertThat(attributes.get("favorite_food").get("updated_at_ms").asLong()).isEqualTo(2000);
        assertThat(attributes.get("$email").get("value").asText()).isEqualTo("b@example.com");
        HttpResponse withSecret = setAttributes(secretKey(), user, Map.of("x", attribute("1", 5000)));
        assertThat(withSecret.json().get("subscriber").get("subscriber_attributes").get("x").get("value").asText())
                .isEqualTo("1");
    }

    @Test
    void nullOrEmptyValuesDelete() {
        String user = "delete_attrs_" + uniqueId("");
        setAttributes(publicKey(), user, Map.of("a", attribute("1", 1000), "b", attribute("2", 1000)));

        setAttributes(publicKey(), user, Map.of("a", attribute(null, 2000), "b", attribute("", 2000)));

        assertThat(attributes(user)).isEmpty();
    }

    @Test
    void invalidAttributesAreReportedWith7263AndTheValidOnesSaved() {
        String user = "invalid_attrs_" + uniqueId("");
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("$email", attribute("not-an-email", 1000));
        attributes.put("invalid key with spaces", attribute("x", 1000));
        attributes.put("$madeUp", attribute("x", 1000));
        attributes.put("too_much_data", attribute("x".repeat(501), 1000));
        attributes.put("k".repeat(41), attribute("x", 1000));
        attributes.put("9starts_with_digit", attribute("x", 1000));
        attributes.put("good_key", attribute("kept", 1000));

        HttpResponse response = setAttributes(publicKey(), user, attributes);

        assertError(response, 400, 7263);
        JsonNode errors = response.json().get("attribute_errors");
        assertThat(errors.findValuesAsText("key_name")).containsExactlyInAnyOrder("$email", "invalid key with spaces",
                "$madeUp", "too_much_data", "k".repeat(41), "9starts_with_digit");
        assertThat(errors.findValuesAsText("message")).allSatisfy(m -> assertThat(m).isNotBlank());
        assertThat(attributes(user).fieldNames()).toIterable().containsExactly("good_key");
    }

    @Test
    void deviceIdentifiersCannotChangeOnceSet() {
        String user = "device_" + uniqueId("");
        setAttributes(publicKey(), user, Map.of("$idfa", attribute("AAAA-1111", 1000)));

        assertThat(setAttributes(publicKey(), user, Map.of("$idfa", attribute("AAAA-1111", 2000))).status())
                .as("the same value again is fine").isEqualTo(200);
        HttpResponse changed = setAttributes(publicKey(), user, Map.of("$idfa", attribute("BBBB-2222", 3000)));

        assertError(changed, 400, 7263);
        assertThat(attributes(user).get("$idfa").get("value").asText()).isEqualTo("AAAA-1111");
    }

    @Test
    void atMostFiftyCustomAttributes() {
        String user = "many_" + uniqueId("");
        Map<String, Object> fifty = new LinkedHashMap<>();
        for (int i = 0; i < 50; i++) {
            fifty.put("key_" + i, attribute("v", 1000));
        }
        assertThat(setAttributes(publicKey(), user, fifty).status()).isEqualTo(200);

        HttpResponse oneMore = setAttributes(publicKey(), user, Map.of("key_50", attribute("v", 1000),
                "$displayName", attribute("reserved keys do not count", 1000)));

        assertError(oneMore, 400, 7263);
        assertThat(oneMore.json().get("attribute_errors").findValuesAsText("key_name")).containsExactly("key_50");
        assertThat(attributes(user).size()).isEqualTo(51);
    }

    @Test
    void malformedAttributeBodiesAre7264() {
        String user = "malformed_" + uniqueId("");
        assertError(publicKey().post(path(user) + "/attributes", Map.of("attributes", "nope")), 400, 7264);
        assertError(publicKey().post(path(user) + "/attributes", Map.of("attributes", Map.of("a", "b"))), 400, 7264);
        assertError(publicKey().post(path(user) + "/attributes", Map.of("attributes",
                Map.of("a", Map.of("value", 5)))), 400, 7264);
        assertError(publicKey().post(path(user) + "/attributes", Map.of("other", 1)), 400, 7264);
        assertError(publicKey().post(path(user) + "/attributes", "{broken"), 400, 7226);
    }

    // --- delete -----------------------------------------------------------------------------------------------

    @Test
    void deleteNeedsTheSecretKeyAndAcceptsAnAlias() {
        String anonymous = anonymousId();
        publicKey().get(path(anonymous));
        String user = "deleted_" + uniqueId("");
        identify(anonymous, user);

        assertError(publicKey().delete(path(user)), 403, 7225);
        HttpResponse deleted = secretKey().delete(path(user));

        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
        assertThat(deleted.json().get("app_user_id").asText()).isEqualTo(user);
        assertThat(deleted.json().get("deleted").asBoolean()).isTrue();
        assertError(secretKey().delete(path(anonymous)), 404, 7259);
        assertThat(publicKey().get(path(anonymous)).status()).as("a new customer").isEqualTo(201);
    }

    static void assertError(HttpResponse response, int status, int code) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.header("Content-Type")).contains("application/json");
        assertThat(response.json().get("code").asInt()).as(response.toString()).isEqualTo(code);
        assertThat(response.json().get("message").asText()).isNotBlank();
    }
}
