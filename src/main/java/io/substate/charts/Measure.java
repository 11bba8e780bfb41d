package io.substate.charts;

/**
 * One number a chart gives per period (RevenueCat's "measure"): the first of a chart's measures is the one it plots.
 *
 * @param id stable snake_case name (Substate's; RevenueCat identifies measures by position and display name)
 * @param unit {@code #}, {@code $} (money, converted to USD) or {@code %}
 * @param total how the summary's {@code total} is made from the periods: {@link Total}
 * @param parts for {@link Total#RATIO}: the ids of the numerator and denominator measures
 */
record Measure(String id, String displayName, String unit, String description, Total total, String... parts) {

    /** How a measure's periods make its total. */
    enum Total {
        /** Events in periods (revenue, new customers): the sum. */
        SUM,
        /** A level at each period's end (actives, MRR): the last period's. */
        LAST,
        /** A percentage: numerator total over denominator total. */
        RATIO,
        /** An amount per unit (LTV per customer): numerator total over denominator total. */
        PER,
        /** No meaningful total (a level at each period's start): only the average is given. */
        NONE
    }

    static Measure sum(String id, String displayName, String unit, String description) {
        return new Measure(id, displayName, unit, description, Total.SUM);
    }

    static Measure last(String id, String displayName, String unit, String description) {
        return new Measure(id, displayName, unit, description, Total.LAST);
    }

    static Measure none(String id, String displayName, String unit, String description) {
        return new Measure(id, displayName, unit, description, Total.NONE);
    }

    static Measure ratio(String id, String displayName, String description, String numerator, String denominator) {
        return new Measure(id, displayName, "%", description, Total.RATIO, numerator, denominator);
    }

    static Measure per(String id, String displayName, String unit, String description, String numerator,
            String denominator) {
        return new Measure(id, displayName, unit, description, Total.PER, numerator, denominator);
    }

    /** Up to how many periods after its start subscription retention follows a cohort. */
    static final int RETENTION_PERIODS = 12;

    /**
     * Subscription retention's measures: the cohort's size, then for each period k its retention rate, then the
     * subscriptions retained.
     */
    static Measure[] retention() {
        Measure[] measures = new Measure[1 + 2 * RETENTION_PERIODS];
        measures[0] = sum("subscriptions", "Subscriptions", "#", "New paid subscriptions of the cohort");
        for (int k = 1; k <= RETENTION_PERIODS; k++) {
            measures[k] = none("retention_" + k, "Period " + k + " rate", "%",
                    "Of the cohort, the percentage still paying " + k + " period(s) after it started");
            measures[RETENTION_PERIODS + k] = sum("retained_" + k, "Period " + k, "#",
                    "Of the cohort, the subscriptions still paying " + k + " period(s) after they started");
        }
        return measures;
    }

    /**
     * The cohort explorer's measures: the cohort's size, then for each period k = 0 to {@link #RETENTION_PERIODS}
     * after the cohort's start, cumulatively up to that period's end: its paying customers, their revenue, and the
     * revenue per customer and per paying customer.
     */
    static Measure[] cohortExplorer() {
        int n = RETENTION_PERIODS + 1;
        Measure[] measures = new Measure[1 + 4 * n];
        measures[0] = sum("customers", "Customers", "#", "Customers first seen in the cohort's period");
        for (int k = 0; k < n; k++) {
            String by = " by the end of period " + k;
            measures[1 + k] = sum("paying_customers_" + k, "Period " + k + " Paying Customers", "#",
                    "Of the cohort, the customers who had paid" + by);
            measures[1 + n + k] = sum("revenue_" + k, "Period " + k + " Revenue", "$",
                    "The cohort's revenue, net of refunds," + by);
            measures[1 + 2 * n + k] = none("ltv_" + k, "Period " + k + " Realized LTV per Customer", "$",
                    "The cohort's revenue" + by + " over its customers");
            measures[1 + 3 * n + k] = none("ltv_per_paying_customer_" + k,
                    "Period " + k + " Realized LTV per Paying Customer", "$",
                    "The cohort's revenue" + by + " over its paying customers then");
        }
        return measures;
    }

    boolean money() {
        return "$".equals(unit);
    }
}
