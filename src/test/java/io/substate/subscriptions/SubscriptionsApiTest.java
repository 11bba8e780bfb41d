package io.substate.subscriptions;

import static io.substate.subscriptions.SubscriptionsWorld.LIFETIME;
import static io.substate.subscriptions.SubscriptionsWorld.MANAGEMENT_URL;
import static io.substate.subscriptions.SubscriptionsWorld.PRODUCT;
import static io.substate.subscriptions.SubscriptionsWorld.customerPath;
import static io.substate.subscriptions.SubscriptionsWorld.now;
import static io.substate.subscriptions.SubscriptionsWorld.purchasePath;
import static io.substate.subscriptions.SubscriptionsWorld.subscriptionPath;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Subscriptions and one-time purchases in RevenueCat API v2's shapes over HTTP on both databases: every field of a
 * subscription, a purchase and a transaction against the spec's schema (exactly its fields), lists and their paging,
 * search by a Stripe id, entitlements, the management URL, 404s, and who may read them.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class SubscriptionsApiTest {
    private static final long DAY = 86_400;

    @Parameter
    TestDb db;

    TestServer server() {
        return SubscriptionsWorld.server(db);
    }

    Api admin() {
        return server().admin();
    }

    @Test
    void aStripeSubscriptionIsRevenueCatsSubscriptionFieldByField() {
        StripeApp app = SubscriptionsWorld.app(admin());
        long start = now() - 2 * DAY;
        long end = start + 30 * DAY;
        SubscriptionsWorld.Sub sub = SubscriptionsWorld.subscribe(server(), app, start, end);

        JsonNode s = admin().get(subscriptionPath(app, sub.id())).json();

        assertThat(fieldNames(s)).containsExactlyInAnyOrder("object", "id", "customer_id", "original_customer_id",
                "product_id", "starts_at", "current_period_starts_at", "current_period_ends_at", "ends_at",
                "gives_access", "pending_payment", "auto_renewal_status", "status", "total_revenue_in_usd",
                "presented_offering_id", "entitlements", "environment", "store", "store_subscription_identifier",
                "ownership", "pending_changes", "country", "management_url");
        assertThat(s.get("object").asText()).isEqualTo("subscription");
        assertThat(s.get("id").asText()).isEqualTo(sub.id());
        assertThat(s.get("customer_id").asText()).isEqualTo(sub.customer());
        assertThat(s.get("original_customer_id").asText()).isEqualTo(sub.customer());
        assertThat(s.get("product_id").asText()).isEqualTo(productId(app, PRODUCT));
        assertThat(s.get("starts_at").asLong()).isEqualTo(start * 1000);
        assertThat(s.get("current_period_starts_at").asLong()).isEqualTo(start * 1000);
        assertThat(s.get("current_period_ends_at").asLong()).isEqualTo(end * 1000);
        assertThat(s.get("ends_at").asLong()).isEqualTo(end * 1000);
        assertThat(s.get("gives_access").asBoolean()).isTrue();
        assertThat(s.get("pending_payment").asBoolean()).isFalse();
        assertThat(s.get("auto_renewal_status").asText()).isEqualTo("will_renew");
        assertThat(s.get("status").asText()).isEqualTo("active");
        assertMoney(s.get("total_revenue_in_usd"), "9.99");
        assertThat(s.get("presented_offering_id").asText()).isEqualTo(SubscriptionsWorld.OFFERING);
        JsonNode entitlements = s.get("entitlements");
        assertThat(fieldNames(entitlements)).containsExactlyInAnyOrder("object", "items", "next_page", "url");
        assertThat(entitlements.get("object").asText()).isEqualTo("list");
        assertThat(entitlements.get("next_page").isNull()).isTrue();
        assertThat(entitlements.get("url").asText()).isEqualTo(subscriptionPath(app, sub.id()) + "/entitlements");
        assertThat(entitlements.get("items")).hasSize(1);
        JsonNode entitlement = entitlements.get("items").get(0);
        assertThat(fieldNames(entitlement)).containsExactlyInAnyOrder("object", "project_id", "id", "lookup_key",
                "display_name", "created_at");
        assertThat(entitlement.get("object").asText()).isEqualTo("entitlement");
        assertThat(entitlement.get("lookup_key").asText()).isEqualTo("premium");
        assertThat(entitlement.get("project_id").asText()).isEqualTo(app.projectId());
        assertThat(entitlement.get("created_at").isIntegralNumber()).isTrue();
        assertThat(s.get("environment").asText()).isEqualTo("sandbox");
        assertThat(s.get("store").asText()).isEqualTo("stripe");
        assertThat(s.get("store_subscription_identifier").asText()).isEqualTo(sub.subscription());
        assertThat(s.get("ownership").asText()).isEqualTo("purchased");
        assertThat(s.get("pending_changes").isNull()).isTrue();
        assertThat(s.get("country").asText()).isEqualTo(SubscriptionsWorld.COUNTRY);
        assertThat(s.get("management_url").asText()).isEqualTo(MANAGEMENT_URL);

        JsonNode listed = admin().get(subscriptionPath(app, sub.id()) + "/entitlements").json();
        assertThat(listed.get("items").get(0)).isEqualTo(entitlement);
        JsonNode url = admin().get(subscriptionPath(app, sub.id()) + "/authenticated_management_url").json();
        assertThat(url.get("object").asText()).isEqualTo("authenticated_management_url");
        assertThat(url.get("management_url").asText()).isEqualTo(MANAGEMENT_URL);
    }

    @Test
    void transactionsAreThePaidInvoices() {
        StripeApp app = SubscriptionsWorld.app(admin());
        long start = now() - 2 * DAY;
        SubscriptionsWorld.Sub sub = SubscriptionsWorld.subscribe(server(), app, start, start + 30 * DAY);

        JsonNode list = admin().get(subscriptionPath(app, sub.id()) + "/transactions").json();

        assertThat(fieldNames(list)).containsExactlyInAnyOrder("object", "items", "next_page", "url");
        assertThat(list.get("url").asText()).isEqualTo(subscriptionPath(app, sub.id()) + "/transactions");
        assertThat(list.get("items")).hasSize(1);
        JsonNode t = list.get("items").get(0);
        assertThat(fieldNames(t)).containsExactlyInAnyOrder("object", "id", "purchased_at",
                "product_store_identifier", "expiration_date", "effective_expiration_date",
                // Substate's additions (README):
                "revenue_in_usd", "refunded_at");
        assertThat(t.get("object").asText()).isEqualTo("subscription_transaction");
        assertThat(t.get("id").asText()).isEqualTo(sub.invoice());
        assertThat(t.get("purchased_at").asLong()).isEqualTo(start * 1000);
        assertThat(t.get("product_store_identifier").asText()).isEqualTo(PRODUCT);
        assertThat(t.get("expiration_date").asLong()).isEqualTo((start + 30 * DAY) * 1000);
        assertThat(t.get("effective_expiration_date").asLong()).isEqualTo((start + 30 * DAY) * 1000);
        assertMoney(t.get("revenue_in_usd"), "9.99");
        assertThat(t.get("refunded_at").isNull()).isTrue();
    }

    @Test
    void aOneTimeCheckoutIsRevenueCatsPurchaseFieldByField() {
        StripeApp app = SubscriptionsWorld.app(admin());
        long at = now() - 60;
        SubscriptionsWorld.OneTime once = SubscriptionsWorld.buyOnce(server(), app, at);

        JsonNode p = admin().get(purchasePath(app, once.id())).json();

        assertThat(fieldNames(p)).containsExactlyInAnyOrder("object", "id", "customer_id", "original_customer_id",
                "product_id", "purchased_at", "revenue_in_usd", "quantity", "status", "presented_offering_id",
                "entitlements", "environment", "store", "store_purchase_identifier", "ownership", "country");
        assertThat(p.get("object").asText()).isEqualTo("purchase");
        assertThat(p.get("id").asText()).isEqualTo(once.id());
        assertThat(p.get("customer_id").asText()).isEqualTo(once.customer());
        assertThat(p.get("original_customer_id").asText()).isEqualTo(once.customer());
        assertThat(p.get("product_id").asText()).isEqualTo(productId(app, LIFETIME));
        assertThat(p.get("purchased_at").asLong()).isEqualTo(at * 1000);
        assertMoney(p.get("revenue_in_usd"), "49.99");
        assertThat(p.get("quantity").asInt()).isEqualTo(1);
        assertThat(p.get("status").asText()).isEqualTo("owned");
        assertThat(p.get("presented_offering_id").asText()).isEqualTo(SubscriptionsWorld.OFFERING);
        assertThat(p.get("entitlements").get("items").get(0).get("lookup_key").asText()).isEqualTo("lifetime");
        assertThat(p.get("entitlements").get("url").asText()).isEqualTo(purchasePath(app, once.id()) + "/entitlements");
        assertThat(p.get("environment").asText()).isEqualTo("sandbox");
        assertThat(p.get("store").asText()).isEqualTo("stripe");
        assertThat(p.get("store_purchase_identifier").asText()).isEqualTo(once.session());
        assertThat(p.get("ownership").asText()).isEqualTo("purchased");
        assertThat(p.get("country").isNull()).isTrue();

        assertThat(admin().get(purchasePath(app, once.id()) + "/entitlements").json().get("items")).hasSize(1);
        assertThat(admin().get(subscriptionPath(app, once.id())).status()).as("a purchase is no subscription")
                .isEqualTo(404);
    }

    @Test
    void aCustomersListsPageAndFilterByEnvironment() {
        StripeApp app = SubscriptionsWorld.app(admin());
        long start = now() - 2 * DAY;
        SubscriptionsWorld.Sub first = SubscriptionsWorld.subscribe(server(), app, start, start + 30 * DAY);
        SubscriptionsWorld.Sub second = SubscriptionsWorld.subscribe(server(), app, first.customer(), start + 1,
                start + 31 * DAY);
        String path = customerPath(app, first.customer()) + "/subscriptions";

        JsonNode page1 = admin().get(path + "?limit=1").json();
        assertThat(fieldNames(page1)).containsExactlyInAnyOrder("object", "items", "next_page", "url");
        assertThat(page1.get("items")).hasSize(1);
        assertThat(page1.get("items").get(0).get("id").asText()).isEqualTo(first.id());
        assertThat(page1.get("url").asText()).isEqualTo(path);
        assertThat(page1.get("next_page").asText()).isEqualTo(path + "?starting_after=" + first.id() + "&limit=1");
        JsonNode page2 = admin().get(page1.get("next_page").asText()).json();
        assertThat(page2.get("items").get(0).get("id").asText()).isEqualTo(second.id());
        assertThat(page2.get("next_page").isNull()).isTrue();

        assertThat(admin().get(path + "?environment=sandbox").json().get("items")).hasSize(2);
        assertThat(admin().get(path + "?environment=sandbox&limit=1").json().get("next_page").asText())
                .isEqualTo(path + "?starting_after=" + first.id() + "&limit=1&environment=sandbox");
        assertThat(admin().get(path + "?environment=production").json().get("items")).isEmpty();
        assertThat(admin().get(path + "?environment=staging").status()).isEqualTo(400);
        assertThat(admin().get(customerPath(app, first.customer()) + "/purchases").json().get("items")).isEmpty();
        assertThat(admin().get(customerPath(app, "nobody") + "/subscriptions").status()).isEqualTo(404);
    }

    @Test
    void searchFindsASubscriptionOrPurchaseByAnyOfItsStripeIds() {
        StripeApp app = SubscriptionsWorld.app(admin());
        long start = now() - 2 * DAY;
        SubscriptionsWorld.Sub sub = SubscriptionsWorld.subscribe(server(), app, start, start + 30 * DAY);
        SubscriptionsWorld.OneTime once = SubscriptionsWorld.buyOnce(server(), app, now() - 60);
        String subscriptions = "/v2/projects/" + app.projectId() + "/subscriptions?store_subscription_identifier=";
        String purchases = "/v2/projects/" + app.projectId() + "/purchases?store_purchase_identifier=";

        for (String stripeId : List.of(sub.subscription(), sub.invoice())) {
            JsonNode found = admin().get(subscriptions + stripeId).json();
            assertThat(found.get("object").asText()).isEqualTo("list");
            assertThat(found.get("items")).as(stripeId).hasSize(1);
            assertThat(found.get("items").get(0).get("id").asText()).isEqualTo(sub.id());
        }
        assertThat(admin().get(purchases + once.paymentIntent()).json().get("items").get(0).get("id").asText())
                .isEqualTo(once.id());
        assertThat(admin().get(subscriptions + once.session()).json().get("items")).isEmpty();
        assertThat(admin().get(subscriptions + "sub_unknown").json().get("items")).isEmpty();
        assertThat(admin().get("/v2/projects/" + app.projectId() + "/subscriptions").status()).isEqualTo(400);
    }

    @Test
    void theProjectsKeysReadOnlyTheirOwnProject() {
        StripeApp app = SubscriptionsWorld.app(admin());
        StripeApp other = SubscriptionsWorld.app(admin());
        long start = now() - 2 * DAY;
        SubscriptionsWorld.Sub sub = SubscriptionsWorld.subscribe(server(), app, start, start + 30 * DAY);

        HttpResponse own = admin().withToken(app.secretKey()).get(subscriptionPath(app, sub.id()));
        HttpResponse foreign = admin().withToken(other.secretKey()).get(subscriptionPath(app, sub.id()));
        HttpResponse crossed = admin().get(subscriptionPath(other, sub.id()));

        assertThat(own.status()).as(own.toString()).isEqualTo(200);
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.json().get("type").asText()).isEqualTo("authorization_error");
        assertThat(crossed.status()).as("another project's subscription").isEqualTo(404);
        assertThat(crossed.json().get("type").asText()).isEqualTo("resource_missing");
        assertThat(admin().withToken("sk_unknown").get(subscriptionPath(app, sub.id())).status()).isEqualTo(401);
    }

    private String productId(StripeApp app, String storeIdentifier) {
        for (JsonNode product : admin().get("/v2/projects/" + app.projectId() + "/products?limit=100").json()
                .get("items")) {
            if (product.get("store_identifier").asText().equals(storeIdentifier)) {
                return product.get("id").asText();
            }
        }
        throw new AssertionError("no product " + storeIdentifier);
    }

    static void assertMoney(JsonNode money, String usd) {
        assertThat(fieldNames(money)).containsExactlyInAnyOrder("currency", "gross", "commission", "tax", "proceeds");
        assertThat(money.get("currency").asText()).isEqualTo("USD");
        assertThat(money.get("gross").isNumber()).isTrue();
        assertThat(money.get("gross").decimalValue()).isEqualByComparingTo(usd);
        assertThat(money.get("proceeds").decimalValue()).isEqualByComparingTo(usd);
        assertThat(money.get("commission").decimalValue()).isEqualByComparingTo("0");
        assertThat(money.get("tax").decimalValue()).isEqualByComparingTo("0");
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
