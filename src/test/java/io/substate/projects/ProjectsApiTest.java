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
        assertThat(project.get("secret_api_key").asText()).matches("sk_[A-Za-z0-9]{32}");
        assertThat(project.get("transfer_behavior").asText()).isEqualTo("transfer");
        assertThat(project.get("created_at").asLong()).isPositive();

        HttpResponse fetched = admin().get("/v2/projects/" + project.get("id").asText());
        assertThat(fetched.status()).isEqualTo(200);
        assertThat(fetched.json()).isEqualTo(project);
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
