package io.substate.charts;

import static io.substate.charts.Measure.last;
import static io.substate.charts.Measure.none;
import static io.substate.charts.Measure.per;
import static io.substate.charts.Measure.ratio;
import static io.substate.charts.Measure.sum;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The charts we serve, with RevenueCat's names, definitions and how they are shown; the first measure is the one a
 * chart plots. {@link ChartService#compute} computes each; README "Charts" lists them with these definitions.
 */
enum ChartName {
    ACTIVES("subscription", "line", "Active Subscriptions",
            "Paid, unexpired subscriptions at the end of each period (cancelled but unexpired ones count; trials do "
                    + "not).",
            last("actives", "Active Subscriptions", "#", "Paid, unexpired subscriptions at the period's end")),
    ACTIVES_MOVEMENT("subscription", "column", "Active Subscriptions Movement",
            "What changed the number of active subscriptions in each period: new paid subscriptions (a "
                    + "subscription's first paid period, a trial's conversion included), resubscriptions (a paid "
                    + "subscription starting after one of the customer's expired, as in churn) and expirations "
                    + "(churned, negative); the movement is their sum, the change in Active Subscriptions.",
            sum("movement", "Net Movement", "#", "New plus resubscriptions minus churned"),
            sum("new_actives", "New Actives", "#", "Paid subscriptions started that are not resubscriptions"),
            sum("resubscription_actives", "Resubscription Actives", "#",
                    "Paid subscriptions started after one of the customer's expired"),
            sum("churned_actives", "Churned Actives", "#", "Paid subscriptions that expired (negative)")),
    ACTIVES_NEW("subscription", "column", "New Paid Subscriptions",
            "Subscriptions that first paid in each period (their first paid period, after a trial or without one), "
                    + "broken down into trial conversions and direct purchases. A subscription paying again after "
                    + "a lapse is not new.",
            sum("actives_new", "New Paid Subscriptions", "#", "Subscriptions whose first paid period started"),
            sum("from_trial", "From Trials", "#", "Of those, trials converting to paid"),
            sum("direct", "Direct", "#", "Of those, paid without a trial")),
    ARR("revenue", "line", "Annual Recurring Revenue",
            "MRR × 12: the annualized price of the active paid subscriptions at the end of each period, in USD.",
            last("arr", "ARR", "$", "Twelve times the MRR at the period's end")),
    CHURN("churn", "line", "Churn",
            "Paid subscriptions that expired in the period, minus resubscriptions (a customer starting a paid "
                    + "subscription, of any product, after one of theirs expired), as a percentage of the paid "
                    + "subscriptions active at its start.",
            none("churn_rate", "Churn Rate", "%", "Churned over actives at the period's start"),
            none("actives", "Actives", "#", "Paid subscriptions active at the period's start"),
            sum("churned", "Churned", "#", "Expirations minus resubscriptions")),
    COHORT_EXPLORER("revenue", "column", "Cohort Explorer",
            "Customers by the period they were first seen (customers with only sandbox purchases are left out), "
                    + "and for k = 0 to 12 periods (of the chart's resolution) after the cohort's period, "
                    + "cumulatively up to the end of period k: how many of them had paid (a paid transaction, even "
                    + "if refunded later), their revenue (net of refunds, in USD), and that revenue per customer and "
                    + "per paying customer. Period 0 is the cohort's own period. A cohort's period k has no value "
                    + "(it is not known yet) until its end has passed.",
            Measure.cohortExplorer()),
    CONVERSION_TO_PAYING("conversion", "line", "Conversion to Paying",
            "Of the customers first seen in each period, the percentage that made a paid transaction (a paid "
                    + "subscription period or a one-time purchase) within the conversion timeframe after they "
                    + "were first seen (selector conversion_timeframe, default 7 days). Customers with only "
                    + "sandbox purchases are left out. A period is incomplete until its last day plus the "
                    + "timeframe has passed.",
            ratio("conversion_to_paying", "Conversion to Paying", "Paying customers over new customers",
                    "paying_customers", "customers_new"),
            sum("customers_new", "New Customers", "#", "Customers first seen in the period"),
            sum("paying_customers", "Paying Customers", "#", "Of those, customers who paid within the timeframe")),
    CUSTOMERS_NEW("customers", "column", "New Customers",
            "Customers first seen in each period; customers with only sandbox purchases are left out.",
            sum("customers_new", "New Customers", "#", "Customers first seen in the period")),
    LTV_PER_CUSTOMER("revenue", "line", "Realized LTV per Customer",
            "The revenue (net of refunds, in USD) of the customers first seen in each period, within the customer "
                    + "lifetime after they were first seen (selector customer_lifetime, default unbounded), "
                    + "divided by the number of those customers.",
            per("ltv", "Realized LTV per Customer", "$", "Revenue over new customers", "revenue", "customers_new"),
            sum("revenue", "Revenue", "$", "Revenue of the period's new customers within the lifetime"),
            sum("customers_new", "New Customers", "#", "Customers first seen in the period")),
    LTV_PER_PAYING_CUSTOMER("revenue", "line", "Realized LTV per Paying Customer",
            "The revenue (net of refunds, in USD) of the customers first seen in each period, within the customer "
                    + "lifetime after they were first seen (selector customer_lifetime, default unbounded), "
                    + "divided by the number of those customers who paid within it.",
            per("ltv", "Realized LTV per Paying Customer", "$", "Revenue over paying customers", "revenue",
                    "paying_customers"),
            sum("revenue", "Revenue", "$", "Revenue of the period's new customers within the lifetime"),
            sum("paying_customers", "Paying Customers", "#", "Of those, customers who paid within the lifetime")),
    MRR("revenue", "line", "Monthly Recurring Revenue",
            "The monthly-normalized price of the active paid subscriptions at the end of each period, in USD.",
            last("mrr", "MRR", "$", "Monthly recurring revenue at the period's end")),
    MRR_MOVEMENT("revenue", "column", "MRR Movement",
            "What changed the MRR in each period, in USD: new MRR (new paid subscriptions), resubscription MRR "
                    + "(as in Active Subscriptions Movement), expansion and contraction (a subscription's price "
                    + "going up or down between two paid periods, e.g. a plan change or a discount), and churned "
                    + "MRR (expirations); contraction and churned are negative, the movement is the sum of all, "
                    + "the change in MRR.",
            sum("movement", "Net Movement", "$", "The change in MRR"),
            sum("new_mrr", "New MRR", "$", "MRR of new paid subscriptions"),
            sum("resubscription_mrr", "Resubscription MRR", "$", "MRR of resubscriptions"),
            sum("expansion_mrr", "Expansion MRR", "$", "MRR gained by price increases"),
            sum("contraction_mrr", "Contraction MRR", "$", "MRR lost by price decreases (negative)"),
            sum("churned_mrr", "Churned MRR", "$", "MRR of expired subscriptions (negative)")),
    REFUND_RATE("revenue", "line", "Refund Rate",
            "Refunded transactions as a percentage of the transactions of each period; a refund counts in its "
                    + "transaction's period. A transaction is refunded when a full refund reversed it; partially "
                    + "refunded ones are counted apart (partially_refunded).",
            ratio("refund_rate", "Refund Rate", "Refunded over transactions", "refunded", "transactions"),
            sum("transactions", "Transactions", "#", "Paid transactions of the period"),
            sum("refunded", "Refunded", "#", "Of those, reversed by a full refund"),
            sum("partially_refunded", "Partially Refunded", "#", "Of those, partially refunded only")),
    REVENUE("revenue", "column", "Revenue",
            "Paid transactions (Stripe invoices and one-time Checkouts) in each period, minus what was refunded of "
                    + "those transactions (full and partial refunds), in USD. A refund is credited to its "
                    + "transaction's period.",
            sum("revenue", "Revenue", "$", "Paid transactions net of their refunds"),
            sum("transactions", "Transactions", "#", "Paid transactions not reversed by a full refund")),
    SUBSCRIPTION_STATUS("subscription", "line", "Subscription Status",
            "Active paid subscriptions at the end of each period by their current renewal status: set to renew, "
                    + "or with auto-renew turned off (cancelled, active until they expire). The status is the "
                    + "subscription's newest, as in RevenueCat's chart.",
            last("actives", "Active Subscriptions", "#", "Paid, unexpired subscriptions at the period's end"),
            last("auto_renewing", "Auto-renewing", "#", "Of those, set to renew"),
            last("auto_renew_off", "Auto-renew Off", "#", "Of those, cancelled (will expire)")),
    SUBSCRIPTION_RETENTION("subscription", "column", "Subscription Retention",
            "New paid subscriptions (a subscription's first paid period) by the period they started in, and of "
                    + "those, how many were still paying without a lapse 1 to 12 periods (of the chart's resolution) "
                    + "after they started, and what percentage: a subscription is retained k periods on while its "
                    + "first paid run has not ended at its start plus k periods. A cohort's period k has no value "
                    + "(it is not known yet) until the cohort's last day plus k periods has passed.",
            Measure.retention()),
    TRIAL_CONVERSION_RATE("trials", "line", "Trial Conversion Rate",
            "Of the free trials started in each period, the percentage that converted to a paid period.",
            ratio("conversion_rate", "Trial Conversion Rate", "Converted over trials", "converted", "trials"),
            sum("trials", "Trials", "#", "Free trials started in the period"),
            sum("converted", "Converted", "#", "Of those, converted to paid"),
            sum("pending", "Pending", "#", "Of those, unexpired and set to renew"),
            sum("abandoned", "Abandoned", "#", "Of those, neither converted nor pending")),
    TRIALS("trials", "line", "Active Trials", "Unexpired free trials at the end of each period.",
            last("trials", "Active Trials", "#", "Unexpired free trials at the period's end")),
    TRIALS_MOVEMENT("trials", "column", "Active Trials Movement",
            "What changed the number of active trials in each period: new trials, trials that converted to paid "
                    + "and trials that expired without converting (both negative); the movement is their sum, the "
                    + "change in Active Trials.",
            sum("movement", "Net Movement", "#", "New minus converted minus expired"),
            sum("new_trials", "New Trials", "#", "Free trials started"),
            sum("converted_trials", "Converted Trials", "#", "Trials that ended converting to paid (negative)"),
            sum("expired_trials", "Expired Trials", "#", "Trials that ended without converting (negative)")),
    TRIALS_NEW("trials", "column", "New Trials", "Free trials started in each period.",
            sum("trials_new", "New Trials", "#", "Free trials started in the period"));

    /** RevenueCat's charts Substate does not give, and why (answered with the 400 for their names). */
    static final Map<String, String> NOT_GIVEN = Map.of(
            "customers_active", "it counts customers seen by the app in each period, and Substate keeps only a "
                    + "customer's first and last time seen, not each day they were seen");

    final String category;
    final String displayType;
    final String displayName;
    final String description;
    final List<Measure> measures;

    ChartName(String category, String displayType, String displayName, String description, Measure... measures) {
        this.category = category;
        this.displayType = displayType;
        this.displayName = displayName;
        this.description = description;
        this.measures = List.of(measures);
    }

    /** A chart's one user selector (RevenueCat's {@code user_selectors}): its id and default window. */
    record Selector(String id, String displayName, Window defaultWindow) {}

    Selector selector() {
        return switch (this) {
            case CONVERSION_TO_PAYING -> new Selector("conversion_timeframe", "Conversion Timeframe", Window.DAYS_7);
            case LTV_PER_CUSTOMER, LTV_PER_PAYING_CUSTOMER ->
                    new Selector("customer_lifetime", "Customer Lifetime", Window.UNBOUNDED);
            default -> null;
        };
    }

    String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The y axis: the plotted measure's unit. */
    String yaxis() {
        return measures.get(0).unit();
    }

    boolean money() {
        return measures.stream().anyMatch(Measure::money);
    }

    int measure(String id) {
        for (int i = 0; i < measures.size(); i++) {
            if (measures.get(i).id().equals(id)) {
                return i;
            }
        }
        throw new IllegalArgumentException(this + " has no measure " + id);
    }

    static Optional<ChartName> parse(String value) {
        return Arrays.stream(values()).filter(c -> c.value().equals(value)).findFirst();
    }

    static String list() {
        return Arrays.stream(values()).map(ChartName::value).collect(Collectors.joining(", "));
    }
}
