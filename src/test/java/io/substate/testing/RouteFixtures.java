package io.substate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of everything a route's path can name, made through the admin API, for the tests that walk every route the
 * server registers (admin/NulInputTest, admin/V2RouteAuthTest): a project with a Stripe app, an entitlement, a
 * product, an offering with a package, a webhook integration with one settled delivery, a customer and a spare API
 * key, and a value for each path parameter ({@link #fill}). A route with a parameter it has no value for fails the
 * walk, naming the parameter to add here.
 */
public final class RouteFixtures implements AutoCloseable {
    private static final Pattern PARAM = Pattern.compile("\\{([a-z_]+)}");

    private final WebhookReceiver receiver;
    private final Map<String, String> parameters;
    private final String secretKey;
    private final String publicKey;

    private RouteFixtures(WebhookReceiver receiver, Map<String, String> parameters, String secretKey,
            String publicKey) {
        this.receiver = receiver;
        this.parameters = parameters;
        this.secretKey = secretKey;
        this.publicKey = publicKey;
    }

    /**
     * Creates the fixtures in a new project called {@code name}, whose app checks Stripe signatures with
     * {@code webhookSecret}; ids that need no row (a purchase, an event, an import) start with {@code prefix}.
     */
    public static RouteFixtures create(Api admin, String name, String webhookSecret, String prefix) {
        WebhookReceiver receiver = WebhookReceiver.healthy();
        JsonNode project = created(admin.post("/v2/projects", Map.of("name", name)));
        String projectId = project.get("id").asText();
        String projectPath = "/v2/projects/" + projectId;
        JsonNode app = created(admin.post(projectPath + "/apps", Map.of("name", "Web", "type", "stripe",
                "stripe", Map.of("webhook_secret", webhookSecret))));
        String appId = app.get("id").asText();
        String entitlementId = created(admin.post(projectPath + "/entitlements",
                Map.of("lookup_key", "premium", "display_name", "Premium"))).get("id").asText();
        String productId = created(admin.post(projectPath + "/products", Map.of("store_identifier",
                "prod_" + prefix, "app_id", appId, "type", "subscription"))).get("id").asText();
        String offeringId = created(admin.post(projectPath + "/offerings",
                Map.of("lookup_key", "default", "display_name", "Default"))).get("id").asText();
        String packageId = created(admin.post(projectPath + "/offerings/" + offeringId + "/packages",
                Map.of("lookup_key", "$rc_monthly", "display_name", "Monthly"))).get("id").asText();
        String integrationId = created(admin.post(projectPath + "/integrations/webhooks",
                Map.of("name", "Hook", "url", receiver.url()))).get("id").asText();
        String integrationPath = projectPath + "/integrations/webhooks/" + integrationId;
        String deliveryId = created(admin.post(integrationPath + "/actions/test", Map.of())).get("id").asText();
        String keyId = created(admin.post(projectPath + "/api_keys",
                Map.of("name", "spare", "permissions", "read_only"))).get("id").asText();
        String appUserId = prefix + "-user";
        HttpResponse customer = admin.withToken(app.get("public_api_key").asText()).get("/v1/subscribers/"
                + appUserId);
        assertThat(customer.status()).as(customer.toString()).isIn(200, 201);
        // The test delivery settles now, so the delivery worker writes nothing while a test walks the routes.
        waitFor(() -> admin.get(integrationPath + "/deliveries/" + deliveryId).json().path("status").asText()
                .equals("succeeded"));

        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("project_id", projectId);
        parameters.put("app_id", appId);
        parameters.put("entitlement_id", entitlementId);
        parameters.put("entitlement_identifier", "premium");
        parameters.put("product_id", productId);
        parameters.put("offering_id", offeringId);
        parameters.put("package_id", packageId);
        parameters.put("integration_id", integrationId);
        parameters.put("delivery_id", deliveryId);
        parameters.put("app_user_id", appUserId);
        parameters.put("customer_id", appUserId);
        parameters.put("key_id", keyId);
        parameters.put("chart_name", "revenue");
        parameters.put("file", "customers.js");
        // Routes are walked to see who may call them and what they refuse, which both come before any lookup: these
        // need no row (a 404 is an answer the walks accept).
        parameters.put("purchase_id", "pur" + prefix);
        parameters.put("event_id", "evt_" + prefix);
        parameters.put("import_id", "imp" + prefix);
        parameters.put("subscription_id", "sub" + prefix);
        parameters.put("transaction_id", "txn" + prefix);
        parameters.put("invoice_id", "inv" + prefix);
        return new RouteFixtures(receiver, parameters, project.get("secret_api_key").asText(),
                app.get("public_api_key").asText());
    }

    /** The value for a path parameter, such as {@code project_id}. */
    public String get(String parameter) {
        assertThat(parameters).as("path parameter {" + parameter + "}").containsKey(parameter);
        return parameters.get(parameter);
    }

    public String projectPath() {
        return "/v2/projects/" + get("project_id");
    }

    /** The project's secret key ({@code sk_…}) as created. */
    public String secretKey() {
        return secretKey;
    }

    /** The app's public key ({@code strp_…}). */
    public String publicKey() {
        return publicKey;
    }

    /** {@code routePath} with each path parameter replaced by its value followed by {@code suffix}. */
    public String fill(String method, String routePath, String suffix) {
        Matcher m = PARAM.matcher(routePath);
        StringBuilder path = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            assertThat(parameters).as("Route " + method + " " + routePath + " has the path parameter {" + name
                    + "}: add a value for it in testing/RouteFixtures.create").containsKey(name);
            m.appendReplacement(path, Matcher.quoteReplacement(parameters.get(name) + suffix));
        }
        m.appendTail(path);
        return path.toString();
    }

    @Override
    public void close() {
        receiver.close();
    }

    private static JsonNode created(HttpResponse response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json();
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 20 s").isLessThan(deadline);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
