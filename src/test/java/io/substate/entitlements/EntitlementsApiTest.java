package io.substate.entitlements;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.projects.ProjectService;
import io.substate.testing.Api;
import io.substate.testing.HttpResponse;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(TestDb.class)
class EntitlementsApiTest {
    @Parameter
    TestDb db;

    Api admin() {
        return TestServer.shared(db).admin();
    }

    String newProject() {
        return admin().post("/v2/projects", Map.of("name", "Catalog")).json().get("id").asText();
    }

    String newApp(String projectId) {
        return admin().post("/v2/projects/" + projectId + "/apps", Map.of("name", "Web", "type", "stripe"))
                .json().get("id").asText();
    }

    String newEntitlement(String projectId, String lookupKey) {
        HttpResponse created = admin().post("/v2/projects/" + projectId + "/entitlements",
                Map.of("lookup_key", lookupKey, "display_name", "Display " + lookupKey));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    String newProduct(String projectId, String appId, String storeIdentifier) {
        HttpResponse created = admin().post("/v2/projects/" + projectId + "/products",
                Map.of("store_identifier", storeIdentifier, "app_id", appId, "type", "subscription"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    EntitlementService service() {
        var database = TestServer.shared(db).substate().database();
        return new EntitlementService(database.jdbi(), new ProjectService(database.jdbi(), Clock.systemUTC()),
                Clock.systemUTC());
    }

    @Test
    void createsAnEntitlementInRevenueCatsShape() {
        String projectId = newProject();

        HttpResponse created = admin().post("/v2/projects/" + projectId + "/entitlements",
                Map.of("lookup_key", "premium", "display_name", "Premium"));

        assertThat(created.status()).isEqualTo(201);
        JsonNode e = created.json();
        assertThat(e.get("object").asText()).isEqualTo("entitlement");
        assertThat(e.get("id").asText()).startsWith("entl");
        assertThat(e.get("project_id").asText()).isEqualTo(projectId);
        assertThat(e.get("lookup_key").asText()).isEqualTo("premium");
        assertThat(e.get("display_name").asText()).isEqualTo("Premium");
        assertThat(e.get("created_at").asLong()).isPositive();
        assertThat(e.get("products").get("object").asText()).isEqualTo("list");
        assertThat(e.get("products").get("items")).isEmpty();
        assertThat(admin().get("/v2/projects/" + projectId + "/entitlements/" + e.get("id").asText()).json())
                .isEqualTo(e);
    }

    @Test
    void lookupKeysAreUniquePerProject() {
        String projectId = newProject();
        newEntitlement(projectId, "pro");
        String other = newEntitlement(projectId, "plus");

        HttpResponse duplicate = admin().post("/v2/projects/" + projectId + "/entitlements",
                Map.of("lookup_key", "pro", "display_name", "Again"));
        HttpResponse renameOnto = admin().patch("/v2/projects/" + projectId + "/entitlements/" + other,
                Map.of("lookup_key", "pro"));
        HttpResponse inAnotherProject = admin().post("/v2/projects/" + newProject() + "/entitlements",
                Map.of("lookup_key", "pro", "display_name", "Fine"));

        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.json().get("code").asText()).isEqualTo("resource_already_exists");
        assertThat(duplicate.json().get("message").asText()).contains("'pro'");
        assertThat(renameOnto.status()).isEqualTo(409);
        assertThat(inAnotherProject.status()).isEqualTo(201);
        JsonNode list = admin().get("/v2/projects/" + projectId + "/entitlements").json();
        assertThat(list.get("items")).hasSize(2);
        assertThat(admin().get("/v2/projects/" + projectId + "/entitlements/" + other).json().get("lookup_key").asText())
                .isEqualTo("plus");
    }

    @Test
    void patchesAndDeletesAnEntitlement() {
        String projectId = newProject();
        String id = newEntitlement(projectId, "gold");
        String path = "/v2/projects/" + projectId + "/entitlements/" + id;

        HttpResponse patched = admin().patch(path, Map.of("display_name", "Gold tier"));
        HttpResponse deleted = admin().delete(path);

        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.json().get("display_name").asText()).isEqualTo("Gold tier");
        assertThat(patched.json().get("lookup_key").asText()).isEqualTo("gold");
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("id").asText()).isEqualTo(id);
        assertThat(deleted.json().get("deleted_at").asLong()).isPositive();
        assertThat(admin().get(path).status()).isEqualTo(404);
        assertThat(admin().delete(path).status()).isEqualTo(404);
    }

    @Test
    void createsProductsOfAnApp() {
        String projectId = newProject();
        String appId = newApp(projectId);

        HttpResponse created = admin().post("/v2/projects/" + projectId + "/products", Map.of("store_identifier",
                "prod_Monthly", "app_id", appId, "type", "one_time", "display_name", "Lifetime"));

        assertThat(created.status()).isEqualTo(201);
        JsonNode p = created.json();
        assertThat(p.get("object").asText()).isEqualTo("product");
        assertThat(p.get("id").asText()).startsWith("prdl");
        assertThat(p.get("store_identifier").asText()).isEqualTo("prod_Monthly");
        assertThat(p.get("type").asText()).isEqualTo("one_time");
        assertThat(p.get("display_name").asText()).isEqualTo("Lifetime");
        assertThat(p.get("app_id").asText()).isEqualTo(appId);
        assertThat(p.get("created_at").asLong()).isPositive();
        assertThat(admin().get("/v2/projects/" + projectId + "/products/" + p.get("id").asText()).json()).isEqualTo(p);
    }

    @Test
    void storeIdentifiersAreUniquePerAppAndMustBeStripeProductIds() {
        String projectId = newProject();
        String app = newApp(projectId);
        String secondApp = newApp(projectId);
        newProduct(projectId, app, "prod_A");
        String path = "/v2/projects/" + projectId + "/products";

        HttpResponse duplicate = admin().post(path, Map.of("store_identifier", "prod_A", "app_id", app, "type", "subscription"));
        HttpResponse priceId = admin().post(path, Map.of("store_identifier", "price_1", "app_id", app, "type", "subscription"));
        HttpResponse sameInOtherApp = admin().post(path,
                Map.of("store_identifier", "prod_A", "app_id", secondApp, "type", "subscription"));

        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.json().get("code").asText()).isEqualTo("resource_already_exists");
        assertThat(priceId.status()).isEqualTo(400);
        assertThat(priceId.json().get("message").asText()).contains("prod_").contains("price id");
        assertThat(sameInOtherApp.status()).isEqualTo(201);
        assertThat(admin().get(path).json().get("items")).hasSize(2);
        assertThat(admin().get(path + "?app_id=" + app).json().get("items")).hasSize(1);
    }

    @Test
    void aProductNeedsAnAppOfTheSameProject() {
        String projectId = newProject();
        String foreignApp = newApp(newProject());

        HttpResponse response = admin().post("/v2/projects/" + projectId + "/products",
                Map.of("store_identifier", "prod_X", "app_id", foreignApp, "type", "subscription"));

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.json().get("message").asText()).contains(foreignApp);
        assertThat(admin().get("/v2/projects/" + projectId + "/products").json().get("items")).isEmpty();
    }

    @Test
    void attachesAndDetachesProducts() {
        String projectId = newProject();
        String appId = newApp(projectId);
        String monthly = newProduct(projectId, appId, "prod_Monthly");
        String yearly = newProduct(projectId, appId, "prod_Yearly");
        String entitlement = newEntitlement(projectId, "premium");
        String actions = "/v2/projects/" + projectId + "/entitlements/" + entitlement + "/actions/";

        HttpResponse attached = admin().post(actions + "attach_products", Map.of("product_ids", List.of(monthly, yearly)));
        HttpResponse again = admin().post(actions + "attach_products", Map.of("product_ids", List.of(monthly)));
        HttpResponse detached = admin().post(actions + "detach_products", Map.of("product_ids", List.of(monthly)));

        assertThat(attached.status()).as(attached.toString()).isEqualTo(200);
        assertThat(ids(attached.json().get("products").get("items"))).containsExactly(monthly, yearly);
        assertThat(attached.json().get("products").get("items").get(0).get("store_identifier").asText())
                .isEqualTo("prod_Monthly");
        assertThat(ids(again.json().get("products").get("items"))).containsExactly(monthly, yearly);
        assertThat(detached.status()).isEqualTo(200);
        assertThat(ids(detached.json().get("products").get("items"))).containsExactly(yearly);
        JsonNode listed = admin().get("/v2/projects/" + projectId + "/entitlements").json().get("items").get(0);
        assertThat(ids(listed.get("products").get("items"))).containsExactly(yearly);
    }

    @Test
    void attachingAnUnknownProductAttachesNothing() {
        String projectId = newProject();
        String appId = newApp(projectId);
        String known = newProduct(projectId, appId, "prod_Known");
        String otherProject = newProject();
        String otherProduct = newProduct(otherProject, newApp(otherProject), "prod_Foreign");
        String entitlement = newEntitlement(projectId, "premium");
        String path = "/v2/projects/" + projectId + "/entitlements/" + entitlement;

        HttpResponse response = admin().post(path + "/actions/attach_products",
                Map.of("product_ids", List.of(known, "prdlMissing", otherProduct)));

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.json().get("code").asText()).isEqualTo("resource_missing");
        assertThat(response.json().get("message").asText()).contains("prdlMissing").contains(otherProduct)
                .doesNotContain(known);
        assertThat(admin().get(path).json().get("products").get("items")).isEmpty();
    }

    @Test
    void deletingAProductDetachesIt() {
        String projectId = newProject();
        String appId = newApp(projectId);
        String product = newProduct(projectId, appId, "prod_Gone");
        String entitlement = newEntitlement(projectId, "premium");
        admin().post("/v2/projects/" + projectId + "/entitlements/" + entitlement + "/actions/attach_products",
                Map.of("product_ids", List.of(product)));

        HttpResponse deleted = admin().delete("/v2/projects/" + projectId + "/products/" + product);

        assertThat(deleted.status()).isEqualTo(200);
        assertThat(admin().get("/v2/projects/" + projectId + "/products/" + product).status()).isEqualTo(404);
        assertThat(admin().get("/v2/projects/" + projectId + "/entitlements/" + entitlement).json()
                .get("products").get("items")).isEmpty();
    }

    @Test
    void mapsStripeProductsToTheEntitlementsTheyUnlock() {
        String projectId = newProject();
        String appId = newApp(projectId);
        String otherApp = newApp(projectId);
        String monthly = newProduct(projectId, appId, "prod_Monthly");
        String yearly = newProduct(projectId, appId, "prod_Yearly");
        newProduct(projectId, appId, "prod_Nothing");
        String otherAppsMonthly = newProduct(projectId, otherApp, "prod_Monthly");
        String premium = newEntitlement(projectId, "premium");
        String extras = newEntitlement(projectId, "extras");
        attach(projectId, premium, monthly, yearly);
        attach(projectId, extras, yearly, otherAppsMonthly);

        Map<String, List<String>> byProduct = service().entitlementsForProducts(appId,
                List.of("prod_Monthly", "prod_Yearly", "prod_Nothing", "prod_Unknown"));

        assertThat(byProduct).containsOnlyKeys("prod_Monthly", "prod_Yearly", "prod_Nothing", "prod_Unknown");
        assertThat(byProduct.get("prod_Monthly")).containsExactly("premium");
        assertThat(byProduct.get("prod_Yearly")).containsExactly("extras", "premium");
        assertThat(byProduct.get("prod_Nothing")).isEmpty();
        assertThat(byProduct.get("prod_Unknown")).isEmpty();
        Map<StoreProduct, List<String>> acrossApps = TestServer.shared(db).substate().database().jdbi()
                .withHandle(handle -> EntitlementStore.entitlementsForProducts(handle, List.of(
                        new StoreProduct(appId, "prod_Monthly"), new StoreProduct(otherApp, "prod_Monthly"))));
        assertThat(acrossApps.get(new StoreProduct(appId, "prod_Monthly"))).containsExactly("premium");
        assertThat(acrossApps.get(new StoreProduct(otherApp, "prod_Monthly"))).containsExactly("extras");
        assertThat(service().entitlementsForProducts(appId, List.of())).isEmpty();
    }

    @Test
    void listsEntitlementsInPages() {
        String projectId = newProject();
        List<String> created = List.of(newEntitlement(projectId, "a"), newEntitlement(projectId, "b"),
                newEntitlement(projectId, "c"));

        JsonNode first = admin().get("/v2/projects/" + projectId + "/entitlements?limit=2").json();
        JsonNode second = admin().get(first.get("next_page").asText()).json();

        List<String> seen = new ArrayList<>(ids(first.get("items")));
        seen.addAll(ids(second.get("items")));
        assertThat(first.get("items")).hasSize(2);
        assertThat(second.get("next_page").isNull()).isTrue();
        assertThat(seen).containsExactlyInAnyOrderElementsOf(created);
    }

    void attach(String projectId, String entitlementId, String... productIds) {
        HttpResponse response = admin().post("/v2/projects/" + projectId + "/entitlements/" + entitlementId
                + "/actions/attach_products", Map.of("product_ids", List.of(productIds)));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
    }

    static List<String> ids(JsonNode items) {
        List<String> ids = new ArrayList<>();
        items.forEach(item -> ids.add(item.get("id").asText()));
        return ids;
    }
}
