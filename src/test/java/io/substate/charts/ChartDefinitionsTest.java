package io.substate.charts;

import static io.substate.charts.ChartsApiTest.expected;
import static io.substate.charts.ChartsApiTest.incomplete;
import static io.substate.charts.ChartsApiTest.number;
import static io.substate.charts.ChartsApiTest.series;
import static io.substate.charts.ChartsApiTest.spikes;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Fixtures;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeEventBuilder;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The charts added to the first eight (movements, new, ARR, status, conversion to paying, realized LTV) over HTTP
 * against {@link ChartDataset}, with expectations computed by hand from its table. Months: January, February and
 * March up to now (Mar 15 12:00, the current period).
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class ChartDefinitionsTest {
    private static final String MONTHLY = "start_date=2026-01-01&end_date=2026-03-15&resolution=month";
    private static final List<String> MONTHS = List.of("2026-01-01", "2026-02-01", "2026-03-01");

    @Parameter
    TestDb db;

    ChartDataset data() {
        return ChartDataset.shared(db);
    }

    JsonNode chart(String projectId, String name, String query) {
        HttpResponse response = data().server.admin().get("/v2/projects/" + projectId + "/charts/" + name + "?"
                + query);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    JsonNode chart(String name, String query) {
        return chart(data().app.projectId(), name, query);
    }

    JsonNode returns(String name, String query) {
        return chart(data().returns.projectId(), name, query);
    }

    static String selector(String id, String value) {
        return "&selectors=" + URLEncoder.encode("{\"" + id + "\":\"" + value + "\"}", StandardCharsets.UTF_8);
    }

    @Test
    void arrIsTwelveTimesMrr() {
        // MRR 72.5, 82.5, 82.5 (ChartsApiTest).
        JsonNode arr = chart("arr", MONTHLY);
        assertThat(series(arr)).isEqualTo(expected(MONTHS, 870, 990, 990));
        assertThat(arr.get("yaxis").asText()).isEqualTo("$");
        assertThat(number(arr.get("summary").get("total").get("ARR"))).isEqualTo("990");
    }

    @Test
    void newPaidSubscriptionsAreFirstPaidPeriodsSplitIntoTrialConversionsAndDirect() {
        // January: A, E, J, B; February: C (its trial's conversion, Feb 8) and F. D and I never paid.
        JsonNode monthly = chart("actives_new", MONTHLY);
        assertThat(series(monthly)).isEqualTo(expected(MONTHS, 4, 2, 0));
        assertThat(series(monthly, "from_trial")).isEqualTo(expected(MONTHS, 0, 1, 0));
        assertThat(series(monthly, "direct")).isEqualTo(expected(MONTHS, 4, 1, 0));
        assertThat(series(chart("actives_new", "start_date=2026-02-01&end_date=2026-02-28")))
                .isEqualTo(spikes("2026-02-01", "2026-02-28", "2026-02-08", 1, "2026-02-20", 1));
        // In the resubscriptions project, K2, L2, M2, Q2 and R2 are their subscriptions' first paid periods too.
        assertThat(series(returns("actives_new", MONTHLY))).isEqualTo(expected(MONTHS, 7, 4, 1));
    }

    @Test
    void newTrialsAreTrialStarts() {
        assertThat(series(chart("trials_new", MONTHLY))).isEqualTo(expected(MONTHS, 0, 2, 1));
        assertThat(series(returns("trials_new", MONTHLY))).isEqualTo(expected(MONTHS, 0, 1, 0));
    }

    @Test
    void activesMovementAddsUpToTheChangeInActives() {
        // Actives 0 → 4 (Jan) → 4 (Feb) → 4 (now): E expires Feb 10 and F is revoked Feb 25.
        JsonNode monthly = chart("actives_movement", MONTHLY);
        assertThat(series(monthly)).isEqualTo(expected(MONTHS, 4, 0, 0));
        assertThat(series(monthly, "new_actives")).isEqualTo(expected(MONTHS, 4, 2, 0));
        assertThat(series(monthly, "resubscription_actives")).isEqualTo(expected(MONTHS, 0, 0, 0));
        assertThat(series(monthly, "churned_actives")).isEqualTo(expected(MONTHS, 0, -2, 0));
        // Resubscriptions as churn counts them: K2, M2 (merged) and Q2 (transferred) in February, L2 in March; R2's
        // owner was deleted, so it is new. Actives 0 → 7 → 5 → 6 (now).
        JsonNode returns = returns("actives_movement", MONTHLY);
        assertThat(series(returns, "new_actives")).isEqualTo(expected(MONTHS, 7, 1, 0));
        assertThat(series(returns, "resubscription_actives")).isEqualTo(expected(MONTHS, 0, 3, 1));
        assertThat(series(returns, "churned_actives")).isEqualTo(expected(MONTHS, 0, -6, 0));
        assertThat(series(returns)).isEqualTo(expected(MONTHS, 7, -2, 1));
        assertThat(returns.get("summary").get("total").get("Net Movement").asLong()).isEqualTo(6);
        assertThat(series(returns("actives", MONTHLY))).isEqualTo(expected(MONTHS, 7, 5, 6));
    }

    @Test
    void trialsMovementAddsUpToTheChangeInActiveTrials() {
        // C converts Feb 8, D expires Feb 17 unconverted, I (Mar 12) is still running.
        JsonNode monthly = chart("trials_movement", MONTHLY);
        assertThat(series(monthly, "new_trials")).isEqualTo(expected(MONTHS, 0, 2, 1));
        assertThat(series(monthly, "converted_trials")).isEqualTo(expected(MONTHS, 0, -1, 0));
        assertThat(series(monthly, "expired_trials")).isEqualTo(expected(MONTHS, 0, -1, 0));
        assertThat(series(monthly)).isEqualTo(expected(MONTHS, 0, 0, 1));
        assertThat(series(chart("trials", MONTHLY))).isEqualTo(expected(MONTHS, 0, 0, 1));
    }

    @Test
    void mrrMovementAddsUpToTheChangeInMrr() {
        // January: A $10, E $10, J $40, B €10 = $12.50; February: C $20 and F $30 new, E and F churn ($40).
        JsonNode monthly = chart("mrr_movement", MONTHLY);
        assertThat(series(monthly, "new_mrr")).isEqualTo(expected(MONTHS, "72.5", 50, 0));
        assertThat(series(monthly, "churned_mrr")).isEqualTo(expected(MONTHS, 0, -40, 0));
        assertThat(series(monthly, "expansion_mrr")).isEqualTo(expected(MONTHS, 0, 0, 0));
        assertThat(series(monthly)).isEqualTo(expected(MONTHS, "72.5", 10, 0));
        // Resubscriptions: K2 $15, M2 and Q2 $10 in February (R2 $10 new), L2 $10 in March; six $10 expire in
        // February.
        JsonNode returns = returns("mrr_movement", MONTHLY);
        assertThat(series(returns, "new_mrr")).isEqualTo(expected(MONTHS, 70, 10, 0));
        assertThat(series(returns, "resubscription_mrr")).isEqualTo(expected(MONTHS, 0, 35, 10));
        assertThat(series(returns, "churned_mrr")).isEqualTo(expected(MONTHS, 0, -60, 0));
        assertThat(series(returns)).isEqualTo(expected(MONTHS, 70, -15, 10));
        assertThat(series(returns("mrr", MONTHLY))).isEqualTo(expected(MONTHS, 70, 55, 65));
    }

    @Test
    void mrrMovementSplitsPriceChangesIntoExpansionAndContraction() {
        ChartDataset d = data();
        Fixtures.StripeApp app = ChartDataset.returnsApp(d.server, Map.of("app_user_id_detection",
                "stripe_customer_id"));
        long jan6 = ChartDataset.at("2026-01-06T10:00:00Z");
        long feb6 = ChartDataset.at("2026-02-06T10:00:00Z");
        long mar6 = ChartDataset.at("2026-03-06T10:00:00Z");
        long apr6 = ChartDataset.at("2026-04-06T10:00:00Z");
        try {
            // $10 in January, $25 from Feb 6 (expansion $15), $5 from Mar 6 (contraction $20).
            d.paid(app, "P", "P", jan6, 1000, "prod_Pro");
            d.renewal(app, "P", "P", jan6, feb6, mar6, 2500);
            d.renewal(app, "P", "P", jan6, mar6, apr6, 500);
        } finally {
            d.clock.set(ChartDataset.NOW);
        }
        JsonNode monthly = chart(app.projectId(), "mrr_movement", MONTHLY);
        assertThat(series(monthly, "new_mrr")).isEqualTo(expected(MONTHS, 10, 0, 0));
        assertThat(series(monthly, "expansion_mrr")).isEqualTo(expected(MONTHS, 0, 15, 0));
        assertThat(series(monthly, "contraction_mrr")).isEqualTo(expected(MONTHS, 0, 0, -20));
        assertThat(series(monthly)).isEqualTo(expected(MONTHS, 10, 15, -20));
        assertThat(series(chart(app.projectId(), "mrr", MONTHLY))).isEqualTo(expected(MONTHS, 10, 25, 5));
        // A price change is no new subscription, and no expiry.
        assertThat(series(chart(app.projectId(), "actives_movement", MONTHLY))).isEqualTo(expected(MONTHS, 1, 0, 0));
    }

    @Test
    void subscriptionStatusSplitsActivesByTheirCurrentRenewalStatus() {
        // End of January: A (turned off Mar 6), E (off Jan 25), J and B (renewing). End of February and now: A off;
        // B, C and J renewing.
        JsonNode monthly = chart("subscription_status", MONTHLY);
        assertThat(series(monthly)).isEqualTo(expected(MONTHS, 4, 4, 4));
        assertThat(series(monthly, "auto_renewing")).isEqualTo(expected(MONTHS, 2, 3, 3));
        assertThat(series(monthly, "auto_renew_off")).isEqualTo(expected(MONTHS, 2, 1, 1));
    }

    @Test
    void conversionToPayingFollowsEachPeriodsNewCustomersForTheTimeframe() {
        // January: A, E, J and B all paid on their first day. February: C (paid Feb 8 10:00, 7 days after it was
        // first seen), D (never) and F. March: G paid, I is in its trial.
        JsonNode monthly = chart("conversion_to_paying", MONTHLY);
        assertThat(series(monthly)).isEqualTo(expected(MONTHS, 100, "66.67", 50));
        assertThat(series(monthly, "customers_new")).isEqualTo(expected(MONTHS, 4, 3, 2));
        assertThat(series(monthly, "paying_customers")).isEqualTo(expected(MONTHS, 4, 2, 1));
        assertThat(monthly.get("user_selectors").get("conversion_timeframe").asText()).isEqualTo("7_days");
        // Incomplete while the last day's customers have had less than 7 days: only March.
        assertThat(incomplete(monthly)).containsExactly("2026-03-01");
        assertThat(number(monthly.get("summary").get("total").get("Conversion to Paying"))).isEqualTo("77.78");
        // Within 3 days, C has not paid yet.
        JsonNode threeDays = chart("conversion_to_paying", MONTHLY + selector("conversion_timeframe", "3_days"));
        assertThat(series(threeDays, "paying_customers")).isEqualTo(expected(MONTHS, 4, 1, 1));
    }

    @Test
    void realizedLtvIsTheCohortsNetRevenueWithinTheLifetimePerCustomer() {
        // Unbounded: January's A $30, E $10, J $0 + $25 + $30, B €120 = $150: $245 over 4; February's C $0 + $20
        // (in_C1 refunded), D, F $0 (refunded): $20 over 3 (2 paying); March's G $50, I: $50 over 2 (1 paying).
        JsonNode perCustomer = chart("ltv_per_customer", MONTHLY);
        assertThat(series(perCustomer)).isEqualTo(expected(MONTHS, "61.25", "6.67", 25));
        assertThat(series(perCustomer, "revenue")).isEqualTo(expected(MONTHS, 245, 20, 50));
        assertThat(series(perCustomer, "customers_new")).isEqualTo(expected(MONTHS, 4, 3, 2));
        // All revenue over all new customers: $315 / 9.
        assertThat(number(perCustomer.get("summary").get("total").get("Realized LTV per Customer"))).isEqualTo("35");
        JsonNode perPaying = chart("ltv_per_paying_customer", MONTHLY);
        assertThat(series(perPaying)).isEqualTo(expected(MONTHS, "61.25", 10, 50));
        assertThat(series(perPaying, "paying_customers")).isEqualTo(expected(MONTHS, 4, 2, 1));
        // Within 30 days: A's Feb 5 and J's Feb 12 invoices, and C's Mar 8 one, come too late.
        JsonNode thirtyDays = chart("ltv_per_customer", MONTHLY + selector("customer_lifetime", "30_days"));
        assertThat(series(thirtyDays, "revenue")).isEqualTo(expected(MONTHS, 170, 0, 50));
        assertThat(incomplete(thirtyDays)).containsExactly("2026-02-01", "2026-03-01");
    }

    @Test
    void cohortsFollowPurchasesToTheirOwnerThroughMergesTransfersAndDeletions() {
        // January's customers N, K, L, T, M, Q (R was deleted): N $30, K $10 + $15, L $20, T $10, M $10 + M2's $10
        // (merged in from its anonymous customer), Q $10 + Q2's $10 (transferred from cus_Q2): $125 over 6. R's $20
        // is nobody's. February's one new customer is cus_Q2, first seen Feb 19, which no longer owns anything.
        JsonNode perCustomer = returns("ltv_per_customer", MONTHLY);
        assertThat(series(perCustomer, "revenue")).isEqualTo(expected(MONTHS, 125, 0, 0));
        assertThat(series(perCustomer, "customers_new")).isEqualTo(expected(MONTHS, 6, 1, 0));
        assertThat(series(perCustomer)).isEqualTo(expected(MONTHS, "20.83", 0, 0));
        assertThat(series(returns("conversion_to_paying", MONTHLY), "paying_customers"))
                .isEqualTo(expected(MONTHS, 6, 0, 0));
    }

    @Test
    void subscriptionRetentionFollowsEachStartCohortPeriodByPeriod() {
        // January's new paid subscriptions A, E, J, B; a month on (Feb 5, 10, 12, 20), E had expired at exactly its
        // anniversary (Feb 10 00:00). February's C and F: a month after February's end is after now, unknown yet.
        JsonNode monthly = chart("subscription_retention", MONTHLY);
        assertThat(series(monthly)).isEqualTo(expected(MONTHS, 4, 2, 0));
        assertThat(series(monthly, "retained_1")).isEqualTo(expected(MONTHS, 3, "null", "null"));
        assertThat(series(monthly, "retention_1")).isEqualTo(expected(MONTHS, 75, "null", "null"));
        assertThat(series(monthly, "retained_2")).isEqualTo(expected(MONTHS, "null", "null", "null"));
        assertThat(monthly.get("measures")).hasSize(25);
        // By week (7 days): the Jan 5 cohort (A, E) keeps both for 4 weeks, then A alone (E expires on day 31);
        // known up to week 8 (Jan 12 + 8 weeks = Mar 9). F (Feb 20) was revoked on day 5: 0 of 1 after weeks 1 and 2.
        JsonNode weekly = chart("subscription_retention", "start_date=2026-01-05&end_date=2026-02-22&resolution=week");
        List<String> jan5 = new java.util.ArrayList<>();
        List<String> feb16 = new java.util.ArrayList<>();
        for (int k = 1; k <= 12; k++) {
            jan5.add(series(weekly, "retained_" + k).get(0));
            feb16.add(series(weekly, "retained_" + k).get(6));
        }
        assertThat(jan5).containsExactly("2026-01-05=2", "2026-01-05=2", "2026-01-05=2", "2026-01-05=2",
                "2026-01-05=1", "2026-01-05=1", "2026-01-05=1", "2026-01-05=1", "2026-01-05=null",
                "2026-01-05=null", "2026-01-05=null", "2026-01-05=null");
        assertThat(feb16).startsWith("2026-02-16=0", "2026-02-16=0", "2026-02-16=null");
        assertThat(series(weekly)).isEqualTo(expected(List.of("2026-01-05", "2026-01-12", "2026-01-19",
                "2026-01-26", "2026-02-02", "2026-02-09", "2026-02-16"), 2, 1, 1, 0, 1, 0, 1));
    }

    /** Measure {@code id}'s values for k = 0 to 12 of the cohort at {@code index}, as numbers or "null". */
    static List<String> cells(JsonNode chart, String id, int index) {
        List<String> result = new java.util.ArrayList<>();
        for (int k = 0; k <= 12; k++) {
            result.add(series(chart, id + "_" + k).get(index).replaceFirst(".*=", ""));
        }
        return result;
    }

    @Test
    void cohortExplorerFollowsEachFirstSeenCohortPeriodAfterPeriod() {
        JsonNode monthly = chart("cohort_explorer", MONTHLY);
        assertThat(monthly.get("measures")).hasSize(53);
        assertThat(series(monthly)).isEqualTo(expected(MONTHS, 4, 3, 2));
        // January (A, E, J, B) by Feb 1: A $10, E $10, J's in_J1 $0 (refunded in full, still a payment), B €120 =
        // $150: $170 from 4 paying; by Mar 1 also A's Feb 5 $10 and J's Feb 12 $25 (of $40, $15 refunded): $205.
        // By Apr 1 (period 2) is after now: not known yet.
        String n = "null";
        assertThat(cells(monthly, "paying_customers", 0)).containsExactly("4", "4", n, n, n, n, n, n, n, n, n, n, n);
        assertThat(cells(monthly, "revenue", 0)).startsWith("170", "205", n);
        assertThat(cells(monthly, "ltv", 0)).startsWith("42.5", "51.25", n);
        assertThat(cells(monthly, "ltv_per_paying_customer", 0)).startsWith("42.5", "51.25", n);
        // February (C, D, F) by Mar 1: C's $20 and F's $30, both refunded in full: 2 paying, $0. March: nothing known.
        assertThat(cells(monthly, "paying_customers", 1)).startsWith("2", n);
        assertThat(cells(monthly, "revenue", 1)).startsWith("0", n);
        assertThat(cells(monthly, "ltv_per_paying_customer", 1)).startsWith("0", n);
        assertThat(cells(monthly, "revenue", 2)).containsOnly(n);
        assertThat(incomplete(monthly)).containsExactly("2026-03-01");
        // Totals add the known cells only.
        assertThat(number(monthly.get("summary").get("total").get("Period 0 Revenue"))).isEqualTo("170");
        assertThat(number(monthly.get("summary").get("total").get("Customers"))).isEqualTo("9");
        // By week: C, first seen Sunday Feb 1 (the week of Jan 26), pays a week later (in_C1, Feb 8, refunded
        // later) and again Mar 8 ($20): known up to Mar 9 (week 5; week 6 ends Mar 16, after now).
        JsonNode weekly = chart("cohort_explorer", "start_date=2026-01-26&end_date=2026-02-01&resolution=week");
        assertThat(series(weekly)).isEqualTo(expected(List.of("2026-01-26"), 1));
        assertThat(cells(weekly, "paying_customers", 0)).containsExactly("0", "1", "1", "1", "1", "1", n, n, n, n, n,
                n, n);
        assertThat(cells(weekly, "revenue", 0)).containsExactly("0", "0", "0", "0", "0", "20", n, n, n, n, n, n, n);
        assertThat(cells(weekly, "ltv_per_paying_customer", 0)).startsWith("0", "0", "0", "0", "0", "20", n);
        assertThat(incomplete(weekly)).isEmpty();
        // By day: A, first seen and paying $10 on Jan 5; its Feb 5 payment is after the 12 days the cells reach.
        JsonNode daily = chart("cohort_explorer", "start_date=2026-01-05&end_date=2026-01-05&resolution=day");
        assertThat(cells(daily, "paying_customers", 0)).containsOnly("1");
        assertThat(cells(daily, "revenue", 0)).containsOnly("10");
        assertThat(cells(daily, "ltv", 0)).containsOnly("10");
    }

    @Test
    void cohortExplorerCountsCustomersFirstSeenAtTheSameInstantApart() {
        // In a project of its own: U and V first seen at the same instant, Jan 3 10:00 (the clock stands still). U
        // pays $10 then; V starts a month's trial and pays $20 when it converts, Feb 3.
        ChartDataset data = data();
        Fixtures.StripeApp ties = ChartDataset.returnsApp(data.server, Map.of("app_user_id_detection",
                "stripe_customer_id"));
        long jan3 = ChartDataset.at("2026-01-03T10:00:00Z");
        long feb3 = ChartDataset.at("2026-02-03T10:00:00Z");
        try {
            data.paid(ties, "U", "U", jan3, 1000, "prod_Pro");
            data.send(ties, StripeObjects.event(StripeEventBuilder.uniqueId("evt_"), "customer.subscription.created",
                    jan3, data.sub("V", "V").price("price_prod_Pro", "prod_Pro").amount(2000, "usd").created(jan3)
                            .trial(jan3, feb3).json()), jan3);
            data.renewal(ties, "V", "V", jan3, feb3, ChartDataset.at("2026-03-03T10:00:00Z"), 2000);
        } finally {
            data.clock.set(ChartDataset.NOW);
        }
        JsonNode monthly = chart(ties.projectId(), "cohort_explorer", MONTHLY);
        assertThat(series(monthly)).isEqualTo(expected(MONTHS, 2, 0, 0));
        assertThat(cells(monthly, "paying_customers", 0)).startsWith("1", "2", "null");
        assertThat(cells(monthly, "revenue", 0)).startsWith("10", "30", "null");
        assertThat(cells(monthly, "ltv_per_paying_customer", 0)).startsWith("10", "15", "null");
    }
}
