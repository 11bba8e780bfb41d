package io.substate.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
import io.substate.testing.Fixtures;
import io.substate.testing.HttpResponse;
import io.substate.testing.TestDb;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every chart at every resolution over HTTP against the fixed {@link ChartDataset}, with expectations computed by
 * hand from its table (now = Sunday 2026-03-15 12:00 UTC; weeks start on Mondays: Jan 5, 12, 19, 26, Feb 2, 9, 16,
 * 23, Mar 2, 9).
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class ChartsApiTest {
    private static final String RANGE = "start_date=2026-01-01&end_date=2026-03-15";
    private static final List<String> WEEKS = List.of("2026-01-01", "2026-01-05", "2026-01-12", "2026-01-19",
            "2026-01-26", "2026-02-02", "2026-02-09", "2026-02-16", "2026-02-23", "2026-03-02", "2026-03-09");
    private static final List<String> MONTHS = List.of("2026-01-01", "2026-02-01", "2026-03-01");

    @Parameter
    TestDb db;

    ChartDataset data() {
        return ChartDataset.shared(db);
    }

    Api admin() {
        return data().server.admin();
    }

    JsonNode chart(String name, String query) {
        return chartResponse(name, query).json();
    }

    HttpResponse chartResponse(String name, String query) {
        HttpResponse response = admin().get("/v2/projects/" + data().app.projectId() + "/charts/" + name + "?" + query);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response;
    }

    /** The values as "date=value" (numbers without trailing zeros). */
    static List<String> series(JsonNode chart) {
        return series(chart, "value");
    }

    /**
     * The values of one measure, by its id ({@code value}: the plotted one), as "date=value": one value object per
     * period, with the plotted measure as {@code value} and every measure by its id.
     */
    static List<String> series(JsonNode chart, String field) {
        measure(chart, field);
        List<String> result = new ArrayList<>();
        chart.get("values").forEach(v -> {
            assertThat(date(v).toString()).isEqualTo(v.get("date").asText());
            result.add(v.get("date").asText() + "=" + number(v.get(field)));
        });
        return result;
    }

    /** The index of a measure in {@code measures} ({@code value} is the plotted one, the first). */
    static int measure(JsonNode chart, String id) {
        if (id.equals("value")) {
            return 0;
        }
        JsonNode measures = chart.get("measures");
        for (int i = 0; i < measures.size(); i++) {
            if (measures.get(i).get("id").asText().equals(id)) {
                return i;
            }
        }
        throw new AssertionError("no measure " + id + " in " + measures);
    }

    static LocalDate date(JsonNode value) {
        return LocalDate.ofEpochDay(value.get("cohort").asLong() / 86_400);
    }

    /** The dates of the periods marked incomplete. */
    static List<String> incomplete(JsonNode chart) {
        List<String> result = new ArrayList<>();
        chart.get("values").forEach(v -> {
            if (v.get("incomplete").asBoolean()) {
                result.add(date(v).toString());
            }
        });
        return result;
    }

    static JsonNode total(JsonNode chart, String measureName) {
        return chart.get("summary").get("total").get(measureName);
    }

    static String number(JsonNode n) {
        if (n.isNull()) {
            return "null";
        }
        return new BigDecimal(n.asText()).stripTrailingZeros().toPlainString();
    }

    /** Expected values on the given dates. */
    static List<String> expected(List<String> dates, Object... values) {
        assertThat(values).hasSameSizeAs(dates);
        List<String> result = new ArrayList<>();
        for (int i = 0; i < dates.size(); i++) {
            result.add(dates.get(i) + "=" + values[i]);
        }
        return result;
    }

    /** Daily values that hold from each change date until the next one. */
    static List<String> steps(String from, String to, Object... changes) {
        TreeMap<LocalDate, String> byDate = new TreeMap<>();
        for (int i = 0; i < changes.length; i += 2) {
            byDate.put(LocalDate.parse((String) changes[i]), String.valueOf(changes[i + 1]));
        }
        List<String> result = new ArrayList<>();
        for (LocalDate d = LocalDate.parse(from); !d.isAfter(LocalDate.parse(to)); d = d.plusDays(1)) {
            result.add(d + "=" + byDate.floorEntry(d).getValue());
        }
        return result;
    }

    /** Daily values that are 0 except on the given dates. */
    static List<String> spikes(String from, String to, Object... values) {
        Map<LocalDate, String> byDate = new TreeMap<>();
        for (int i = 0; i < values.length; i += 2) {
            byDate.put(LocalDate.parse((String) values[i]), String.valueOf(values[i + 1]));
        }
        List<String> result = new ArrayList<>();
        for (LocalDate d = LocalDate.parse(from); !d.isAfter(LocalDate.parse(to)); d = d.plusDays(1)) {
            result.add(d + "=" + byDate.getOrDefault(d, "0"));
        }
        return result;
    }

    @Test
    void activesCountPaidUnexpiredSubscriptionsAtTheEndOfEachPeriod() {
        // E ends exactly at Feb 10 00:00 (active at the end of Feb 9); F's refund revokes it on Feb 25; A stays
        // active after turning auto-renew off; J's partial refunds (and the full refund of an older period) leave
        // it active; trials (C, D, I), the one-time G and the sandbox H never count.
        assertThat(series(chart("actives", RANGE + "&resolution=day"))).isEqualTo(steps("2026-01-01", "2026-03-15",
                "2026-01-01", 0, "2026-01-05", 1, "2026-01-10", 2, "2026-01-12", 3, "2026-01-20", 4, "2026-02-08", 5,
                "2026-02-10", 4, "2026-02-20", 5, "2026-02-25", 4));
        assertThat(series(chart("actives", RANGE + "&resolution=week")))
                .isEqualTo(expected(WEEKS, 0, 2, 3, 4, 4, 5, 4, 5, 4, 4, 4));
        JsonNode monthly = chart("actives", RANGE + "&resolution=month");
        assertThat(series(monthly)).isEqualTo(expected(MONTHS, 4, 4, 4));
        assertThat(incomplete(monthly)).containsExactly("2026-03-01");
        assertThat(total(monthly, "Active Subscriptions").asLong()).isEqualTo(4);
    }

    @Test
    void mrrNormalizesEveryIntervalToAMonthInUsd() {
        // A $10, E $10, J $40, B €120/year = €10/month = $12.50, C $20 after its trial, F $30 until refunded.
        assertThat(series(chart("mrr", RANGE + "&resolution=day"))).isEqualTo(steps("2026-01-01", "2026-03-15",
                "2026-01-01", 0, "2026-01-05", 10, "2026-01-10", 20, "2026-01-12", 60, "2026-01-20", "72.5",
                "2026-02-08", "92.5", "2026-02-10", "82.5", "2026-02-20", "112.5", "2026-02-25", "82.5"));
        assertThat(series(chart("mrr", RANGE + "&resolution=week"))).isEqualTo(expected(WEEKS,
                0, 20, 60, "72.5", "72.5", "92.5", "82.5", "112.5", "82.5", "82.5", "82.5"));
        HttpResponse response = chartResponse("mrr", RANGE + "&resolution=month");
        JsonNode monthly = response.json();
        assertThat(series(monthly)).isEqualTo(expected(MONTHS, "72.5", "82.5", "82.5"));
        assertThat(monthly.get("yaxis_currency").asText()).isEqualTo("USD");
        assertThat(response.header("Substate-USD-Rates")).isEqualTo("EUR=1.25,USD=1");
    }

    @Test
    void revenueIsPaidTransactionsNetOfRefundsCreditedToTheTransactionsPeriod() {
        // C's $0 trial invoice is no transaction; C's Feb 8 $20 (refunded Mar 10) and F's $30 (refunded Feb 25)
        // net to zero in February; G's one-time $50 counts; H (sandbox) does not. J's refunds, partial or full, all
        // count on their transaction's day, however late: in_J1 $40 − $40 (partial, then full in February) = 0 on
        // Jan 12; in_J2 $40 − $15 (cumulative $5 and $15, the later one first) = $25 on Feb 12; in_J3 $40 − $10 = $30.
        assertThat(series(chart("revenue", RANGE + "&resolution=day"))).isEqualTo(spikes("2026-01-01", "2026-03-15",
                "2026-01-05", 10, "2026-01-10", 10, "2026-01-20", 150, "2026-02-05", 10, "2026-02-12", 25,
                "2026-03-02", 50, "2026-03-05", 10, "2026-03-08", 20, "2026-03-12", 30));
        JsonNode daily = chart("revenue", RANGE + "&resolution=day");
        // A transaction refunded in full leaves the count; partially refunded ones stay.
        assertThat(series(daily, "transactions")).isEqualTo(spikes("2026-01-01", "2026-03-15", "2026-01-05", 1,
                "2026-01-10", 1, "2026-01-20", 1, "2026-02-05", 1, "2026-02-12", 1, "2026-03-02", 1, "2026-03-05", 1,
                "2026-03-08", 1, "2026-03-12", 1));
        assertThat(series(chart("revenue", RANGE + "&resolution=week")))
                .isEqualTo(expected(WEEKS, 0, 20, 0, 150, 0, 10, 25, 0, 0, 80, 30));
        JsonNode weekly = chart("revenue", RANGE + "&resolution=week");
        assertThat(series(weekly, "transactions")).isEqualTo(expected(WEEKS, 0, 2, 0, 1, 0, 1, 1, 0, 0, 3, 1));
        JsonNode monthly = chart("revenue", RANGE + "&resolution=month");
        assertThat(series(monthly)).isEqualTo(expected(MONTHS, 170, 35, 110));
        assertThat(series(monthly, "transactions")).isEqualTo(expected(MONTHS, 3, 2, 4));
        assertThat(number(total(monthly, "Revenue"))).isEqualTo("315");
        assertThat(total(monthly, "Transactions").asLong()).isEqualTo(9);
        assertThat(monthly.get("display_type").asText()).isEqualTo("column");
    }

    @Test
    void refundRateCountsRefundsInTheOriginalTransactionsPeriod() {
        // Refunded transactions are those a full refund reversed (in_C1, in_F1, and in_J1 after its partial refund);
        // in_J2 and in_J3, only partially refunded, are counted apart.
        assertThat(series(chart("refund_rate", RANGE + "&resolution=day"))).isEqualTo(spikes("2026-01-01",
                "2026-03-15", "2026-01-12", 100, "2026-02-08", 100, "2026-02-20", 100));
        assertThat(series(chart("refund_rate", RANGE + "&resolution=week")))
                .isEqualTo(expected(WEEKS, 0, 0, 100, 0, 0, 50, 0, 100, 0, 0, 0));
        JsonNode weekly = chart("refund_rate", RANGE + "&resolution=week");
        assertThat(series(weekly, "partially_refunded")).isEqualTo(expected(WEEKS, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1));
        JsonNode monthly = chart("refund_rate", RANGE + "&resolution=month");
        assertThat(series(monthly)).isEqualTo(expected(MONTHS, 25, 50, 0));
        assertThat(series(monthly, "transactions")).isEqualTo(expected(MONTHS, 4, 4, 4));
        assertThat(series(monthly, "refunded")).isEqualTo(expected(MONTHS, 1, 2, 0));
        assertThat(series(monthly, "partially_refunded")).isEqualTo(expected(MONTHS, 0, 1, 1));
        assertThat(number(total(monthly, "Refund Rate"))).isEqualTo("25");
        assertThat(total(monthly, "Partially Refunded").asLong()).isEqualTo(2);
    }

    @Test
    void churnIsExpiredPaidSubscriptionsOverThoseActiveAtThePeriodStart() {
        // E expires Feb 10 00:00 with 5 actives at the start of that day; F is revoked Feb 25 with 5 actives;
        // A's cancellation is not churn before it expires, D's trial is not a paid subscription.
        assertThat(series(chart("churn", RANGE + "&resolution=day"))).isEqualTo(spikes("2026-01-01", "2026-03-15",
                "2026-02-10", 20, "2026-02-25", 20));
        JsonNode weekly = chart("churn", RANGE + "&resolution=week");
        assertThat(series(weekly)).isEqualTo(expected(WEEKS, 0, 0, 0, 0, 0, 0, 20, 0, 20, 0, 0));
        assertThat(series(weekly, "actives")).isEqualTo(expected(WEEKS, 0, 0, 2, 3, 4, 4, 5, 4, 5, 4, 4));
        JsonNode monthly = chart("churn", RANGE + "&resolution=month");
        assertThat(series(monthly)).isEqualTo(expected(MONTHS, 0, 50, 0));
        assertThat(series(monthly, "actives")).isEqualTo(expected(MONTHS, 0, 4, 4));
        assertThat(series(monthly, "churned")).isEqualTo(expected(MONTHS, 0, 2, 0));
    }

    JsonNode returnsChart(String name, String query) {
        HttpResponse response = admin().get("/v2/projects/" + data().returns.projectId() + "/charts/" + name + "?"
                + query);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    @Test
    void churnSubtractsResubscriptionsAcrossACustomersSubscriptions() {
        // February: K1, L1, T1, M1, Q1, R1 expire (6 of the 7 active at its start); K2, M2 (merged into M) and Q2
        // (transferred to Q) resubscribe; R2's customer was deleted, so R2 resubscribes nobody; T2 is only a trial.
        // March: L2 resubscribes after L1 expired in February, so March's churn is negative.
        JsonNode monthly = returnsChart("churn", RANGE + "&resolution=month");
        assertThat(series(monthly)).isEqualTo(expected(MONTHS, 0, "42.86", -20));
        assertThat(series(monthly, "actives")).isEqualTo(expected(MONTHS, 0, 7, 5));
        assertThat(series(monthly, "churned")).isEqualTo(expected(MONTHS, 0, 3, -1));
        assertThat(total(monthly, "Churned").asLong()).isEqualTo(2);

        JsonNode weekly = returnsChart("churn", RANGE + "&resolution=week");
        assertThat(series(weekly)).isEqualTo(expected(WEEKS, 0, 0, 0, 0, 0, "28.57", 80, -300, 0, -20, 0));
        assertThat(series(weekly, "actives")).isEqualTo(expected(WEEKS, 0, 0, 6, 7, 7, 7, 5, 1, 5, 5, 6));
        assertThat(series(weekly, "churned")).isEqualTo(expected(WEEKS, 0, 0, 0, 0, 0, 2, 4, -3, 0, -1, 0));

        assertThat(series(returnsChart("churn", RANGE + "&resolution=day"))).isEqualTo(spikes("2026-01-01",
                "2026-03-15", "2026-02-06", "14.29", "2026-02-07", "16.67", "2026-02-09", 20, "2026-02-10", 25,
                "2026-02-11", "33.33", "2026-02-12", 50, "2026-02-16", -100, "2026-02-18", -50, "2026-02-19",
                "-33.33", "2026-03-03", -20));
    }

    @Test
    void aResubscriptionFollowsItsPurchaseToItsOwnerAndLeavesWithTheDeletedOwner() {
        ChartDataset d = data();
        Fixtures.StripeApp app = ChartDataset.returnsApp(d.server,
                Map.of("app_user_id_detection", "stripe_customer_id"));
        String feb = "start_date=2026-02-01&end_date=2026-02-28&resolution=month";
        try {
            d.expiring(app, "X1", "X", ChartDataset.at("2026-01-06T10:00:00Z"));
            d.paid(app, "X2", "Y", ChartDataset.at("2026-02-16T10:00:00Z"), 1500, "prod_Plus");
            d.clock.set(ChartDataset.NOW);
            // X2 is Y's: X1 churned, nobody resubscribed.
            assertThat(series(chart(app, "churn", feb), "churned")).containsExactly("2026-02-01=1");

            d.post(app, "cus_X" + d.suffix, "sub_X2" + d.suffix); // transferred to X: X came back
            assertThat(series(chart(app, "churn", feb), "churned")).containsExactly("2026-02-01=0");

            HttpResponse deleted = d.server.anonymous().withToken(app.secretKey()).delete("/v1/subscribers/cus_X"
                    + d.suffix);
            assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
            // Nobody's now: each subscription counts its own lapses only.
            assertThat(series(chart(app, "churn", feb), "churned")).containsExactly("2026-02-01=1");
            assertThat(series(chart(app, "churn", feb))).containsExactly("2026-02-01=100");
        } finally {
            d.clock.set(ChartDataset.NOW);
        }
    }

    JsonNode chart(Fixtures.StripeApp app, String name, String query) {
        HttpResponse response = admin().get("/v2/projects/" + app.projectId() + "/charts/" + name + "?" + query);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    @Test
    void trialsCountUnexpiredFreeTrialsAtTheEndOfEachPeriod() {
        assertThat(series(chart("trials", RANGE + "&resolution=day"))).isEqualTo(steps("2026-01-01", "2026-03-15",
                "2026-01-01", 0, "2026-02-01", 1, "2026-02-08", 0, "2026-02-10", 1, "2026-02-17", 0, "2026-03-12", 1));
        assertThat(series(chart("trials", RANGE + "&resolution=week")))
                .isEqualTo(expected(WEEKS, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1));
        assertThat(series(chart("trials", RANGE + "&resolution=month"))).isEqualTo(expected(MONTHS, 0, 0, 1));
    }

    @Test
    void newCustomersAreFirstSeenInThePeriodWithoutSandboxOnlyCustomers() {
        // H (sandbox only) was first seen Jan 15 and is left out.
        assertThat(series(chart("customers_new", RANGE + "&resolution=day"))).isEqualTo(spikes("2026-01-01",
                "2026-03-15", "2026-01-05", 1, "2026-01-10", 1, "2026-01-12", 1, "2026-01-20", 1, "2026-02-01", 1,
                "2026-02-10", 1, "2026-02-20", 1, "2026-03-02", 1, "2026-03-12", 1));
        assertThat(series(chart("customers_new", RANGE + "&resolution=week")))
                .isEqualTo(expected(WEEKS, 0, 2, 1, 1, 1, 0, 1, 1, 0, 1, 1));
        JsonNode monthly = chart("customers_new", RANGE + "&resolution=month");
        assertThat(series(monthly)).isEqualTo(expected(MONTHS, 4, 3, 2));
        assertThat(total(monthly, "New Customers").asLong()).isEqualTo(9);
    }

    @Test
    void trialConversionRateIsCohortedByTrialStart() {
        assertThat(series(chart("trial_conversion_rate", RANGE + "&resolution=day"))).isEqualTo(spikes("2026-01-01",
                "2026-03-15", "2026-02-01", 100));
        JsonNode weekly = chart("trial_conversion_rate", RANGE + "&resolution=week");
        assertThat(series(weekly)).isEqualTo(expected(WEEKS, 0, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0));
        assertThat(series(weekly, "abandoned")).isEqualTo(expected(WEEKS, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0));
        JsonNode monthly = chart("trial_conversion_rate", RANGE + "&resolution=month");
        assertThat(series(monthly)).isEqualTo(expected(MONTHS, 0, 50, 0));
        assertThat(series(monthly, "trials")).isEqualTo(expected(MONTHS, 0, 2, 1));
        assertThat(series(monthly, "converted")).isEqualTo(expected(MONTHS, 0, 1, 0));
        assertThat(series(monthly, "pending")).isEqualTo(expected(MONTHS, 0, 0, 1));
        assertThat(series(monthly, "abandoned")).isEqualTo(expected(MONTHS, 0, 1, 0));
    }

    @Test
    void aPastRangeIsClippedToItsDaysAndHasNoCurrentPeriod() {
        String range = "start_date=2026-01-15&end_date=2026-02-14&resolution=month";
        JsonNode revenue = chart("revenue", range);
        assertThat(series(revenue)).isEqualTo(expected(List.of("2026-01-15", "2026-02-01"), 150, 35));
        assertThat(incomplete(revenue)).isEmpty();
        JsonNode churn = chart("churn", range);
        assertThat(series(churn)).isEqualTo(expected(List.of("2026-01-15", "2026-02-01"), 0, 25));
        assertThat(series(churn, "actives")).isEqualTo(expected(List.of("2026-01-15", "2026-02-01"), 3, 4));
        assertThat(series(chart("actives", range))).isEqualTo(expected(List.of("2026-01-15", "2026-02-01"), 4, 4));
        assertThat(series(chart("mrr", range)))
                .isEqualTo(expected(List.of("2026-01-15", "2026-02-01"), "72.5", "82.5"));
    }

    @Test
    void theResponseHasRevenueCatsChartShapeAndDefaultsToTheLast30DaysByDay() {
        JsonNode chart = chart("actives", "");
        // Every field of the spec's ChartData, and no other (its schema allows none).
        assertThat(fieldNames(chart)).containsExactly("object", "category", "display_type", "display_name",
                "description", "documentation_link", "last_computed_at", "start_date", "end_date", "yaxis_currency",
                "filtering_allowed", "segmenting_allowed", "resolution", "yaxis", "values", "summary", "segments",
                "segments_limit", "measures", "user_selectors", "unsupported_params");
        assertThat(chart.get("object").asText()).isEqualTo("chart_data");
        assertThat(chart.get("category").asText()).isEqualTo("subscription");
        assertThat(chart.get("display_type").asText()).isEqualTo("line");
        assertThat(chart.get("display_name").asText()).isEqualTo("Active Subscriptions");
        assertThat(chart.get("description").asText()).isNotBlank();
        assertThat(chart.get("documentation_link").isNull()).isTrue();
        // Times in ms since the epoch: now, and the range's first and last days (UTC midnights).
        assertThat(chart.get("last_computed_at").isIntegralNumber()).isTrue();
        assertThat(chart.get("last_computed_at").asLong()).isEqualTo(ChartDataset.NOW.toEpochMilli());
        assertThat(chart.get("start_date").asLong()).isEqualTo(ms("2026-02-14"));
        assertThat(chart.get("end_date").asLong()).isEqualTo(ms("2026-03-15"));
        assertThat(chart.get("yaxis_currency").asText()).isEqualTo("USD");
        assertThat(chart.get("filtering_allowed").isBoolean()).isTrue();
        assertThat(chart.get("segmenting_allowed").asBoolean()).isFalse();
        assertThat(chart.get("resolution").asText()).isEqualTo("day");
        assertThat(chart.get("yaxis").asText()).isEqualTo("#");
        assertThat(chart.get("segments").isNull()).isTrue();
        assertThat(chart.get("user_selectors").isNull()).isTrue();
        assertThat(chart.get("unsupported_params").isNull()).isTrue();
        JsonNode measure = chart.get("measures").get(0);
        assertThat(fieldNames(measure)).containsExactly("id", "display_name", "description", "unit");
        assertThat(measure.get("display_name").asText()).isEqualTo("Active Subscriptions");
        assertThat(chart.get("values")).hasSize(30);
        JsonNode last = chart.get("values").get(29);
        assertThat(fieldNames(last)).containsExactly("date", "cohort", "measure", "value", "incomplete", "actives");
        assertThat(last.get("date").asText()).isEqualTo("2026-03-15");
        assertThat(last.get("actives")).isEqualTo(last.get("value"));
        assertThat(last.get("cohort").asLong()).isEqualTo(ms("2026-03-15") / 1000);
        assertThat(last.get("measure").asInt()).isZero();
        assertThat(last.get("value").isNumber()).isTrue();
        assertThat(last.get("incomplete").asBoolean()).isTrue();
        assertThat(chart.get("values").get(28).get("incomplete").asBoolean()).isFalse();
        assertThat(fieldNames(chart.get("summary"))).containsExactly("average", "total");
        // An end after today is cut to today.
        assertThat(chart("actives", "start_date=2026-03-14&end_date=2027-01-01").get("end_date").asLong())
                .isEqualTo(ms("2026-03-15"));
    }

    static long ms(String date) {
        return LocalDate.parse(date).toEpochDay() * 86_400_000L;
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void resolutionsAreNamedOrNumberedAndQuartersAndYearsBucketTheRange() {
        // The options' ids: 0 day, 1 week, 2 month, 3 quarter, 4 year.
        assertThat(series(chart("revenue", RANGE + "&resolution=2"))).isEqualTo(expected(MONTHS, 170, 35, 110));
        JsonNode quarterly = chart("revenue", RANGE + "&resolution=3");
        assertThat(quarterly.get("resolution").asText()).isEqualTo("quarter");
        assertThat(series(quarterly)).containsExactly("2026-01-01=315");
        JsonNode yearly = chart("actives", "start_date=2025-12-01&end_date=2026-03-15&resolution=year");
        assertThat(series(yearly)).containsExactly("2025-12-01=0", "2026-01-01=4");
    }

    @Test
    void aggregateGivesOnlyTheSummaryAskedFor() {
        JsonNode revenue = chart("revenue", RANGE + "&resolution=month&aggregate=total");
        assertThat(revenue.get("values")).isEmpty();
        assertThat(fieldNames(revenue.get("summary"))).containsExactly("total");
        assertThat(number(total(revenue, "Revenue"))).isEqualTo("315");
        JsonNode both = chart("revenue", RANGE + "&resolution=month&aggregate=average,total");
        // 315 / 3 months.
        assertThat(number(both.get("summary").get("average").get("Revenue"))).isEqualTo("105");
    }

    @Test
    void filtersAndSegmentsAreNamedBackAsUnsupported() {
        JsonNode chart = chart("revenue", RANGE + "&resolution=month&segment=country&filters="
                + java.net.URLEncoder.encode("[{\"name\":\"country\",\"values\":[\"US\"]}]",
                        java.nio.charset.StandardCharsets.UTF_8));
        assertThat(chart.get("unsupported_params").get("filters").get(0).asText()).isEqualTo("country");
        assertThat(chart.get("unsupported_params").get("segment").asText()).isEqualTo("country");
        // Unfiltered values.
        assertThat(series(chart)).isEqualTo(expected(MONTHS, 170, 35, 110));
    }

    @Test
    void optionsListResolutionsNoSegmentsOrFiltersAndTheChartsSelector() {
        for (ChartName name : ChartName.values()) {
            HttpResponse response = admin().get("/v2/projects/" + data().app.projectId() + "/charts/" + name.value()
                    + "/options");
            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            JsonNode options = response.json();
            assertThat(fieldNames(options)).containsExactly("object", "resolutions", "segments", "filters",
                    "user_selectors");
            assertThat(options.get("object").asText()).isEqualTo("chart_options");
            assertThat(options.get("resolutions").get(0).get("id").asText()).isEqualTo("0");
            assertThat(options.get("resolutions").get(0).get("display_name").asText()).isEqualTo("day");
            assertThat(options.get("resolutions")).hasSize(5);
            assertThat(options.get("segments")).isEmpty();
            assertThat(options.get("filters")).isEmpty();
        }
        JsonNode ltv = admin().get("/v2/projects/" + data().app.projectId() + "/charts/ltv_per_customer/options")
                .json().get("user_selectors").get("customer_lifetime");
        assertThat(ltv.get("default").asText()).isEqualTo("unbounded");
        assertThat(ltv.get("options").findValuesAsText("id")).contains("7_days", "30_days", "unbounded");
        JsonNode cohorts = admin().get("/v2/projects/" + data().app.projectId() + "/charts/cohort_explorer/options")
                .json();
        assertThat(cohorts.get("user_selectors").isNull()).isTrue();
        assertThat(cohorts.get("resolutions").findValuesAsText("display_name")).contains("week", "month");
        HttpResponse notGiven = admin().get("/v2/projects/" + data().app.projectId()
                + "/charts/customers_active/options");
        assertThat(notGiven.status()).isEqualTo(400);
        assertThat(notGiven.json().get("message").asText()).contains("does not give");
    }

    @Test
    void overviewGivesTodaysSnapshotAndTheLast28Days() {
        HttpResponse response = admin().get("/v2/projects/" + data().app.projectId() + "/metrics/overview");
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode overview = response.json();
        assertThat(overview.get("object").asText()).isEqualTo("overview_metrics");
        Map<String, String> values = new TreeMap<>();
        overview.get("metrics").forEach(m -> values.put(m.get("id").asText(), number(m.get("value"))));
        // Since Feb 15 12:00: F's $30 (refunded), G $50, A $10, C $20, in_J3 $40 − $10; customers F, G, I.
        assertThat(values).containsExactlyInAnyOrderEntriesOf(Map.of("active_subscriptions", "4", "mrr", "82.5",
                "active_trials", "1", "revenue", "110", "new_customers", "3"));
        assertThat(fieldNames(overview)).containsExactly("object", "metrics");
        assertThat(response.header("Substate-USD-Rates")).isEqualTo("EUR=1.25,USD=1"); // B's MRR is in EUR
        JsonNode revenue = overview.get("metrics").get(3);
        assertThat(fieldNames(revenue)).containsExactly("object", "id", "name", "description", "unit", "period",
                "value", "last_updated_at", "last_updated_at_iso8601");
        assertThat(revenue.get("object").asText()).isEqualTo("overview_metric");
        assertThat(revenue.get("period").asText()).isEqualTo("P28D");
        assertThat(revenue.get("unit").asText()).isEqualTo("$");
        assertThat(revenue.get("last_updated_at_iso8601").asText()).isEqualTo("2026-03-15T12:00:00Z");
    }
}
