package io.substate.customers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
import io.substate.testing.HttpResponse;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * bench/growth.sh's seed ({@link GrowthSeed}) makes customers the server reads as it reads its own: every copy of a
 * template answers GET /v1/subscribers, by its Stripe customer id and by its aliased anonymous id, with its template's
 * subscription and entitlement under its own ids.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class GrowthSeedTest {
    @Parameter
    TestDb db;

    @Test
    void copiesAreCustomersOfTheirOwn() throws Exception {
        try (TestServer server = TestServer.start(db, Map.of())) {
            GrowthSeed.Seeded seeded = GrowthSeed.seed(server, 12);
            assertThat(seeded.customers()).isEqualTo(12);
            assertThat(seeded.copies()).isEqualTo(2);
            Api sdk = server.anonymous().withToken(seeded.app().publicKey());
            for (int k = 0; k < 4; k++) {
                for (String copy : new String[] {"", "g1", "g2"}) {
                    String id = "cus_growthT" + k + copy;
                    JsonNode subscriber = read(sdk, id);
                    assertThat(subscriber.path("original_app_user_id").asText()).isEqualTo(id);
                    JsonNode subscription = subscriber.path("subscriptions").path("prod_growth");
                    // The transaction of the subscription's latest invoice, the copy's own.
                    assertThat(subscription.path("store_transaction_id").asText()).startsWith("in_growthT" + k + copy
                            + "_");
                    // T2's subscription ended, so its entitlement is listed with a past expiry; the others' are active.
                    String expires = subscriber.path("entitlements").path("premium").path("expires_date").asText();
                    assertThat(java.time.Instant.parse(expires).isAfter(java.time.Instant.now())).isEqualTo(k != 2);
                    assertThat(subscription.path("unsubscribe_detected_at").isNull()).isEqualTo(k == 0 || k == 3);
                    JsonNode byAlias = read(sdk, "$RCAnonymousID:growthT" + k + copy);
                    assertThat(byAlias.path("original_app_user_id").asText()).isEqualTo(id);
                    assertThat(byAlias.path("subscriber_attributes").isMissingNode()).isTrue();
                }
            }
        }
    }

    private static JsonNode read(Api sdk, String appUserId) {
        HttpResponse response = sdk.get("/v1/subscribers/" + URLEncoder.encode(appUserId, StandardCharsets.UTF_8));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json().path("subscriber");
    }
}
