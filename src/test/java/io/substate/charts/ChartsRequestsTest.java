package io.substate.charts;

import static io.substate.testing.StripeEventBuilder.sign;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static io.substate.testing.StripeObjects.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.substate.testing.Api;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.ParameterizedTest;

/** Chart requests on the shared server (real time): freshness, bad input, authentication. */
@ParameterizedClass
@EnumSource(TestDb.class)
class ChartsRequestsTest {
    @Parameter
    TestDb db;

    TestServer server() {
        return TestServer.shared(db);
    }

    StripeApp app() {
        Map<String, Object> settings = new HashMap<>();
        settings.put("webhook_secret", ChartDataset.SECRET);
        settings.put("track_new_purchases", true);
        settings.put("app_user_id_detection", "stripe_customer_id");
        return io.substate.testing.Fixtures.stripeApp(server().admin(), settings);
    }

    HttpResponse get(StripeApp app, String path) {
        return server().admin().get("/v2/projects/" + app.projectId() + path);
    }

    long today(StripeApp app, String chart) {
        HttpResponse response = get(app, "/charts/" + chart);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json().get("values").get(29).get("value").decimalValue().longValue(); // one measure a day
    }

    void send(StripeApp app, boolean livemode) {
        long now = System.currentTimeMillis() / 1000;
        String payload = event(uniqueId("evt_"), "customer.subscription.created", now,
                StripeObjects.subscription(uniqueId("sub_")).customer(uniqueId("cus_")).amount(1500, "usd")
                        .period(now - 60, now + 30 * 86400).livemode(livemode).json());
        HttpResponse response = server().anonymous().postStripe(app.webhookPath(), payload,
                sign(payload, ChartDataset.SECRET));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
    }

    @Test
    void aWebhookIsVisibleInTheVeryNextChartRequest() {
        StripeApp app = app();
        assertThat(today(app, "actives")).isZero();

        send(app, true);
        assertThat(today(app, "actives")).isEqualTo(1);
        assertThat(today(app, "mrr")).isEqualTo(15);

        send(app, false); // sandbox: never in charts
        assertThat(today(app, "actives")).isEqualTo(1);
        assertThat(today(app, "customers_new")).isEqualTo(1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            /charts/nope                                                      | invalid_chart_name | actives, mrr, arr
            /charts/customers_active                                          | invalid_chart_name | does not give
            /charts/actives?resolution=hour                                   | invalid_resolution | day, week, month
            /charts/actives?aggregate=median                                  | invalid_parameter  | average
            /charts/actives?currency=EUR                                      | invalid_parameter  | USD
            /metrics/overview?currency=GBP                                    | invalid_parameter  | USD
            /charts/actives?selectors=%7B%22customer_lifetime%22%3A%227_days%22%7D | invalid_parameter | no selectors
            /charts/ltv_per_customer?selectors=%7B%22customer_lifetime%22%3A%222_days%22%7D | invalid_parameter | 7_days
            /charts/actives?filters=nojson                                    | invalid_parameter  | JSON
            /charts/actives?start_date=2026-13-01                             | invalid_date       | YYYY-MM-DD
            /charts/actives?start_date=2025-02-30                             | invalid_date       | start_date
            /charts/actives?end_date=15/03/2026                               | invalid_date       | end_date
            /charts/actives?start_date=2025-03-02&end_date=2025-03-01         | invalid_date_range | after
            /charts/actives?start_date=2020-01-01&end_date=2025-01-01         | invalid_date_range | 1098 days
            """)
    void badParametersAre400WithAStableCode(String path, String code, String hint) {
        HttpResponse response = get(app(), path.trim());

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("object").asText()).isEqualTo("error");
        assertThat(response.json().get("code").asText()).isEqualTo(code.trim());
        assertThat(response.json().get("message").asText()).contains(hint.trim().split(", "));
    }

    @Test
    void chartsNeedTheAdminTokenAndAnExistingProject() {
        StripeApp app = app();
        Api anonymous = server().anonymous();

        assertThat(anonymous.get("/v2/projects/" + app.projectId() + "/charts/actives").status()).isEqualTo(401);
        assertThat(anonymous.get("/v2/projects/" + app.projectId() + "/metrics/overview").status()).isEqualTo(401);
        HttpResponse missing = server().admin().get("/v2/projects/projNope/charts/actives");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("code").asText()).isEqualTo("resource_missing");
    }
}
