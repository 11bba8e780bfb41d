package io.substate.apps;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.projects.ProjectService;
import io.substate.testing.Api;
import io.substate.testing.HttpResponse;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(TestDb.class)
class AppsApiTest {
    static final String SECRET = "whsec_first0123456789";

    @Parameter
    TestDb db;

    TestServer server() {
        return TestServer.shared(db);
    }

    Api admin() {
        return server().admin();
    }

    String newProject() {
        return admin().post("/v2/projects", Map.of("name", "Apps")).json().get("id").asText();
    }

    JsonNode createApp(String projectId, Map<String, Object> stripe) {
        HttpResponse created = admin().post("/v2/projects/" + projectId + "/apps",
                Map.of("name", "Web", "type", "stripe", "stripe", stripe));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json();
    }

    AppService service() {
        return new AppService(server().substate().database(),
                new ProjectService(server().substate().database().jdbi(), Clock.systemUTC()), Clock.systemUTC());
    }

    @Test
    void createsAStripeAppWithAPublicKeyAndAWebhookUrlButNoSecretsInTheResponse() {
        String projectId = newProject();

        JsonNode app = createApp(projectId, Map.of("webhook_secret", SECRET, "api_key", "rk_test_abc123",
                "track_new_purchases", true, "app_user_id_detection", "metadata", "metadata_key", "user_id",
                "management_url", "https://billing.stripe.com/p/login/test_123"));

        assertThat(app.get("object").asText()).isEqualTo("app");
        assertThat(app.get("id").asText()).startsWith("app");
        assertThat(app.get("name").asText()).isEqualTo("Web");
        assertThat(app.get("type").asText()).isEqualTo("stripe");
        assertThat(app.get("project_id").asText()).isEqualTo(projectId);
        assertThat(app.get("public_api_key").asText()).matches("strp_[A-Za-z0-9]{32}");
        assertThat(app.get("created_at").asLong()).isPositive();
        JsonNode stripe = app.get("stripe");
        assertThat(stripe.get("webhook_url").asText())
                .isEqualTo("http://substate.test/v1/incoming-webhooks/stripe/" + app.get("id").asText());
        assertThat(stripe.get("webhook_secret_set").asBoolean()).isTrue();
        assertThat(stripe.get("api_key_set").asBoolean()).isTrue();
        assertThat(stripe.get("track_new_purchases").asBoolean()).isTrue();
        assertThat(stripe.get("app_user_id_detection").asText()).isEqualTo("metadata");
        assertThat(stripe.get("metadata_key").asText()).isEqualTo("user_id");
        assertThat(stripe.get("management_url").asText()).isEqualTo("https://billing.stripe.com/p/login/test_123");
        assertThat(app.toString()).doesNotContain(SECRET).doesNotContain("rk_test_abc123");

        HttpResponse fetched = admin().get("/v2/projects/" + projectId + "/apps/" + app.get("id").asText());
        assertThat(fetched.status()).isEqualTo(200);
        assertThat(fetched.json()).isEqualTo(app);
        assertThat(fetched.json().get("stripe").get("signature_failures").get("count").asLong()).isZero();
    }

    @Test
    void defaultsAreAnonymousDetectionAndNoTracking() {
        JsonNode app = createApp(newProject(), Map.of());

        JsonNode stripe = app.get("stripe");
        assertThat(stripe.get("webhook_secret_set").asBoolean()).isFalse();
        assertThat(stripe.get("api_key_set").asBoolean()).isFalse();
        assertThat(stripe.get("track_new_purchases").asBoolean()).isFalse();
        assertThat(stripe.get("app_user_id_detection").asText()).isEqualTo("anonymous");
        assertThat(stripe.get("metadata_key").isNull()).isTrue();
        assertThat(stripe.get("management_url").isNull()).isTrue();
    }

    @Test
    void storesTheSecretsForTheServerItself() {
        String projectId = newProject();
        JsonNode created = createApp(projectId, Map.of("webhook_secret", SECRET, "api_key", "sk_test_xyz"));

        App app = service().get(projectId, created.get("id").asText());

        assertThat(app.webhookSecret()).isEqualTo(SECRET);
        assertThat(app.stripeApiKey()).isEqualTo("sk_test_xyz");
        assertThat(app.validWebhookSecrets(System.currentTimeMillis())).containsExactly(SECRET);
        assertThat(service().findByPublicKey(created.get("public_api_key").asText())).contains(app);
        assertThat(service().find(app.id())).contains(app);
    }

    @Test
    void patchChangesSettingsAndKeepsWhatIsNotMentioned() {
        String projectId = newProject();
        String appId = createApp(projectId, Map.of("webhook_secret", SECRET, "api_key", "rk_live_1"))
                .get("id").asText();

        HttpResponse patched = admin().patch("/v2/projects/" + projectId + "/apps/" + appId, Map.of("name", "Renamed",
                "stripe", Map.of("track_new_purchases", true, "app_user_id_detection", "stripe_customer_id")));

        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        JsonNode stripe = patched.json().get("stripe");
        assertThat(patched.json().get("name").asText()).isEqualTo("Renamed");
        assertThat(stripe.get("track_new_purchases").asBoolean()).isTrue();
        assertThat(stripe.get("app_user_id_detection").asText()).isEqualTo("stripe_customer_id");
        assertThat(stripe.get("webhook_secret_set").asBoolean()).isTrue();
        assertThat(stripe.get("api_key_set").asBoolean()).isTrue();
        App stored = service().get(projectId, appId);
        assertThat(stored.webhookSecret()).isEqualTo(SECRET);
        assertThat(stored.stripeApiKey()).isEqualTo("rk_live_1");
    }

    @Test
    void nullRemovesTheSecretAndTheApiKey() {
        String projectId = newProject();
        String appId = createApp(projectId, Map.of("webhook_secret", SECRET, "api_key", "rk_live_1")).get("id").asText();
        Map<String, Object> clear = new HashMap<>();
        clear.put("webhook_secret", null);
        clear.put("api_key", null);

        HttpResponse patched = admin().patch("/v2/projects/" + projectId + "/apps/" + appId, Map.of("stripe", clear));

        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        assertThat(patched.json().get("stripe").get("webhook_secret_set").asBoolean()).isFalse();
        assertThat(patched.json().get("stripe").get("api_key_set").asBoolean()).isFalse();
        App stored = service().get(projectId, appId);
        assertThat(stored.validWebhookSecrets(System.currentTimeMillis())).isEmpty();
        assertThat(stored.stripeApiKey()).isNull();
    }

    @Test
    void aNewSecretKeepsThePreviousOneValidFor24Hours() {
        String projectId = newProject();
        String appId = createApp(projectId, Map.of("webhook_secret", SECRET)).get("id").asText();
        long before = System.currentTimeMillis();

        admin().patch("/v2/projects/" + projectId + "/apps/" + appId,
                Map.of("stripe", Map.of("webhook_secret", "whsec_second")));

        App app = service().get(projectId, appId);
        assertThat(app.webhookSecret()).isEqualTo("whsec_second");
        assertThat(app.previousWebhookSecret()).isEqualTo(SECRET);
        assertThat(app.previousWebhookSecretExpiresAt())
                .isBetween(before + 24 * 3_600_000L, System.currentTimeMillis() + 24 * 3_600_000L);
        long expiry = app.previousWebhookSecretExpiresAt();
        assertThat(app.validWebhookSecrets(expiry - 1)).containsExactly("whsec_second", SECRET);
        assertThat(app.validWebhookSecrets(expiry)).containsExactly("whsec_second");
    }

    @Test
    void settingTheSameSecretAgainDoesNotRollIt() {
        String projectId = newProject();
        String appId = createApp(projectId, Map.of("webhook_secret", SECRET)).get("id").asText();

        admin().patch("/v2/projects/" + projectId + "/apps/" + appId, Map.of("stripe", Map.of("webhook_secret", SECRET)));

        App app = service().get(projectId, appId);
        assertThat(app.previousWebhookSecret()).isNull();
        assertThat(app.validWebhookSecrets(System.currentTimeMillis())).containsExactly(SECRET);
    }

    @Test
    void metadataDetectionNeedsAKeyAndSwitchingAwayKeepsIt() {
        String projectId = newProject();
        HttpResponse missingKey = admin().post("/v2/projects/" + projectId + "/apps", Map.of("name", "Web", "type",
                "stripe", "stripe", Map.of("app_user_id_detection", "metadata")));
        String appId = createApp(projectId, Map.of("app_user_id_detection", "metadata", "metadata_key", "uid"))
                .get("id").asText();
        Map<String, Object> removeKey = new HashMap<>();
        removeKey.put("metadata_key", null);
        HttpResponse removeWhileMetadata = admin().patch("/v2/projects/" + projectId + "/apps/" + appId,
                Map.of("stripe", removeKey));
        HttpResponse switched = admin().patch("/v2/projects/" + projectId + "/apps/" + appId,
                Map.of("stripe", Map.of("app_user_id_detection", "anonymous")));

        assertThat(missingKey.status()).isEqualTo(400);
        assertThat(missingKey.json().get("code").asText()).isEqualTo("invalid_parameter");
        assertThat(missingKey.json().get("message").asText()).contains("metadata_key");
        assertThat(admin().get("/v2/projects/" + projectId + "/apps").json().get("items")).hasSize(1);
        assertThat(removeWhileMetadata.status()).isEqualTo(400);
        assertThat(switched.status()).isEqualTo(200);
        assertThat(switched.json().get("stripe").get("app_user_id_detection").asText()).isEqualTo("anonymous");
        assertThat(switched.json().get("stripe").get("metadata_key").asText()).isEqualTo("uid");
    }

    @Test
    void refusesMalformedStripeSettingsWithHelpfulMessages() {
        String projectId = newProject();
        String path = "/v2/projects/" + projectId + "/apps";

        HttpResponse wrongSecret = admin().post(path, app(Map.of("webhook_secret", "we_1234")));
        HttpResponse publishableKey = admin().post(path, app(Map.of("api_key", "pk_test_1")));
        HttpResponse badUrl = admin().post(path, app(Map.of("management_url", "javascript:alert(1)")));
        HttpResponse badDetection = admin().post(path, app(Map.of("app_user_id_detection", "email")));
        HttpResponse wrongType = admin().post(path, app(Map.of("track_new_purchases", "yes")));
        HttpResponse typo = admin().post(path, app(Map.of("trak_new_purchases", true)));
        HttpResponse notStripe = admin().post(path, Map.of("name", "Web", "type", "app_store"));
        HttpResponse noType = admin().post(path, Map.of("name", "Web"));
        HttpResponse noName = admin().post(path, Map.of("type", "stripe"));

        assertThat(wrongSecret.json().get("message").asText()).contains("whsec_").contains("Signing secret");
        assertThat(publishableKey.json().get("message").asText()).contains("rk_").contains("recommended");
        assertThat(badUrl.json().get("message").asText()).contains("management_url");
        assertThat(badDetection.json().get("message").asText()).contains("anonymous, stripe_customer_id, metadata");
        assertThat(wrongType.json().get("message").asText()).contains("stripe.track_new_purchases");
        assertThat(typo.json().get("message").asText()).contains("stripe.trak_new_purchases");
        assertThat(notStripe.json().get("message").asText()).contains("'stripe'");
        assertThat(noType.json().get("message").asText()).contains("'type' is required");
        assertThat(noName.json().get("message").asText()).contains("'name' is required");
        for (HttpResponse response : List.of(wrongSecret, publishableKey, badUrl, badDetection, wrongType, typo,
                notStripe, noType, noName)) {
            assertThat(response.status()).as(response.toString()).isEqualTo(400);
            assertThat(response.json().get("code").asText()).isEqualTo("invalid_parameter");
        }
        assertThat(admin().get(path).json().get("items")).isEmpty();
    }

    @Test
    void aFailedPatchChangesNothing() {
        String projectId = newProject();
        JsonNode app = createApp(projectId, Map.of("webhook_secret", SECRET));
        String path = "/v2/projects/" + projectId + "/apps/" + app.get("id").asText();

        HttpResponse response = admin().patch(path, Map.of("name", "Changed",
                "stripe", Map.of("webhook_secret", "whsec_new", "api_key", "pk_live_wrong")));

        assertThat(response.status()).isEqualTo(400);
        assertThat(admin().get(path).json().get("name").asText()).isEqualTo("Web");
        assertThat(service().get(projectId, app.get("id").asText()).webhookSecret()).isEqualTo(SECRET);
    }

    @Test
    void theTypeCannotChangeButMayBeSentBack() {
        String projectId = newProject();
        JsonNode app = createApp(projectId, Map.of());
        String path = "/v2/projects/" + projectId + "/apps/" + app.get("id").asText();

        HttpResponse same = admin().patch(path, Map.of("type", "stripe", "name", "Same type"));
        HttpResponse other = admin().patch(path, Map.of("type", "app_store", "name", "Other type"));

        assertThat(same.status()).isEqualTo(200);
        assertThat(other.status()).isEqualTo(400);
        assertThat(other.json().get("message").asText()).contains("cannot be changed");
        assertThat(admin().get(path).json().get("name").asText()).isEqualTo("Same type");
    }

    @Test
    void anAppIsOnlyReachableUnderItsOwnProject() {
        String owner = newProject();
        String other = newProject();
        String appId = createApp(owner, Map.of()).get("id").asText();

        HttpResponse get = admin().get("/v2/projects/" + other + "/apps/" + appId);
        HttpResponse patch = admin().patch("/v2/projects/" + other + "/apps/" + appId, Map.of("name", "Stolen"));
        HttpResponse list = admin().get("/v2/projects/" + other + "/apps");

        assertThat(get.status()).isEqualTo(404);
        assertThat(get.json().get("code").asText()).isEqualTo("resource_missing");
        assertThat(patch.status()).isEqualTo(404);
        assertThat(list.json().get("items")).isEmpty();
        assertThat(admin().get("/v2/projects/" + owner + "/apps/" + appId).json().get("name").asText()).isEqualTo("Web");
    }

    @Test
    void listsAppsInPages() {
        String projectId = newProject();
        List<String> ids = List.of(createApp(projectId, Map.of()).get("id").asText(),
                createApp(projectId, Map.of()).get("id").asText(), createApp(projectId, Map.of()).get("id").asText());

        JsonNode first = admin().get("/v2/projects/" + projectId + "/apps?limit=2").json();
        JsonNode second = admin().get(first.get("next_page").asText()).json();

        assertThat(first.get("object").asText()).isEqualTo("list");
        assertThat(first.get("items")).hasSize(2);
        assertThat(second.get("items")).hasSize(1);
        assertThat(second.get("next_page").isNull()).isTrue();
        assertThat(List.of(first.get("items").get(0).get("id").asText(), first.get("items").get(1).get("id").asText(),
                second.get("items").get(0).get("id").asText())).containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void unknownProjectIs404() {
        HttpResponse response = admin().post("/v2/projects/projMissing/apps", Map.of("name", "Web", "type", "stripe"));

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.json().get("message").asText()).contains("projMissing");
    }

    @Test
    void showsSignatureFailuresSoUsersSeeWhyStripeGets400() {
        String projectId = newProject();
        String appId = createApp(projectId, Map.of("webhook_secret", SECRET)).get("id").asText();
        long at = Instant.parse("2026-01-02T03:04:05Z").toEpochMilli();

        service().recordSignatureFailure(appId, "no header", at - 1000);
        service().recordSignatureFailure(appId, "No signature matches the app's webhook secret", at);

        JsonNode failures = admin().get("/v2/projects/" + projectId + "/apps/" + appId).json()
                .get("stripe").get("signature_failures");
        assertThat(failures.get("count").asLong()).isEqualTo(2);
        assertThat(failures.get("last_reason").asText()).isEqualTo("No signature matches the app's webhook secret");
        assertThat(failures.get("last_at").asLong()).isEqualTo(at);
    }

    @Test
    void allowedOriginsAreAnyByDefaultAndStoredAsBrowsersSendThem() {
        String projectId = newProject();
        JsonNode plain = createApp(projectId, Map.of());
        HttpResponse listed = admin().post("/v2/projects/" + projectId + "/apps", Map.of("name", "Shop", "type", "stripe",
                "allowed_origins", List.of("https://Shop.Example.com", "HTTP://localhost:5173", "https://a.example:443",
                        "http://b.example:80", "http://[::1]:8080")));
        String path = "/v2/projects/" + projectId + "/apps/" + plain.get("id").asText();

        assertThat(plain.has("allowed_origins")).isTrue();
        assertThat(plain.get("allowed_origins").isNull()).isTrue();
        assertThat(listed.status()).as(listed.toString()).isEqualTo(201);
        assertThat(listed.json().get("allowed_origins")).extracting(JsonNode::asText).containsExactly(
                "https://shop.example.com", "http://localhost:5173", "https://a.example", "http://b.example",
                "http://[::1]:8080");
        assertThat(service().get(projectId, listed.json().get("id").asText()).allowsOrigin("https://shop.example.com"))
                .isTrue();

        HttpResponse restricted = admin().patch(path, Map.of("allowed_origins", List.of("https://shop.example.com")));
        HttpResponse renamed = admin().patch(path, Map.of("name", "Renamed"));
        HttpResponse none = admin().patch(path, Map.of("allowed_origins", List.of()));
        HttpResponse noneFetched = admin().get(path);
        Map<String, Object> any = new HashMap<>();
        any.put("allowed_origins", null);
        HttpResponse anyAgain = admin().patch(path, any);

        assertThat(restricted.status()).as(restricted.toString()).isEqualTo(200);
        assertThat(restricted.json().get("allowed_origins")).extracting(JsonNode::asText)
                .containsExactly("https://shop.example.com");
        assertThat(renamed.json().get("allowed_origins")).extracting(JsonNode::asText)
                .containsExactly("https://shop.example.com");
        assertThat(none.json().get("allowed_origins").isArray()).isTrue();
        assertThat(none.json().get("allowed_origins")).isEmpty();
        assertThat(noneFetched.json().get("allowed_origins").isArray()).isTrue();
        assertThat(noneFetched.json().get("allowed_origins")).isEmpty();
        assertThat(service().get(projectId, plain.get("id").asText()).allowedOrigins()).isNull();
        assertThat(anyAgain.json().get("allowed_origins").isNull()).isTrue();
        assertThat(admin().get(path).json().get("allowed_origins").isNull()).isTrue();
    }

    @Test
    void refusesEntriesThatAreNotOriginsNamingEachOne() {
        String projectId = newProject();
        String appId = createApp(projectId, Map.of()).get("id").asText();
        String path = "/v2/projects/" + projectId + "/apps/" + appId;
        admin().patch(path, Map.of("allowed_origins", List.of("https://kept.example")));
        Map<Object, String> cases = new java.util.LinkedHashMap<>();
        cases.put(List.of("https://shop.example.com/"), "trailing slash");
        cases.put(List.of("https://shop.example.com/app"), "no path");
        cases.put(List.of("https://shop.example.com?x=1"), "no path, query or fragment");
        cases.put(List.of("https://shop.example.com#top"), "no path, query or fragment");
        cases.put(List.of("shop.example.com"), "start it with 'https://'");
        cases.put(List.of("ftp://shop.example.com"), "http or https");
        cases.put(List.of("*"), "null");
        cases.put(List.of(" https://shop.example.com"), "spaces");
        cases.put(List.of("https://user@shop.example.com"), "user name");
        cases.put(List.of("https://shop.example.com:0"), "1 to 65535");
        cases.put(List.of("https://shop.example.com:70000"), "1 to 65535");
        cases.put(List.of("https://shop_example!.com"), "not a host name");
        cases.put(List.of("https://bücher.example"), "xn--");
        cases.put(List.of("https://a.example", "https://A.example:443"), "twice");
        cases.put(List.of(""), "it is empty");
        cases.put(List.of(42), "only strings");
        cases.put("https://shop.example.com", "null (any origin) or an array");
        cases.put(java.util.stream.IntStream.range(0, 51).mapToObj(i -> "https://s" + i + ".example").toList(),
                "at most 50");

        for (Map.Entry<Object, String> c : cases.entrySet()) {
            HttpResponse created = admin().post("/v2/projects/" + projectId + "/apps",
                    Map.of("name", "Web", "type", "stripe", "allowed_origins", c.getKey()));
            HttpResponse patched = admin().patch(path, Map.of("allowed_origins", c.getKey()));
            for (HttpResponse response : List.of(created, patched)) {
                assertThat(response.status()).as(c.getKey() + " → " + response).isEqualTo(400);
                assertThat(response.json().get("type").asText()).isEqualTo("parameter_error");
                assertThat(response.json().get("message").asText()).as(c.getKey().toString())
                        .contains("allowed_origins").contains(c.getValue());
            }
            if (c.getKey() instanceof List<?> entries && entries.size() == 1 && entries.get(0) instanceof String entry) {
                assertThat(created.json().get("message").asText()).contains("'" + entry + "'");
            }
        }
        assertThat(admin().get("/v2/projects/" + projectId + "/apps").json().get("items")).hasSize(1);
        assertThat(admin().get(path).json().get("allowed_origins")).extracting(JsonNode::asText)
                .containsExactly("https://kept.example");
        List<String> fifty = java.util.stream.IntStream.range(0, 50).mapToObj(i -> "https://s" + i + ".example").toList();
        assertThat(admin().patch(path, Map.of("allowed_origins", fifty)).json().get("allowed_origins")).hasSize(50);
    }

    static Map<String, Object> app(Map<String, Object> stripe) {
        return Map.of("name", "Web", "type", "stripe", "stripe", stripe);
    }
}
