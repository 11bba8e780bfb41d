package io.substate.projects;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
import io.substate.testing.HttpResponse;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code /v2/projects/{project_id}/api_keys} over HTTP: shapes, the key working at once, stored hashed, revoked. */
@ParameterizedClass
@EnumSource(TestDb.class)
class ApiKeysApiTest {
    @Parameter
    TestDb db;

    String projectId;
    String secretKey;

    Api admin() {
        return TestServer.shared(db).admin();
    }

    String keys() {
        return "/v2/projects/" + projectId + "/api_keys";
    }

    @BeforeEach
    void project() {
        JsonNode project = admin().post("/v2/projects", Map.of("name", "Keys")).json();
        projectId = project.get("id").asText();
        secretKey = project.get("secret_api_key").asText();
    }

    JsonNode create(Api client, String name, String permissions) {
        HttpResponse created = client.post(keys(), Map.of("name", name, "permissions", permissions));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json();
    }

    @Test
    void createAnswersTheKeyOnceAndListAndGetShowOnlyItsHint() {
        long before = System.currentTimeMillis();
        JsonNode created = create(admin(), "Backend", "read_write");

        String key = created.get("key").asText();
        assertThat(created.get("object").asText()).isEqualTo("api_key");
        assertThat(created.get("id").asText()).startsWith("key");
        assertThat(created.get("project_id").asText()).isEqualTo(projectId);
        assertThat(created.get("name").asText()).isEqualTo("Backend");
        assertThat(created.get("permissions").asText()).isEqualTo("read_write");
        assertThat(key).startsWith("sk_api_").hasSize(47).isNotEqualTo(secretKey);
        assertThat(created.get("key_hint").asText()).isEqualTo(key.substring(key.length() - 4));
        assertThat(created.get("created_at").asLong()).isBetween(before, System.currentTimeMillis());
        assertThat(created.get("last_used_at").isNull()).isTrue();
        assertThat(fieldNames(created)).containsExactly("object", "id", "project_id", "name", "permissions",
                "key_hint", "created_at", "last_used_at", "key");

        JsonNode got = admin().get(keys() + "/" + created.get("id").asText()).json();
        assertThat(got.has("key")).isFalse();
        assertThat(got.toString()).doesNotContain(key);
        assertThat(fieldNames(got)).containsExactly("object", "id", "project_id", "name", "permissions",
                "key_hint", "created_at", "last_used_at");
        assertThat(got.get("key_hint").asText()).isEqualTo(created.get("key_hint").asText());

        JsonNode list = admin().get(keys()).json();
        assertThat(list.get("object").asText()).isEqualTo("list");
        assertThat(list.get("items")).hasSize(1);
        assertThat(list.get("items").get(0)).isEqualTo(got);
        assertThat(list.get("next_page").isNull()).isTrue();
        assertThat(list.get("url").asText()).isEqualTo(keys());
        assertThat(list.toString()).doesNotContain(key);
    }

    @Test
    void aKeyWorksAtOnceAndIsStoredOnlyAsItsSha256() {
        JsonNode created = create(admin(), "Reader", "read_only");
        String key = created.get("key").asText();

        HttpResponse read = admin().withToken(key).get("/v2/projects/" + projectId);
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        HttpResponse write = admin().withToken(key).post("/v2/projects/" + projectId, Map.of("name", "Renamed"));
        assertThat(write.status()).as(write.toString()).isEqualTo(403);
        assertThat(write.json().get("code").asText()).isEqualTo("forbidden");
        assertThat(write.json().get("type").asText()).isEqualTo("authorization_error");
        assertThat(write.body()).doesNotContain(key);

        Map<String, Object> row = TestServer.shared(db).substate().database().jdbi().withHandle(h -> h
                .createQuery("SELECT * FROM api_keys WHERE id = :id").bind("id", created.get("id").asText())
                .mapToMap().one());
        assertThat(row.get("key_sha256")).isEqualTo(ProjectService.sha256Hex(key));
        assertThat(row.values()).allSatisfy(value -> assertThat(String.valueOf(value)).doesNotContain(key));
        // The first use is recorded.
        assertThat(admin().get(keys() + "/" + created.get("id").asText()).json().get("last_used_at").asLong())
                .isPositive();
    }

    @Test
    void aReadWriteKeyManagesKeysAndAReadOnlyKeyOnlyListsThem() {
        String writer = create(admin(), "Writer", "read_write").get("key").asText();
        String reader = create(admin().withToken(writer), "Reader", "read_only").get("key").asText();

        assertThat(admin().withToken(reader).get(keys()).json().get("items")).hasSize(2);
        HttpResponse refused = admin().withToken(reader).post(keys(), Map.of("name", "More", "permissions", "read_write"));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
        String otherKey = admin().post("/v2/projects", Map.of("name", "Other")).json().get("secret_api_key").asText();
        assertThat(admin().withToken(otherKey).get(keys()).status()).isEqualTo(403);
        assertThat(admin().withToken(secretKey).get(keys()).status()).isEqualTo(200);
    }

    @Test
    void aRevokedKeyStopsAtOnce() {
        JsonNode created = create(admin(), "Short-lived", "read_write");
        String key = created.get("key").asText();
        String id = created.get("id").asText();
        Api client = admin().withToken(key);
        assertThat(client.get("/v2/projects/" + projectId).status()).isEqualTo(200);

        long before = System.currentTimeMillis();
        HttpResponse revoked = client.delete(keys() + "/" + id);

        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
        assertThat(fieldNames(revoked.json())).containsExactly("object", "id", "deleted_at");
        assertThat(revoked.json().get("object").asText()).isEqualTo("api_key");
        assertThat(revoked.json().get("id").asText()).isEqualTo(id);
        assertThat(revoked.json().get("deleted_at").asLong()).isGreaterThanOrEqualTo(before);
        HttpResponse after = client.get("/v2/projects/" + projectId);
        assertThat(after.status()).as(after.toString()).isEqualTo(401);
        assertThat(after.json().get("code").asText()).isEqualTo("unauthorized");
        assertThat(after.body()).doesNotContain(key);
        assertThat(admin().get(keys() + "/" + id).status()).isEqualTo(404);
        assertThat(admin().delete(keys() + "/" + id).status()).isEqualTo(404);
        assertThat(admin().get(keys()).json().get("items")).isEmpty();
    }

    @Test
    void aKeyOfAnotherProjectIsUnknownHere() {
        String otherProject = admin().post("/v2/projects", Map.of("name", "Other")).json().get("id").asText();
        String id = create(admin(), "Mine", "read_only").get("id").asText();

        assertThat(admin().get("/v2/projects/" + otherProject + "/api_keys/" + id).status()).isEqualTo(404);
        assertThat(admin().delete("/v2/projects/" + otherProject + "/api_keys/" + id).status()).isEqualTo(404);
        assertThat(admin().get("/v2/projects/projNope/api_keys").status()).isEqualTo(404);
    }

    @Test
    void listsArePaged() {
        for (int i = 0; i < 3; i++) {
            create(admin(), "Key " + i, "read_only");
        }
        JsonNode first = admin().get(keys() + "?limit=2").json();
        assertThat(first.get("items")).hasSize(2);
        String next = first.get("next_page").asText();
        assertThat(next).startsWith(keys() + "?starting_after=" + first.get("items").get(1).get("id").asText());
        JsonNode second = admin().get(next).json();
        assertThat(second.get("items")).hasSize(1);
        assertThat(second.get("items").get(0).get("name").asText()).isEqualTo("Key 2");
        assertThat(second.get("next_page").isNull()).isTrue();
    }

    @Test
    void invalidRequestsAre400WithTheFieldNamed() {
        List<Object[]> cases = List.of(
                new Object[] {Map.of("permissions", "read_only"), "name"},
                new Object[] {Map.of("name", "", "permissions", "read_only"), "name"},
                new Object[] {Map.of("name", "x".repeat(256), "permissions", "read_only"), "name"},
                new Object[] {Map.of("name", 5, "permissions", "read_only"), "name"},
                new Object[] {Map.of("name", "Key"), "permissions"},
                new Object[] {Map.of("name", "Key", "permissions", "admin"), "permissions"},
                new Object[] {Map.of("name", "Key", "permissions", true), "permissions"},
                new Object[] {Map.of("name", "Key", "permissions", "read_only", "key", "sk_api_mine"), "key"});
        for (Object[] c : cases) {
            HttpResponse response = admin().post(keys(), c[0]);
            assertThat(response.status()).as(c[0] + " → " + response).isEqualTo(400);
            assertThat(response.json().get("type").asText()).as(c[0].toString()).isEqualTo("parameter_error");
            assertThat(response.json().get("message").asText()).as(c[0].toString()).contains((String) c[1]);
        }
        assertThat(admin().post(keys(), Map.of("name", "x".repeat(255), "permissions", "read_only")).status())
                .isEqualTo(201);
        assertThat(admin().get(keys()).json().get("items")).hasSize(1);
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
