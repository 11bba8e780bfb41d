package io.substate.operations;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
import io.substate.testing.HttpResponse;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Everything acknowledged survives a restart; instances sharing one database see each other's writes. */
@ParameterizedClass
@EnumSource(TestDb.class)
class DurabilityTest {
    @Parameter
    TestDb db;

    /** Creates a project with an app, an entitlement and an attached product; returns the paths to read back. */
    static List<String> createCatalog(Api api) {
        String project = "/v2/projects/" + api.post("/v2/projects", Map.of("name", "Durable")).json().get("id").asText();
        String appId = api.post(project + "/apps", Map.of("name", "Web", "type", "stripe",
                "stripe", Map.of("webhook_secret", "whsec_durable", "track_new_purchases", true))).json()
                .get("id").asText();
        String entitlement = project + "/entitlements/" + api.post(project + "/entitlements",
                Map.of("lookup_key", "premium", "display_name", "Premium")).json().get("id").asText();
        String productId = api.post(project + "/products", Map.of("store_identifier", "prod_D", "app_id", appId,
                "type", "subscription")).json().get("id").asText();
        HttpResponse attached = api.post(entitlement + "/actions/attach_products", Map.of("product_ids", List.of(productId)));
        assertThat(attached.status()).as(attached.toString()).isEqualTo(200);
        return List.of(project, project + "/apps/" + appId, entitlement, project + "/products/" + productId);
    }

    @Test
    void aRestartKeepsAllData() {
        TestServer first = TestServer.start(db, Map.of());
        List<String> paths = createCatalog(first.admin());
        List<JsonNode> before = paths.stream().map(path -> first.admin().get(path).json()).toList();
        first.close();

        try (TestServer second = TestServer.startWith(first.env())) {
            List<JsonNode> after = paths.stream().map(path -> second.admin().get(path).json()).toList();

            assertThat(after).isEqualTo(before);
            assertThat(after.get(2).get("products").get("items")).hasSize(1);
        }
    }

    @Test
    void twoInstancesOnOneDatabaseSeeTheSameData() {
        try (TestServer one = TestServer.start(db, Map.of()); TestServer two = one.startAnotherInstance()) {
            assertThat(two.substate().port()).isNotEqualTo(one.substate().port());
            List<String> paths = createCatalog(one.admin());
            for (String path : paths) {
                assertThat(two.admin().get(path).json()).as(path).isEqualTo(one.admin().get(path).json());
            }

            String entitlement = paths.get(2);
            HttpResponse renamed = two.admin().patch(entitlement, Map.of("display_name", "Renamed on two"));
            assertThat(renamed.status()).isEqualTo(200);
            assertThat(one.admin().get(entitlement).json().get("display_name").asText()).isEqualTo("Renamed on two");

            HttpResponse duplicate = two.admin().post(paths.get(0) + "/entitlements",
                    Map.of("lookup_key", "premium", "display_name", "Twice"));
            assertThat(duplicate.status()).isEqualTo(409);
        }
    }
}
