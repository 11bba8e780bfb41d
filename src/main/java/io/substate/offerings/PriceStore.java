package io.substate.offerings;

import io.substate.storage.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/** SQL for the Stripe price cache ({@code stripe_product_prices}); every method runs on the caller's handle. */
final class PriceStore {
    private static final String COLUMNS = "product_id, read_at, price_id, price_type, unit_amount, currency, "
            + "recurring_interval, interval_count, trial_period_days, product_name, product_description, "
            + "unreadable_reason, failed_at, failure, retry_at";

    private PriceStore() {}

    /** The cached prices of these products, by product id; products never read are absent. */
    static Map<String, CachedPrice> find(Handle h, Collection<String> productIds) {
        Map<String, CachedPrice> result = new LinkedHashMap<>();
        if (productIds.isEmpty()) {
            return result;
        }
        Sql.list(h, "SELECT " + COLUMNS + " FROM stripe_product_prices WHERE product_id IN ("
                        + Sql.marks(productIds.size()) + ")", PriceStore::map, Sql.params(productIds))
                .forEach(row -> result.put(row.productId(), row));
        return result;
    }

    /** Stores what Stripe answered, forgetting earlier failures. */
    static void saveRead(Handle h, CachedPrice row) {
        StripePrice p = row.price();
        Sql.update(h, "INSERT INTO stripe_product_prices (" + COLUMNS + ") "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (product_id) DO UPDATE SET "
                        + "read_at = excluded.read_at, price_id = excluded.price_id, price_type = excluded.price_type, "
                        + "unit_amount = excluded.unit_amount, currency = excluded.currency, "
                        + "recurring_interval = excluded.recurring_interval, interval_count = excluded.interval_count, "
                        + "trial_period_days = excluded.trial_period_days, product_name = excluded.product_name, "
                        + "product_description = excluded.product_description, "
                        + "unreadable_reason = excluded.unreadable_reason, failed_at = NULL, failure = NULL, "
                        + "retry_at = NULL",
                row.productId(), row.readAt(),
                Sql.text(p == null ? null : p.priceId()),
                Sql.text(p == null ? null : p.recurring() ? "recurring" : "one_time"),
                Sql.bigint(p == null ? null : p.unitAmount()),
                Sql.text(p == null ? null : p.currency()),
                Sql.text(p == null ? null : p.interval()),
                Sql.integer(p == null || !p.recurring() ? null : p.intervalCount()),
                Sql.integer(p == null ? null : p.trialPeriodDays()),
                Sql.text(p == null ? null : p.productName()),
                Sql.text(p == null ? null : p.productDescription()),
                Sql.text(row.unreadableReason()),
                Sql.bigint(null), Sql.text(null), Sql.bigint(null));
    }

    /** Records a failed read; what Stripe answered before stays. */
    static void saveFailure(Handle h, String productId, long failedAt, String failure, long retryAt) {
        Sql.update(h, "INSERT INTO stripe_product_prices (product_id, failed_at, failure, retry_at) VALUES (?, ?, ?, ?) "
                        + "ON CONFLICT (product_id) DO UPDATE SET failed_at = excluded.failed_at, "
                        + "failure = excluded.failure, retry_at = excluded.retry_at",
                productId, failedAt, failure, retryAt);
    }

    private static CachedPrice map(ResultSet rs) throws SQLException {
        String priceId = rs.getString("price_id");
        StripePrice price = null;
        if (priceId != null && rs.getString("unreadable_reason") == null) {
            boolean recurring = "recurring".equals(rs.getString("price_type"));
            Long trial = Sql.nullableLong(rs, "trial_period_days");
            price = new StripePrice(priceId, recurring, rs.getLong("unit_amount"), rs.getString("currency"),
                    rs.getString("recurring_interval"), rs.getInt("interval_count"),
                    trial == null ? null : trial.intValue(), rs.getString("product_name"),
                    rs.getString("product_description"));
        }
        return new CachedPrice(rs.getString("product_id"), Sql.nullableLong(rs, "read_at"), price,
                rs.getString("unreadable_reason"), Sql.nullableLong(rs, "failed_at"), rs.getString("failure"),
                Sql.nullableLong(rs, "retry_at"));
    }
}
