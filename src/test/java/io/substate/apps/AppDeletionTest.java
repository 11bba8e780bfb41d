package io.substate.apps;

import static io.substate.testing.StripeEventBuilder.sign;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
import io.substate.testing.Fixtures;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code DELETE /v2/projects/{project_id}/apps/{app_id}}: the app goes with its products (and their attachments),
 * purchases (and their chart facts), Stripe event log and the integrations limited to it; the project's customers,
 * outgoing events, entitlements, packages, other apps and other integrations stay. Its webhook endpoint answers 404.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class AppDeletionTest {
    static final String SECRET = "whsec_deletion";

    @Parameter
    TestDb db;

    Api admin() {
        return TestServer.shared(db).admin();
    }

    long count(String sql, Object... args) {
        return TestServer.shared(db).substate().database().jdbi().withHandle(h -> {
            var query = h.createQuery(sql);
            for (int i = 0; i < args.length; i++) {
                query.bind(i, args[i]);
            }
            return query.mapTo(Long.class).one();
        });
    }

    String id(HttpResponse response) {
        assertThat(response.status()).as(response.toString()).isIn(200, 201);
        return response.json().get("id").asText();
    }

    String subscriptionCreated() {
        long now = System.currentTimeMillis() / 1000;
        return StripeObjects.event(uniqueId("evt_"), "customer.subscription.created", now,
                StripeObjects.subscription(uniqueId("sub_")).customer(uniqueId("cus_")).status("active")
                        .price("price_Basic", "prod_Basic").period(now - 60, now + 30 * 86400).json());
    }

    @Test
    void anotherInstanceStillHoldingTheDeletedAppAnswers404NotAFailure() {
        StripeApp app = Fixtures.stripeApp(admin(), Map.of("webhook_secret", SECRET, "track_new_purchases", true,
                "app_user_id_detection", "stripe_customer_id"));
        try (TestServer other = TestServer.shared(db).startAnotherInstance()) {
            Api stripe = other.anonymous();
            String first = subscriptionCreated();
            // The other instance reads the app here and reuses it for a moment (AppService.WEBHOOK_APP_REUSE).
            assertThat(stripe.postStripe(app.webhookPath(), first, sign(first, SECRET)).json().path("outcome").asText())
                    .isEqualTo("processed");
            String late = subscriptionCreated();
            String signature = sign(late, SECRET);

            assertThat(admin().delete("/v2/projects/" + app.projectId() + "/apps/" + app.appId()).status())
                    .isEqualTo(200);
            HttpResponse response = stripe.postStripe(app.webhookPath(), late, signature);

            assertThat(response.status()).as(response.toString()).isEqualTo(404);
            assertThat(response.json().get("code").asText()).isEqualTo("resource_missing");
            assertThat(count("SELECT COUNT(*) FROM purchases WHERE app_id = ?", app.appId())).isZero();
        }
    }

    @Test
    void deletesTheAppAndWhatWasRecordedThroughItAndKeepsTheProjectsData() {
        StripeApp app = Fixtures.stripeApp(admin(), Map.of("webhook_secret", SECRET, "track_new_purchases", true,
                "app_user_id_detection", "stripe_customer_id"));
        String p = "/v2/projects/" + app.projectId();
        String otherApp = id(admin().post(p + "/apps", Map.of("name", "Other", "type", "stripe")));
        String product = id(admin().post(p + "/products", Map.of("store_identifier", "prod_Basic",
                "app_id", app.appId(), "type", "subscription")));
        String otherProduct = id(admin().post(p + "/products", Map.of("store_identifier", "prod_Basic",
                "app_id", otherApp, "type", "subscription")));
        String entitlement = id(admin().post(p + "/entitlements", Map.of("lookup_key", "premium",
                "display_name", "Premium")));
        assertThat(admin().post(p + "/entitlements/" + entitlement + "/actions/attach_products",
                Map.of("product_ids", List.of(product, otherProduct))).status()).isEqualTo(200);
        String offering = id(admin().post(p + "/offerings", Map.of("lookup_key", "default", "display_name", "Default")));
        String pkg = id(admin().post(p + "/offerings/" + offering + "/packages",
                Map.of("lookup_key", "$rc_monthly", "display_name", "Monthly")));
        assertThat(admin().post(p + "/packages/" + pkg + "/actions/attach_products", Map.of("products",
                List.of(Map.of("product_id", product, "eligibility_criteria", "all"),
                        Map.of("product_id", otherProduct, "eligibility_criteria", "all")))).status()).isEqualTo(200);
        String limited = id(admin().post(p + "/integrations/webhooks", Map.of("name", "Only this app",
                "url", "https://hooks.example.com/a", "app_id", app.appId())));
        String everyApp = id(admin().post(p + "/integrations/webhooks", Map.of("name", "Every app",
                "url", "https://hooks.example.com/b")));
        String subscription = uniqueId("sub_");
        String customer = uniqueId("cus_");
        long now = System.currentTimeMillis() / 1000;
        String payload = StripeObjects.event(uniqueId("evt_"), "customer.subscription.created", now,
                StripeObjects.subscription(subscription).customer(customer).status("active")
                        .price("price_Basic", "prod_Basic").period(now - 60, now + 30 * 86400).json());
        HttpResponse received = admin().withToken(null).postStripe(app.webhookPath(), payload, sign(payload, SECRET));
        assertThat(received.json().path("outcome").asText()).as(received.toString()).isEqualTo("processed");
        assertThat(count("SELECT COUNT(*) FROM purchases WHERE app_id = ?", app.appId())).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM subscription_spans WHERE project_id = ?", app.projectId())).isPositive();
        assertThat(count("SELECT COUNT(*) FROM stripe_events WHERE app_id = ?", app.appId())).isPositive();
        assertThat(count("SELECT COUNT(*) FROM package_products WHERE product_id = ?", product)).isEqualTo(1);
        long outgoingEvents = count("SELECT COUNT(*) FROM outgoing_events WHERE project_id = ?", app.projectId());
        assertThat(outgoingEvents).isPositive();

        long before = System.currentTimeMillis();
        HttpResponse deleted = admin().delete(p + "/apps/" + app.appId());

        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
        JsonNode body = deleted.json();
        assertThat(body.size()).isEqualTo(3);
        assertThat(body.get("object").asText()).isEqualTo("app");
        assertThat(body.get("id").asText()).isEqualTo(app.appId());
        assertThat(body.get("deleted_at").asLong()).isBetween(before, System.currentTimeMillis());

        // Gone: the app, its products and their attachments, purchases with their facts, events, its integration.
        assertThat(admin().get(p + "/apps/" + app.appId()).status()).isEqualTo(404);
        assertThat(count("SELECT COUNT(*) FROM apps WHERE id = ?", app.appId())).isZero();
        assertThat(count("SELECT COUNT(*) FROM products WHERE app_id = ?", app.appId())).isZero();
        assertThat(count("SELECT COUNT(*) FROM entitlement_products WHERE product_id = ?", product)).isZero();
        assertThat(count("SELECT COUNT(*) FROM package_products WHERE product_id = ?", product)).isZero();
        assertThat(count("SELECT COUNT(*) FROM purchases WHERE app_id = ?", app.appId())).isZero();
        assertThat(count("SELECT COUNT(*) FROM subscription_spans WHERE project_id = ?", app.projectId())).isZero();
        assertThat(count("SELECT COUNT(*) FROM stripe_object_refs WHERE app_id = ?", app.appId())).isZero();
        assertThat(count("SELECT COUNT(*) FROM stripe_events WHERE app_id = ?", app.appId())).isZero();
        assertThat(admin().get(p + "/integrations/webhooks/" + limited).status()).isEqualTo(404);
        // Kept: the project's customers, events already written, entitlements, packages, other apps and integrations.
        assertThat(count("SELECT COUNT(*) FROM customer_aliases WHERE project_id = ? AND app_user_id = ?",
                app.projectId(), customer)).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM outgoing_events WHERE project_id = ?", app.projectId()))
                .isEqualTo(outgoingEvents);
        assertThat(admin().get(p + "/integrations/webhooks/" + everyApp).status()).isEqualTo(200);
        assertThat(admin().get(p + "/apps/" + otherApp).status()).isEqualTo(200);
        assertThat(admin().get(p + "/entitlements/" + entitlement).json().get("products").get("items"))
                .extracting(item -> item.get("id").asText()).containsExactly(otherProduct);
        assertThat(admin().get(p + "/packages/" + pkg + "/products").json().get("items"))
                .extracting(item -> item.path("product").path("id").asText(item.path("product_id").asText()))
                .containsExactly(otherProduct);

        // Stripe still sending to the deleted app's endpoint is told, with a 4xx, that it is gone.
        HttpResponse late = admin().withToken(null).postStripe(app.webhookPath(), payload, sign(payload, SECRET));
        assertThat(late.status()).as(late.toString()).isEqualTo(404);
        assertThat(late.json().get("code").asText()).isEqualTo("resource_missing");
        HttpResponse again = admin().delete(p + "/apps/" + app.appId());
        assertThat(again.status()).as(again.toString()).isEqualTo(404);
        assertThat(again.json().get("code").asText()).isEqualTo("resource_missing");
    }
}
