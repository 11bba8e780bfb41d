package io.substate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.testing.Api;
import io.substate.testing.HttpResponse;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every resource RevenueCat's API v2 updates by POST is updated by POST here too, with the same result as PATCH: two
 * resources made alike, one changed by PATCH and one by POST, read back the same (ids and times aside).
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class UpdateByPostTest {
    /** Fields that differ between two resources made alike. */
    static final List<String> OWN_FIELDS = List.of("id", "created_at", "secret_api_key", "secret_api_key_hint", "public_api_key",
            "webhook_url", "signing_secret", "lookup_key");

    @Parameter
    TestDb db;

    Api admin() {
        return TestServer.shared(db).admin();
    }

    String id(HttpResponse response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json().get("id").asText();
    }

    /** Makes two alike with {@code create}, updates one by PATCH and one by POST, and compares both answers and reads. */
    void sameByPostAsByPatch(Function<Integer, String> create, Map<String, Object> change, String changedField) {
        String byPatch = create.apply(1);
        String byPost = create.apply(2);
        HttpResponse patched = admin().patch(byPatch, change);
        HttpResponse posted = admin().post(byPost, change);
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        assertThat(posted.status()).as(posted.toString()).isEqualTo(200);
        assertThat(posted.json().at(changedField).asText()).as(posted.toString())
                .isEqualTo(patched.json().at(changedField).asText()).isNotEmpty();
        assertThat(withoutOwnFields(posted.json())).isEqualTo(withoutOwnFields(patched.json()));
        assertThat(withoutOwnFields(admin().get(byPost).json())).isEqualTo(withoutOwnFields(admin().get(byPatch).json()));
    }

    static JsonNode withoutOwnFields(JsonNode node) {
        JsonNode copy = node.deepCopy();
        strip(copy);
        return copy;
    }

    static void strip(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.remove(OWN_FIELDS);
            object.remove("signature_failures");
            object.forEach(UpdateByPostTest::strip);
        } else if (node.isArray()) {
            node.forEach(UpdateByPostTest::strip);
        }
    }

    String project() {
        return "/v2/projects/" + id(admin().post("/v2/projects", Map.of("name", "Post")));
    }

    @Test
    void projects() {
        sameByPostAsByPatch(i -> project(), Map.of("name", "Renamed", "transfer_behavior", "keep_with_original"),
                "/transfer_behavior");
    }

    @Test
    void apps() {
        String p = project();
        sameByPostAsByPatch(i -> p + "/apps/" + id(admin().post(p + "/apps", Map.of("name", "Web", "type", "stripe"))),
                Map.of("name", "Renamed", "stripe", Map.of("track_new_purchases", true,
                        "management_url", "https://example.com/account")), "/stripe/management_url");
    }

    @Test
    void entitlements() {
        String p = project();
        sameByPostAsByPatch(i -> p + "/entitlements/" + id(admin().post(p + "/entitlements",
                Map.of("lookup_key", "e" + i, "display_name", "E"))), Map.of("display_name", "Renamed"), "/display_name");
    }

    @Test
    void webhookIntegrations() {
        String p = project();
        sameByPostAsByPatch(i -> p + "/integrations/webhooks/" + id(admin().post(p + "/integrations/webhooks",
                        Map.of("name", "Hook", "url", "https://hooks.example.com/a"))),
                Map.of("name", "Renamed", "url", "https://hooks.example.com/b", "environment", "production"), "/url");
    }

    @Test
    void offeringsAndPackages() {
        String p = project();
        // The project's first offering is its current one; the two compared are made after it.
        id(admin().post(p + "/offerings", Map.of("lookup_key", "current", "display_name", "Current")));
        sameByPostAsByPatch(i -> p + "/offerings/" + id(admin().post(p + "/offerings",
                Map.of("lookup_key", "o" + i, "display_name", "O"))), Map.of("display_name", "Renamed"), "/display_name");
        sameByPostAsByPatch(i -> {
            String offering = id(admin().post(p + "/offerings", Map.of("lookup_key", "packages" + i, "display_name", "P")));
            return p + "/packages/" + id(admin().post(p + "/offerings/" + offering + "/packages",
                    Map.of("lookup_key", "$rc_monthly", "display_name", "P")));
        }, Map.of("display_name", "Renamed"), "/display_name");
    }

    @Test
    void aPostUpdateIsValidatedAsAPatch() {
        String p = project();
        HttpResponse patched = admin().patch(p, Map.of("transfer_behavior", "sometimes"));
        HttpResponse posted = admin().post(p, Map.of("transfer_behavior", "sometimes"));
        assertThat(posted.status()).isEqualTo(400).isEqualTo(patched.status());
        assertThat(posted.json()).isEqualTo(patched.json());
        assertThat(admin().post(p + "/apps/appNope", Map.of("name", "x")).status()).isEqualTo(404);
    }
}
