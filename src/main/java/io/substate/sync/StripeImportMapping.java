package io.substate.sync;

import io.substate.common.ApiException;
import io.substate.customers.AppUserIds;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.DuplicateHeaderMode;

/**
 * The App User IDs a Stripe import gives to purchases of named Stripe customers ({@code cus_…}) or subscriptions
 * ({@code sub_…}), instead of the app's detection method: a CSV with a header row naming {@code app_user_id} and
 * {@code stripe_customer_id} and/or {@code stripe_subscription_id}. A subscription's own row wins over its customer's.
 * Bad rows are reported by line and skipped; a file without those columns is refused whole.
 */
public final class StripeImportMapping {
    static final String APP_USER_ID = "app_user_id";
    static final String CUSTOMER = "stripe_customer_id";
    static final String SUBSCRIPTION = "stripe_subscription_id";

    /** No mapping: every App User ID is detected. */
    public static final StripeImportMapping NONE = new StripeImportMapping(Map.of(), List.of());

    private final Map<String, String> byStripeId;
    private final List<String> problems;

    private StripeImportMapping(Map<String, String> byStripeId, List<String> problems) {
        this.byStripeId = byStripeId;
        this.problems = List.copyOf(problems);
    }

    /**
     * Reads the whole file.
     *
     * @throws IOException when it cannot be read
     * @throws ApiException {@code INVALID_PARAMETER} when the header lacks the columns or the CSV is malformed
     */
    public static StripeImportMapping parse(Reader csv) throws IOException {
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true)
                .setIgnoreEmptyLines(true).setDuplicateHeaderMode(DuplicateHeaderMode.DISALLOW).build();
        Map<String, String> byStripeId = new HashMap<>();
        Map<String, Long> lineOf = new HashMap<>();
        List<String> problems = new ArrayList<>();
        try (CSVParser parser = format.parse(csv)) {
            List<String> header = parser.getHeaderNames();
            if (!header.contains(APP_USER_ID) || (!header.contains(CUSTOMER) && !header.contains(SUBSCRIPTION))) {
                throw ApiException.invalid("The mapping's header (line 1) must name '" + APP_USER_ID + "' and '"
                        + CUSTOMER + "' or '" + SUBSCRIPTION + "'; it has " + header);
            }
            Iterator<CSVRecord> records = parser.iterator();
            while (true) {
                long line = parser.getCurrentLineNumber() + 1;
                CSVRecord record;
                try {
                    if (!records.hasNext()) {
                        break;
                    }
                    record = records.next();
                } catch (UncheckedIOException | IllegalStateException e) {
                    throw ApiException.invalid("The mapping is malformed at line " + line + " (" + e.getMessage()
                            + "); nothing was imported");
                }
                String problem = row(record, byStripeId, lineOf, line);
                if (problem != null) {
                    problems.add("line " + line + ": " + problem);
                }
            }
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("The mapping cannot be read: " + e.getMessage());
        }
        return new StripeImportMapping(Map.copyOf(byStripeId), problems);
    }

    private static String row(CSVRecord record, Map<String, String> byStripeId, Map<String, Long> lineOf,
            long line) {
        if (!record.isConsistent()) {
            return "the row has " + record.size() + " fields, the header " + record.getParser().getHeaderNames().size()
                    + "; skipped";
        }
        Map<String, String> values = record.toMap();
        String appUserId;
        try {
            appUserId = AppUserIds.require(emptyToNull(values.get(APP_USER_ID)), APP_USER_ID);
        } catch (ApiException e) {
            return e.getMessage() + "; skipped";
        }
        String customer = emptyToNull(values.get(CUSTOMER));
        String subscription = emptyToNull(values.get(SUBSCRIPTION));
        if (customer == null && subscription == null) {
            return "neither " + CUSTOMER + " nor " + SUBSCRIPTION + " is given; skipped";
        }
        if (customer != null && !customer.startsWith("cus_")) {
            return CUSTOMER + " '" + customer + "' does not start with cus_; skipped";
        }
        if (subscription != null && !subscription.startsWith("sub_")) {
            return SUBSCRIPTION + " '" + subscription + "' does not start with sub_; skipped";
        }
        for (String key : new String[] {customer, subscription}) {
            String earlier = key == null ? null : byStripeId.get(key);
            if (earlier != null && !earlier.equals(appUserId)) {
                return key + " is mapped to '" + earlier + "' on line " + lineOf.get(key) + " and to '" + appUserId
                        + "' here; skipped";
            }
        }
        for (String key : new String[] {customer, subscription}) {
            if (key != null && byStripeId.putIfAbsent(key, appUserId) == null) {
                lineOf.put(key, line);
            }
        }
        return null;
    }

    /** The App User ID for a subscription (its own row first, then its customer's), or null. */
    String forSubscription(String subscriptionId, String customerId) {
        String mapped = subscriptionId == null ? null : byStripeId.get(subscriptionId);
        return mapped != null ? mapped : customerId == null ? null : byStripeId.get(customerId);
    }

    /** The bad rows skipped, {@code line N: why}. */
    public List<String> problems() {
        return problems;
    }

    /** How many Stripe ids are mapped. */
    public int size() {
        return byStripeId.size();
    }

    private static String emptyToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
