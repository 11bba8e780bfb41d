package io.substate.charts;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The charts we serve, with RevenueCat's names and how they are shown. */
enum ChartName {
    ACTIVES("subscription", "line", "Active Subscriptions", "#", false,
            "Paid, unexpired subscriptions at the end of each period (cancelled but unexpired ones count; trials do "
                    + "not)."),
    MRR("revenue", "line", "Monthly Recurring Revenue", "$", true,
            "The monthly-normalized price of the active paid subscriptions at the end of each period, in USD."),
    REVENUE("revenue", "column", "Revenue", "$", true,
            "Paid transactions (Stripe invoices and one-time Checkouts) in each period, minus what was refunded of "
                    + "those transactions (full and partial refunds), in USD. A refund is credited to its "
                    + "transaction's period."),
    TRIALS("trials", "line", "Active Trials", "#", false, "Unexpired free trials at the end of each period."),
    CHURN("churn", "line", "Churn", "%", false,
            "Paid subscriptions that expired in the period, minus resubscriptions (a customer starting a paid "
                    + "subscription, of any product, after one of theirs expired), as a percentage of the paid "
                    + "subscriptions active at its start."),
    REFUND_RATE("revenue", "line", "Refund Rate", "%", false,
            "Refunded transactions as a percentage of the transactions of each period; a refund counts in its "
                    + "transaction's period. A transaction is refunded when a full refund reversed it; partially "
                    + "refunded ones are counted apart (partially_refunded)."),
    CUSTOMERS_NEW("customers", "column", "New Customers", "#", false,
            "Customers first seen in each period; customers with only sandbox purchases are left out."),
    TRIAL_CONVERSION_RATE("trials", "line", "Trial Conversion Rate", "%", false,
            "Of the free trials started in each period, the percentage that converted to a paid period.");

    final String category;
    final String displayType;
    final String displayName;
    final String yaxis;
    final boolean money;
    final String description;

    ChartName(String category, String displayType, String displayName, String yaxis, boolean money,
            String description) {
        this.category = category;
        this.displayType = displayType;
        this.displayName = displayName;
        this.yaxis = yaxis;
        this.money = money;
        this.description = description;
    }

    String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Optional<ChartName> parse(String value) {
        return Arrays.stream(values()).filter(c -> c.value().equals(value)).findFirst();
    }

    static String list() {
        return Arrays.stream(values()).map(ChartName::value).collect(Collectors.joining(", "));
    }
}
