package io.substate.offerings;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
import io.substate.testing.HttpResponse;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Offerings, packages and placements over the admin API, in RevenueCat v2's shapes (README, "Offerings"). */
@ParameterizedClass
@EnumSource(TestDb.class)
class OfferingsApiTest {
    @Parameter
    TestDb db;

    Api admin() {
        return TestServer.shared(db).admin();
    }

    String newProject() {
        return admin().post("/v2/projects", Map.of("name", "Offerings")).json().get("id").asText();
    }

    String newApp(String projectId) {
        return admin().post("/v2/projects/" + projectId + "/apps", Map.of("name", "Web", "type", "stripe"))
                .json().get("id").asText();
    }

    String newProduct(String projectId, String appId, String storeIdentifier) {
        HttpResponse created = admin().post("/v2/projects/" + projectId + "/products",
                Map.of("store_identifier", storeIdentifier, "app_id", appId, "type", "subscription"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    String newOffering(String projectId, String lookupKey) {
        HttpResponse created = admin().post("/v2/projects/" + projectId + "/offerings",
                Map.of("lookup_key", lookupKey, "display_name", "Display " + lookupKey));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    String newPackage(String projectId, String offeringId, String lookupKey) {
        HttpResponse created = admin().post("/v2/projects/" + projectId + "/offerings/" + offeringId + "/packages",
                Map.of("lookup_key", lookupKey, "display_name", "Display " + lookupKey));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    HttpResponse attach(String projectId, String packageId, String... productIds) {
        List<Map<String, Object>> products = new ArrayList<>();
        for (String id : productIds) {
            products.add(Map.of("product_id", id, "eligibility_criteria", "all"));
        }
        return admin().post("/v2/projects/" + projectId + "/packages/" + packageId + "/actions/attach_products",
                Map.of("products", products));
    }

    @Test
    void createsOfferingsInRevenueCatsShapeAndTheFirstIsCurrent() {
        String projectId = newProject();
        Map<String, Object> body = new HashMap<>();
        body.put("lookup_key", "default");
        body.put("display_name", "The default offering");
        body.put("metadata", Map.of("cta", "Subscribe now", "colors", Map.of("accent", "blue")));

        HttpResponse created = admin().post("/v2/projects/" + projectId + "/offerings", body);
        HttpResponse second = admin().post("/v2/projects/" + projectId + "/offerings",
                Map.of("lookup_key", "sale", "display_name", "Sale"));

        assertThat(created.status()).isEqualTo(201);
        JsonNode o = created.json();
        assertThat(o.get("object").asText()).isEqualTo("offering");
        assertThat(o.get("id").asText()).startsWith("ofrng");
        assertThat(o.get("lookup_key").asText()).isEqualTo("default");
        assertThat(o.get("display_name").asText()).isEqualTo("The default offering");
        assertThat(o.get("is_current").asBoolean()).isTrue();
        assertThat(o.get("created_at").asLong()).isPositive();
        assertThat(o.get("project_id").asText()).isEqualTo(projectId);
        assertThat(o.get("metadata").get("colors").get("accent").asText()).isEqualTo("blue");
        assertThat(o.has("packages")).isFalse();
        assertThat(admin().get("/v2/projects/" + projectId + "/offerings/" + o.get("id").asText()).json()).isEqualTo(o);
        assertThat(second.status()).isEqualTo(201);
        assertThat(second.json().get("is_current").asBoolean()).isFalse();
        assertThat(second.json().get("metadata").isNull()).isTrue();
    }

    @Test
    void lookupKeysAreUniquePerProjectAndFieldsAreChecked() {
        String projectId = newProject();
        newOffering(projectId, "default");
        String path = "/v2/projects/" + projectId + "/offerings";

        HttpResponse duplicate = admin().post(path, Map.of("lookup_key", "default", "display_name", "Again"));
        HttpResponse elsewhere = admin().post("/v2/projects/" + newProject() + "/offerings",
                Map.of("lookup_key", "default", "display_name", "Fine"));
        HttpResponse spaces = admin().post(path, Map.of("lookup_key", "my offering", "display_name", "x"));
        HttpResponse tooLong = admin().post(path, Map.of("lookup_key", "k".repeat(201), "display_name", "x"));
        HttpResponse longName = admin().post(path, Map.of("lookup_key", "long", "display_name", "n".repeat(1501)));
        HttpResponse badMetadata = admin().post(path, Map.of("lookup_key", "meta", "display_name", "x",
                "metadata", List.of("not", "an", "object")));
        HttpResponse unknownField = admin().post(path, Map.of("lookup_key", "cur", "display_name", "x",
                "is_current", true));
        HttpResponse missingName = admin().post(path, Map.of("lookup_key", "nameless"));
        HttpResponse unknownProject = admin().post("/v2/projects/projNope/offerings",
                Map.of("lookup_key", "x", "display_name", "x"));

        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.json().get("code").asText()).isEqualTo("resource_already_exists");
        assertThat(duplicate.json().get("message").asText()).contains("'default'");
        assertThat(elsewhere.status()).isEqualTo(201);
        assertThat(elsewhere.json().get("is_current").asBoolean()).isTrue();
        for (HttpResponse refused : List.of(spaces, tooLong, longName, badMetadata, unknownField, missingName)) {
            assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
            assertThat(refused.json().get("code").asText()).isEqualTo("invalid_parameter");
        }
        assertThat(badMetadata.json().get("message").asText()).contains("metadata");
        assertThat(unknownProject.status()).isEqualTo(404);
        assertThat(admin().get(path).json().get("items")).hasSize(1);
    }

    @Test
    void updatesByPostAndPatchButNeverTheLookupKey() {
        String projectId = newProject();
        String id = newOffering(projectId, "default");
        String path = "/v2/projects/" + projectId + "/offerings/" + id;

        HttpResponse posted = admin().post(path, Map.of("display_name", "Renamed", "metadata", Map.of("a", 1)));
        HttpResponse patched = admin().patch(path, Map.of("display_name", "Renamed again"));
        Map<String, Object> clear = new HashMap<>();
        clear.put("metadata", null);
        HttpResponse cleared = admin().patch(path, clear);
        HttpResponse lookupKey = admin().post(path, Map.of("lookup_key", "other"));
        HttpResponse unknown = admin().post("/v2/projects/" + projectId + "/offerings/ofrngNope",
                Map.of("display_name", "x"));

        assertThat(posted.status()).isEqualTo(200);
        assertThat(posted.json().get("display_name").asText()).isEqualTo("Renamed");
        assertThat(posted.json().get("metadata").get("a").asInt()).isEqualTo(1);
        assertThat(patched.json().get("display_name").asText()).isEqualTo("Renamed again");
        assertThat(patched.json().get("metadata").get("a").asInt()).as("kept when absent").isEqualTo(1);
        assertThat(cleared.json().get("metadata").isNull()).isTrue();
        assertThat(cleared.json().get("display_name").asText()).isEqualTo("Renamed again");
        assertThat(lookupKey.status()).isEqualTo(400);
        assertThat(lookupKey.json().get("message").asText()).contains("lookup_key", "cannot be changed");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(admin().get(path).json().get("lookup_key").asText()).isEqualTo("default");
    }

    @Test
    void oneOfferingIsCurrentAndItCannotBeUnsetOrDeletedWhileOthersExist() {
        String projectId = newProject();
        String first = newOffering(projectId, "first");
        String second = newOffering(projectId, "second");
        String base = "/v2/projects/" + projectId + "/offerings/";

        HttpResponse madeCurrent = admin().post(base + second, Map.of("is_current", true));
        HttpResponse unset = admin().patch(base + second, Map.of("is_current", false));
        HttpResponse deleteCurrent = admin().delete(base + second);
        HttpResponse unsetOther = admin().patch(base + first, Map.of("is_current", false));

        assertThat(madeCurrent.status()).isEqualTo(200);
        assertThat(madeCurrent.json().get("is_current").asBoolean()).isTrue();
        assertThat(admin().get(base + first).json().get("is_current").asBoolean()).isFalse();
        assertThat(unset.status()).isEqualTo(422);
        assertThat(unset.json().get("code").asText()).isEqualTo("offering_is_current");
        assertThat(deleteCurrent.status()).isEqualTo(422);
        assertThat(deleteCurrent.json().get("code").asText()).isEqualTo("offering_is_current");
        assertThat(deleteCurrent.json().get("message").asText()).contains("make another offering current first");
        assertThat(unsetOther.status()).as("not current: nothing to unset").isEqualTo(200);

        HttpResponse deletedFirst = admin().delete(base + first);
        HttpResponse deletedLast = admin().delete(base + second);

        assertThat(deletedFirst.status()).isEqualTo(200);
        assertThat(deletedFirst.json().get("object").asText()).isEqualTo("offering");
        assertThat(deletedFirst.json().get("id").asText()).isEqualTo(first);
        assertThat(deletedFirst.json().get("deleted_at").asLong()).isPositive();
        assertThat(deletedLast.status()).as("the only offering, current or not, can go").isEqualTo(200);
        assertThat(admin().get("/v2/projects/" + projectId + "/offerings").json().get("items")).isEmpty();
        assertThat(admin().get(base + first).status()).isEqualTo(404);
        String next = newOffering(projectId, "next");
        assertThat(admin().get(base + next).json().get("is_current").asBoolean()).isTrue();
    }

    @Test
    void listsArePagedAndExpandPackagesAndProducts() {
        String projectId = newProject();
        String appId = newApp(projectId);
        String product = newProduct(projectId, appId, "prod_Monthly");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(newOffering(projectId, "offering" + i));
        }
        String monthly = newPackage(projectId, ids.get(0), "$rc_monthly");
        attach(projectId, monthly, product);
        String path = "/v2/projects/" + projectId + "/offerings";

        JsonNode first = admin().get(path + "?limit=2").json();
        JsonNode rest = admin().get(first.get("next_page").asText()).json();
        JsonNode expanded = admin().get(path + "?expand=items.package").json();
        JsonNode withProducts = admin().get(path + "?expand[]=items.package.product").json();
        JsonNode one = admin().get(path + "/" + ids.get(0) + "?expand=package.product").json();
        HttpResponse badExpand = admin().get(path + "?expand=package");

        assertThat(first.get("object").asText()).isEqualTo("list");
        assertThat(first.get("items")).extracting(i -> i.get("id").asText()).containsExactly(ids.get(0), ids.get(1));
        assertThat(first.get("url").asText()).isEqualTo(path);
        assertThat(rest.get("items")).extracting(i -> i.get("id").asText()).containsExactly(ids.get(2));
        assertThat(rest.get("next_page").isNull()).isTrue();
        JsonNode packages = expanded.get("items").get(0).get("packages");
        assertThat(packages.get("object").asText()).isEqualTo("list");
        assertThat(packages.get("url").asText()).isEqualTo(path + "/" + ids.get(0) + "/packages");
        assertThat(packages.get("items").get(0).get("lookup_key").asText()).isEqualTo("$rc_monthly");
        assertThat(packages.get("items").get(0).has("products")).isFalse();
        assertThat(expanded.get("items").get(1).get("packages").get("items")).isEmpty();
        JsonNode item = withProducts.get("items").get(0).get("packages").get("items").get(0).get("products")
                .get("items").get(0);
        assertThat(item.get("eligibility_criteria").asText()).isEqualTo("all");
        assertThat(item.get("product").get("id").asText()).isEqualTo(product);
        assertThat(item.get("product").get("store_identifier").asText()).isEqualTo("prod_Monthly");
        assertThat(one.get("packages").get("items").get(0).get("products").get("items")).hasSize(1);
        assertThat(badExpand.status()).isEqualTo(400);
        assertThat(badExpand.json().get("message").asText()).contains("items.package");
    }

    @Test
    void packagesAreCreatedInOrderUpdatedAndDeleted() {
        String projectId = newProject();
        String offering = newOffering(projectId, "default");
        String other = newOffering(projectId, "other");
        String packages = "/v2/projects/" + projectId + "/offerings/" + offering + "/packages";

        HttpResponse created = admin().post(packages, Map.of("lookup_key", "$rc_annual", "display_name", "Annual"));
        String monthly = newPackage(projectId, offering, "$rc_monthly");
        HttpResponse placed = admin().post(packages, Map.of("lookup_key", "$rc_weekly", "display_name", "Weekly",
                "position", 1));
        HttpResponse duplicate = admin().post(packages, Map.of("lookup_key", "$rc_annual", "display_name", "Again"));
        HttpResponse inOther = admin().post("/v2/projects/" + projectId + "/offerings/" + other + "/packages",
                Map.of("lookup_key", "$rc_annual", "display_name", "Annual"));
        HttpResponse zero = admin().post(packages, Map.of("lookup_key", "$rc_custom_zero", "display_name", "Zero",
                "position", 0));
        HttpResponse unknownOffering = admin().post("/v2/projects/" + projectId + "/offerings/ofrngNope/packages",
                Map.of("lookup_key", "$rc_annual", "display_name", "Annual"));

        assertThat(created.status()).isEqualTo(201);
        JsonNode p = created.json();
        assertThat(p.get("object").asText()).isEqualTo("package");
        assertThat(p.get("id").asText()).startsWith("pkge");
        assertThat(p.get("lookup_key").asText()).isEqualTo("$rc_annual");
        assertThat(p.get("display_name").asText()).isEqualTo("Annual");
        assertThat(p.get("position").asInt()).as("after the last, which is none").isEqualTo(1);
        assertThat(p.get("created_at").asLong()).isPositive();
        assertThat(admin().get("/v2/projects/" + projectId + "/packages/" + monthly).json().get("position").asInt())
                .isEqualTo(2);
        assertThat(placed.json().get("position").asInt()).isEqualTo(1);
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.json().get("message").asText()).contains("'$rc_annual'");
        assertThat(inOther.status()).isEqualTo(201);
        assertThat(zero.status()).isEqualTo(400);
        assertThat(unknownOffering.status()).isEqualTo(404);
        // Position order, then creation.
        assertThat(admin().get(packages).json().get("items")).extracting(i -> i.get("lookup_key").asText())
                .containsExactly("$rc_annual", "$rc_weekly", "$rc_monthly");
        JsonNode paged = admin().get(packages + "?limit=2").json();
        assertThat(admin().get(paged.get("next_page").asText()).json().get("items"))
                .extracting(i -> i.get("lookup_key").asText()).containsExactly("$rc_monthly");

        String one = "/v2/projects/" + projectId + "/packages/" + monthly;
        HttpResponse moved = admin().post(one, Map.of("position", 1, "display_name", "Monthly"));
        HttpResponse patched = admin().patch(one, Map.of("display_name", "Every month"));
        HttpResponse lookupKey = admin().patch(one, Map.of("lookup_key", "$rc_annual"));
        Map<String, Object> nullPosition = new HashMap<>();
        nullPosition.put("position", null);
        HttpResponse noPosition = admin().patch(one, nullPosition);
        HttpResponse otherProject = admin().get("/v2/projects/" + newProject() + "/packages/" + monthly);

        assertThat(moved.status()).isEqualTo(200);
        assertThat(moved.json().get("position").asInt()).isEqualTo(1);
        assertThat(patched.json().get("display_name").asText()).isEqualTo("Every month");
        assertThat(patched.json().get("position").asInt()).isEqualTo(1);
        assertThat(lookupKey.status()).isEqualTo(400);
        assertThat(noPosition.status()).isEqualTo(400);
        assertThat(otherProject.status()).isEqualTo(404);

        HttpResponse deleted = admin().delete(one);
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("object").asText()).isEqualTo("package");
        assertThat(deleted.json().get("id").asText()).isEqualTo(monthly);
        assertThat(admin().get(one).status()).isEqualTo(404);
        assertThat(admin().get(packages).json().get("items")).hasSize(2);
    }

    @Test
    void attachesAndDetachesProductsAllOrNothingOnePerApp() {
        String projectId = newProject();
        String web = newApp(projectId);
        String other = newApp(projectId);
        String monthlyWeb = newProduct(projectId, web, "prod_MonthlyWeb");
        String annualWeb = newProduct(projectId, web, "prod_AnnualWeb");
        String monthlyOther = newProduct(projectId, other, "prod_MonthlyOther");
        String foreignProject = newProject();
        String foreign = newProduct(foreignProject, newApp(foreignProject), "prod_Unused");
        String offering = newOffering(projectId, "default");
        String pkg = newPackage(projectId, offering, "$rc_monthly");
        String base = "/v2/projects/" + projectId + "/packages/" + pkg;

        HttpResponse attached = attach(projectId, pkg, monthlyWeb, monthlyOther);
        HttpResponse again = attach(projectId, pkg, monthlyWeb);
        HttpResponse secondOfApp = attach(projectId, pkg, annualWeb);
        HttpResponse unknown = attach(projectId, pkg, "prdlNope");
        HttpResponse google = admin().post(base + "/actions/attach_products", Map.of("products",
                List.of(Map.of("product_id", annualWeb, "eligibility_criteria", "google_sdk_ge_6"))));
        HttpResponse empty = admin().post(base + "/actions/attach_products", Map.of("products", List.of()));
        List<Map<String, Object>> many = new ArrayList<>();
        for (int i = 0; i < 51; i++) {
            many.add(Map.of("product_id", monthlyWeb, "eligibility_criteria", "all"));
        }
        HttpResponse tooMany = admin().post(base + "/actions/attach_products", Map.of("products", many));
        HttpResponse withoutCriteria = admin().post(base + "/actions/attach_products",
                Map.of("products", List.of(Map.of("product_id", monthlyWeb))));

        assertThat(attached.status()).isEqualTo(200);
        JsonNode p = attached.json();
        assertThat(p.get("object").asText()).isEqualTo("package");
        assertThat(p.get("products").get("items")).extracting(i -> i.get("product").get("id").asText())
                .containsExactly(monthlyWeb, monthlyOther);
        assertThat(p.get("products").get("url").asText()).isEqualTo(base + "/products");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("products").get("items")).hasSize(2);
        assertThat(secondOfApp.status()).isEqualTo(409);
        assertThat(secondOfApp.json().get("message").asText()).contains("one product per app", monthlyWeb);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("message").asText()).contains("'prdlNope'", "nothing was changed");
        assertThat(google.status()).isEqualTo(400);
        assertThat(empty.status()).isEqualTo(400);
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(withoutCriteria.status()).as("'all' by default").isEqualTo(200);
        HttpResponse foreignAttach = attach(projectId, pkg, foreign);
        assertThat(foreignAttach.status()).as("a product of another project is unknown here").isEqualTo(404);

        JsonNode products = admin().get(base + "/products").json();
        assertThat(products.get("object").asText()).isEqualTo("list");
        assertThat(products.get("items")).hasSize(2);
        assertThat(products.get("items").get(0).get("eligibility_criteria").asText()).isEqualTo("all");
        JsonNode firstPage = admin().get(base + "/products?limit=1").json();
        assertThat(admin().get(firstPage.get("next_page").asText()).json().get("items"))
                .extracting(i -> i.get("product").get("id").asText()).containsExactly(monthlyOther);

        HttpResponse detachUnknown = admin().post(base + "/actions/detach_products",
                Map.of("product_ids", List.of(monthlyWeb, "prdlNope")));
        HttpResponse detached = admin().post(base + "/actions/detach_products",
                Map.of("product_ids", List.of(monthlyWeb, annualWeb)));
        assertThat(detachUnknown.status()).isEqualTo(404);
        assertThat(detached.status()).isEqualTo(200);
        assertThat(detached.json().get("products").get("items")).extracting(i -> i.get("product").get("id").asText())
                .containsExactly(monthlyOther);
        assertThat(attach(projectId, pkg, annualWeb).status()).as("the app's slot is free again").isEqualTo(200);

        // A deleted product leaves every package it was in, as it leaves every entitlement.
        assertThat(admin().delete("/v2/projects/" + projectId + "/products/" + monthlyOther).status()).isEqualTo(200);
        assertThat(admin().get(base + "?expand=product").json().get("products").get("items"))
                .extracting(i -> i.get("product").get("id").asText()).containsExactly(annualWeb);
    }

    @Test
    void deletingAnOfferingTakesItsPackagesUnlessAPlacementNamesIt() {
        String projectId = newProject();
        String appId = newApp(projectId);
        String product = newProduct(projectId, appId, "prod_Monthly");
        String current = newOffering(projectId, "default");
        String sale = newOffering(projectId, "sale");
        String pkg = newPackage(projectId, sale, "$rc_monthly");
        attach(projectId, pkg, product);
        String placements = "/v2/projects/" + projectId + "/placements";
        assertThat(admin().post(placements, Map.of("offering_ids_by_placement", Map.of("onboarding", sale))).status())
                .isEqualTo(200);

        HttpResponse inUse = admin().delete("/v2/projects/" + projectId + "/offerings/" + sale);
        assertThat(inUse.status()).isEqualTo(422);
        assertThat(inUse.json().get("code").asText()).isEqualTo("offering_in_use");
        assertThat(inUse.json().get("message").asText()).contains("onboarding");

        assertThat(admin().post(placements, Map.of("fallback_offering_id", sale,
                "offering_ids_by_placement", Map.of())).status()).isEqualTo(200);
        assertThat(admin().delete("/v2/projects/" + projectId + "/offerings/" + sale).json().get("message").asText())
                .contains("(fallback)");

        Map<String, Object> none = new HashMap<>();
        none.put("fallback_offering_id", null);
        assertThat(admin().patch(placements, none).status()).isEqualTo(200);
        HttpResponse deleted = admin().delete("/v2/projects/" + projectId + "/offerings/" + sale);
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
        assertThat(admin().get("/v2/projects/" + projectId + "/packages/" + pkg).status()).isEqualTo(404);
        assertThat(admin().get("/v2/projects/" + projectId + "/products/" + product).status())
                .as("the product itself stays").isEqualTo(200);
        assertThat(admin().get("/v2/projects/" + projectId + "/offerings/" + current).status()).isEqualTo(200);
    }

    @Test
    void placementsMapPlacementsToOfferingsWithAFallback() {
        String projectId = newProject();
        String current = newOffering(projectId, "default");
        String other = newOffering(projectId, "other");
        String path = "/v2/projects/" + projectId + "/placements";

        JsonNode empty = admin().get(path).json();
        Map<String, Object> byPlacement = new HashMap<>();
        byPlacement.put("onboarding", other);
        byPlacement.put("settings", null);
        HttpResponse set = admin().post(path, Map.of("fallback_offering_id", current,
                "offering_ids_by_placement", byPlacement));
        HttpResponse keepMap = admin().patch(path, Map.of("fallback_offering_id", other));
        HttpResponse unknownOffering = admin().post(path, Map.of("offering_ids_by_placement",
                Map.of("paywall", "ofrngNope")));
        HttpResponse otherProjectsOffering = admin().post(path, Map.of("fallback_offering_id",
                newOffering(newProject(), "elsewhere")));
        HttpResponse badPlacement = admin().post(path, Map.of("offering_ids_by_placement",
                Map.of("two words", current)));
        HttpResponse badValue = admin().post(path, Map.of("offering_ids_by_placement", Map.of("x", 3)));
        HttpResponse unknownField = admin().post(path, Map.of("placements", Map.of()));

        assertThat(empty.get("object").asText()).isEqualTo("placements");
        assertThat(empty.get("fallback_offering_id").isNull()).isTrue();
        assertThat(empty.get("offering_ids_by_placement").isEmpty()).isTrue();
        assertThat(set.status()).isEqualTo(200);
        assertThat(set.json().get("fallback_offering_id").asText()).isEqualTo(current);
        assertThat(set.json().get("offering_ids_by_placement").get("onboarding").asText()).isEqualTo(other);
        assertThat(set.json().get("offering_ids_by_placement").get("settings").isNull()).isTrue();
        assertThat(keepMap.json().get("fallback_offering_id").asText()).isEqualTo(other);
        assertThat(keepMap.json().get("offering_ids_by_placement").size()).isEqualTo(2);
        assertThat(unknownOffering.status()).isEqualTo(404);
        assertThat(unknownOffering.json().get("message").asText()).contains("'ofrngNope'", "nothing was changed");
        assertThat(otherProjectsOffering.status()).isEqualTo(404);
        assertThat(badPlacement.status()).isEqualTo(400);
        assertThat(badValue.status()).isEqualTo(400);
        assertThat(unknownField.status()).isEqualTo(400);
        assertThat(admin().get(path).json()).isEqualTo(keepMap.json());

        HttpResponse replaced = admin().post(path, Map.of("offering_ids_by_placement", Map.of("paywall", current)));
        assertThat(replaced.json().get("offering_ids_by_placement").size()).as("the map is replaced whole")
                .isEqualTo(1);
        assertThat(replaced.json().get("fallback_offering_id").asText()).isEqualTo(other);
    }

    @Test
    void everyRouteNeedsTheAdminToken() {
        String projectId = newProject();
        String offering = newOffering(projectId, "default");
        String pkg = newPackage(projectId, offering, "$rc_monthly");
        Api anonymous = TestServer.shared(db).anonymous();

        for (String path : List.of("/v2/projects/" + projectId + "/offerings",
                "/v2/projects/" + projectId + "/offerings/" + offering,
                "/v2/projects/" + projectId + "/offerings/" + offering + "/packages",
                "/v2/projects/" + projectId + "/packages/" + pkg,
                "/v2/projects/" + projectId + "/packages/" + pkg + "/products",
                "/v2/projects/" + projectId + "/placements")) {
            HttpResponse response = anonymous.get(path);
            assertThat(response.status()).as(path).isEqualTo(401);
            assertThat(response.json().get("code").asText()).isEqualTo("unauthorized");
        }
        assertThat(anonymous.delete("/v2/projects/" + projectId + "/offerings/" + offering).status()).isEqualTo(401);
        assertThat(admin().get("/v2/projects/" + projectId + "/offerings/" + offering).status()).isEqualTo(200);
    }
}
