package io.substate.projects;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
import io.substate.testing.HttpResponse;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(TestDb.class)
class ProjectsApiTest {
    @Parameter
    TestDb db;

    Api admin() {
        return TestServer.shared(db).admin();
    }

    @Test
    void createsAProjectWithASecretKeyAndTheDefaultTransferBehavior() {
        HttpResponse created = admin().post("/v2/projects", Map.of("name", "Cats"));

        assertThat(created.status()).isEqualTo(201);
        JsonNode project = created.json();
        assertThat(project.get("object").asText()).isEqualTo("project");
        assertThat(project.get("id").asText()).startsWith("proj");
        assertThat(project.get("name").asText()).isEqualTo("Cats");
        String key = project.get("secret_api_key").asText();
        assertThat(key).matches("sk_[A-Za-z0-9]{32}");
        assertThat(project.get("secret_api_key_hint").asText()).isEqualTo("sk_…" + key.substring(key.length() - 4));
        assertThat(project.get("transfer_behavior").asText()).isEqualTo("transfer");
        assertThat(project.get("created_at").asLong()).isPositive();
        assertThat(created.header("Cache-Control")).isEqualTo("no-store");

        // Shown once: every read after the create has the hint only.
        HttpResponse fetched = admin().get("/v2/projects/" + project.get("id").asText());
        assertThat(fetched.status()).isEqualTo(200);
        JsonNode withoutKey = project.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) withoutKey).remove("secret_api_key");
        assertThat(fetched.json()).isEqualTo(withoutKey);
        assertThat(fetched.body()).doesNotContain(key);
        assertThat(admin().get("/v2/projects?limit=100").body()).doesNotContain(key);
        // ...and the key still authenticates, on /v2 and on /v1.
        assertThat(admin().withToken(key).get("/v2/projects/" + project.get("id").asText()).status()).isEqualTo(200);
        assertThat(admin().withToken(key).get("/v1/subscribers/someone").status()).isBetween(200, 201);
    }

    @Test
    void rollingTheSecretKeyAnswersANewOneOnceAndRefusesTheOldAtOnce() {
        JsonNode project = admin().post("/v2/projects", Map.of("name", "Rolled")).json();
        String id = project.get("id").asText();
        String old = project.get("secret_api_key").asText();
        assertThat(admin().withToken(old).get("/v2/projects/" + id).status()).isEqualTo(200); // now cached

        HttpResponse rolled = admin().withToken(old).post("/v2/projects/" + id + "/actions/roll_secret_api_key", null);

        assertThat(rolled.status()).as(rolled.toString()).isEqualTo(200);
        assertThat(rolled.header("Cache-Control")).isEqualTo("no-store");
        String fresh = rolled.json().get("secret_api_key").asText();
        assertThat(fresh).matches("sk_[A-Za-z0-9]{32}").isNotEqualTo(old);
        assertThat(rolled.json().get("secret_api_key_hint").asText()).endsWith(fresh.substring(fresh.length() - 4));
        assertThat(admin().withToken(old).get("/v2/projects/" + id).status()).isEqualTo(401);
        assertThat(admin().withToken(old).get("/v1/subscribers/someone").status()).isEqualTo(401);
        assertThat(admin().withToken(fresh).get("/v2/projects/" + id).status()).isEqualTo(200);
        assertThat(admin().withToken(fresh).get("/v1/subscribers/someone").status()).isBetween(200, 201);
        assertThat(admin().get("/v2/projects/" + id).body()).doesNotContain(fresh);
        assertThat(admin().post("/v2/projects/proj_nope/actions/roll_secret_api_key", null).status()).isEqualTo(404);
    }

    @Test
    void patchChangesNameAndTransferBehavior() {
        String id = admin().post("/v2/projects", Map.of("name", "Before")).json().get("id").asText();

        HttpResponse patched = admin().patch("/v2/projects/" + id,
                Map.of("name", "After", "transfer_behavior", "keep_with_original"));

        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.json().get("name").asText()).isEqualTo("After");
        assertThat(patched.json().get("transfer_behavior").asText()).isEqualTo("keep_with_original");
        assertThat(admin().get("/v2/projects/" + id).json().get("transfer_behavior").asText())
                .isEqualTo("keep_with_original");
    }

    @Test
    void refusesAnUnknownTransferBehaviorAndWritesNothing() {
        String id = admin().post("/v2/projects", Map.of("name", "Stable")).json().get("id").asText();

        HttpResponse response = admin().patch("/v2/projects/" + id, Map.of("name", "Changed", "transfer_behavior", "share"));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("code").asText()).isEqualTo("invalid_parameter");
        assertThat(response.json().get("object").asText()).isEqualTo("error");
        assertThat(response.json().get("message").asText()).contains("transfer_behavior");
        assertThat(admin().get("/v2/projects/" + id).json().get("name").asText()).isEqualTo("Stable");
    }

    @Test
    void refusesRequestsWithoutTheAdminToken() {
        HttpResponse missing = admin().withToken(null).get("/v2/projects");
        HttpResponse wrong = admin().withToken("not-the-token-at-all").post("/v2/projects", Map.of("name", "x"));

        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.json().get("code").asText()).isEqualTo("unauthorized");
        assertThat(wrong.status()).isEqualTo(401);
    }

    @Test
    void answersUnknownRoutesAndInvalidJsonWithJsonErrors() {
        HttpResponse unknownRoute = admin().get("/v2/nothing-here");
        HttpResponse invalidJson = admin().post("/v2/projects", "{\"name\": ");
        HttpResponse unknownProject = admin().get("/v2/projects/proj_missing");

        assertThat(unknownRoute.status()).isEqualTo(404);
        assertThat(unknownRoute.json().get("code").asText()).isEqualTo("route_not_found");
        assertThat(invalidJson.status()).isEqualTo(400);
        assertThat(invalidJson.json().get("code").asText()).isEqualTo("invalid_json");
        assertThat(unknownProject.status()).isEqualTo(404);
        assertThat(unknownProject.json().get("code").asText()).isEqualTo("resource_missing");
    }

    @Test
    void refusesBodiesOverOneMebibyte() {
        String huge = "{\"name\":\"" + "x".repeat(1024 * 1024 + 10) + "\"}";

        HttpResponse response = admin().post("/v2/projects", huge);

        assertThat(response.status()).isEqualTo(413);
        assertThat(response.json().get("code").asText()).isEqualTo("payload_too_large");
    }
}
