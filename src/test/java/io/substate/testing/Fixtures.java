package io.substate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Creates projects, apps and products through the admin API, as a user would. */
public final class Fixtures {
    private Fixtures() {}

    public record StripeApp(String projectId, String appId, String publicKey, String secretKey, String webhookSecret,
            String webhookPath) {}

    /** A new project with one Stripe app; {@code stripe} holds the app's Stripe settings. */
    public static StripeApp stripeApp(Api admin, Map<String, Object> stripe) {
        HttpResponse project = admin.post("/v2/projects", Map.of("name", "Project " + StripeEventBuilder.uniqueId("")));
        if (project.status() != 201) {
            throw new IllegalStateException("project not created: " + project);
        }
        String projectId = project.json().get("id").asText();
        Map<String, Object> settings = new HashMap<>(stripe);
        HttpResponse app = admin.post("/v2/projects/" + projectId + "/apps",
                Map.of("name", "Web", "type", "stripe", "stripe", settings));
        if (app.status() != 201) {
            throw new IllegalStateException("app not created: " + app);
        }
        JsonNode a = app.json();
        return new StripeApp(projectId, a.get("id").asText(), a.get("public_api_key").asText(),
                project.json().get("secret_api_key").asText(), (String) stripe.get("webhook_secret"),
                "/v1/incoming-webhooks/stripe/" + a.get("id").asText());
    }

    /** An entitlement unlocked by a Stripe product of the app. */
    public static void entitlement(Api admin, StripeApp app, String lookupKey, String stripeProductId, String type) {
        entitlements(admin, app, List.of(lookupKey), stripeProductId, type);
    }

    /** A Stripe product of the app that unlocks several entitlements, created in the given order. */
    public static void entitlements(Api admin, StripeApp app, List<String> lookupKeys, String stripeProductId,
            String type) {
        HttpResponse product = admin.post("/v2/projects/" + app.projectId() + "/products",
                Map.of("store_identifier", stripeProductId, "app_id", app.appId(), "type", type));
        for (String lookupKey : lookupKeys) {
            HttpResponse entitlement = admin.post("/v2/projects/" + app.projectId() + "/entitlements",
                    Map.of("lookup_key", lookupKey, "display_name", lookupKey));
            HttpResponse attached = admin.post("/v2/projects/" + app.projectId() + "/entitlements/"
                            + entitlement.json().get("id").asText() + "/actions/attach_products",
                    Map.of("product_ids", List.of(product.json().get("id").asText())));
            if (attached.status() != 200) {
                throw new IllegalStateException("entitlement setup failed: " + entitlement + " " + product + " "
                        + attached);
            }
        }
    }

    /** A customer's path under /v2: App User IDs may hold '$' and ':'. */
    public static String customerPath(String projectId, String appUserId) {
        return "/v2/projects/" + projectId + "/customers/"
                + java.net.URLEncoder.encode(appUserId, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The operator's profile of a customer (purchases, granted entitlements, history): a Substate extension. */
    public static JsonNode profile(Api admin, String projectId, String appUserId) {
        HttpResponse response = admin.get(customerPath(projectId, appUserId) + "/profile");
        if (response.status() != 200) {
            throw new IllegalStateException("no profile: " + response);
        }
        return response.json();
    }

    /** The lookup keys of the entitlements active for a customer (RevenueCat v2 names them by entitlement id). */
    public static List<String> activeEntitlementKeys(Api admin, String projectId, String appUserId) {
        HttpResponse customer = admin.get(customerPath(projectId, appUserId));
        if (customer.status() != 200) {
            throw new IllegalStateException("no customer: " + customer);
        }
        Map<String, String> keys = new HashMap<>();
        admin.get("/v2/projects/" + projectId + "/entitlements?limit=100").json().get("items")
                .forEach(e -> keys.put(e.get("id").asText(), e.get("lookup_key").asText()));
        List<String> active = new java.util.ArrayList<>();
        customer.json().get("active_entitlements").get("items")
                .forEach(e -> active.add(keys.get(e.get("entitlement_id").asText())));
        return active;
    }

    /** Every App User ID of a customer, the original first. */
    public static List<String> aliases(Api admin, String projectId, String appUserId) {
        List<String> aliases = new java.util.ArrayList<>();
        admin.get(customerPath(projectId, appUserId) + "/aliases?limit=100").json().get("items")
                .forEach(a -> aliases.add(a.get("id").asText()));
        return aliases;
    }
}
