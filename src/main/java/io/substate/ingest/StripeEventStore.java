package io.substate.ingest;

import io.substate.storage.ReadAhead;
import io.substate.storage.Sql;
import io.substate.storage.TransactionMemo;
import io.substate.storage.WriteBehind;
import io.substate.storage.WriteOrder;
import io.substate.stripe.StripeEvent;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The Stripe event log ({@code stripe_events}) inside the webhook's transaction; idempotency is its primary key (app,
 * event id). The admin API reads it through {@link StripeEventRepository}.
 */
public final class StripeEventStore {
    static final String COLUMNS = "app_id, event_id, type, created, livemode, api_version, received_at, processed_at, "
            + "status, error_code, error_message, purchase_token, purchase_id, duplicate_deliveries, payload";

    private StripeEventStore() {}

    /** What the log knows of an event before it is processed again: its status and purchase. */
    record Known(StripeEventStatus status, String purchaseId) {}

    /**
     * The log rows of a batch's events, locked, read at once on PostgreSQL ({@link ReadAhead}): a lookup is the app
     * and the event id. Only where {@link #known} locks (it then uses them).
     */
    static final ReadAhead KNOWN_AHEAD = new ReadAhead("SELECT event_id, status, purchase_id FROM stripe_events "
            + "WHERE app_id = ? AND event_id = ANY (?) ORDER BY event_id FOR UPDATE", StripeEventStore::known,
            StripeEventStore::rowKey);

    /** The event's status if it is logged, locked for update where the database supports it. */
    static Optional<Known> known(Handle h, String appId, String eventId, String lockClause) {
        WriteBehind.Key key = rowKey(appId, eventId);
        return WriteBehind.readAheadOr(h, key, Known.class, () -> Sql.first(h, key,
                "SELECT status, purchase_id FROM stripe_events WHERE app_id = ? AND event_id = ?" + lockClause,
                StripeEventStore::known, appId, eventId));
    }

    private static Known known(ResultSet rs) throws SQLException {
        return new Known(StripeEventStatus.of(rs.getString("status")), rs.getString("purchase_id"));
    }

    /**
     * Logs an event with its outcome, in one statement. The webhook path writes the row last, once the outcome is
     * known, instead of inserting it first and updating it: an update rewrites the row (and its payload) and moves it
     * in two indexes. A concurrent insert of the same event fails on the primary key and the unit is run again.
     */
    static void insert(Handle h, String appId, StripeEvent event, String payload, long receivedAt,
            StripeEventStatus status, String errorCode, String errorMessage, String purchaseToken, String purchaseId) {
        List<WriteBehind.Key> touched = status == StripeEventStatus.PARKED
                ? List.of(rowKey(appId, event.id()), parkedKey(appId)) : List.of(rowKey(appId, event.id()));
        WriteBehind.later(h, WriteOrder.STRIPE_EVENT_INSERT, touched,
                "INSERT INTO stripe_events (app_id, event_id, type, created, livemode, api_version, received_at, "
                        + "processed_at, status, error_code, error_message, purchase_token, purchase_id, payload) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                appId, event.id(), event.type(), event.created(), event.livemode(), Sql.text(event.apiVersion()),
                receivedAt, receivedAt, status.value(), Sql.text(errorCode), Sql.text(errorMessage),
                Sql.text(purchaseToken), Sql.text(purchaseId), payload);
    }

    private static WriteBehind.Key rowKey(String appId, String eventId) {
        return WriteBehind.key("stripe_events", appId, eventId);
    }

    /** The app's parked events, for {@link #anyParked}: a held insert of a parked event touches it. */
    private static WriteBehind.Key parkedKey(String appId) {
        return WriteBehind.key("stripe_events parked", appId);
    }

    static void countDuplicate(Handle h, String appId, String eventId) {
        Sql.update(h, "UPDATE stripe_events SET duplicate_deliveries = duplicate_deliveries + 1 "
                + "WHERE app_id = ? AND event_id = ?", appId, eventId);
    }

    static void recordOutcome(Handle h, String appId, String eventId, StripeEventStatus status, String errorCode,
            String errorMessage, String purchaseToken, String purchaseId, long processedAt) {
        Sql.update(h, "UPDATE stripe_events SET status = ?, error_code = ?, error_message = ?, purchase_token = ?, "
                        + "purchase_id = ?, processed_at = ? WHERE app_id = ? AND event_id = ?",
                status.value(), Sql.text(errorCode), Sql.text(errorMessage), Sql.text(purchaseToken),
                Sql.text(purchaseId), processedAt, appId, eventId);
    }

    private record AnyParked(String appId) {}

    private static final String ANY_PARKED = "SELECT 1 FROM stripe_events WHERE app_id = ? AND status = "
            + StripeEventStatus.PARKED.literal() + " LIMIT 1";
    private static final String PARKED_FOR = "SELECT " + COLUMNS + " FROM stripe_events WHERE app_id = ? "
            + "AND purchase_token = ? AND status = " + StripeEventStatus.PARKED.literal() + " ORDER BY created, event_id";

    /**
     * Whether the app has any parked event: read once per batch transaction (most batches create purchases for apps
     * with none, and then need not look for each purchase's). {@link #forgetAnyParked} when parking one.
     */
    static boolean anyParked(Handle h, String appId) {
        return TransactionMemo.get(h, new AnyParked(appId), () -> Sql.first(h, parkedKey(appId), ANY_PARKED,
                rs -> true, appId).isPresent());
    }

    static void forgetAnyParked(Handle h, String appId) {
        TransactionMemo.forget(h, new AnyParked(appId));
    }

    /** Parked events waiting for the purchase {@code token}, oldest Stripe time first. */
    public static List<LoggedStripeEvent> parkedFor(Handle h, String appId, String token) {
        return Sql.list(h, PARKED_FOR, StripeEventStore::map, appId, token);
    }

    /** What a customer's history shows of one Stripe event. */
    public record Touch(String eventId, String type, long receivedAt, StripeEventStatus status, String purchaseId) {}

    /** The Stripe events applied to these purchases, in no particular order. */
    public static List<Touch> forPurchases(Handle h, List<String> purchaseIds) {
        if (purchaseIds.isEmpty()) {
            return List.of();
        }
        return Sql.list(h, "SELECT event_id, type, received_at, status, purchase_id FROM stripe_events "
                        + "WHERE purchase_id IN (" + Sql.marks(purchaseIds.size()) + ")",
                rs -> new Touch(rs.getString("event_id"), rs.getString("type"), rs.getLong("received_at"),
                        StripeEventStatus.of(rs.getString("status")), rs.getString("purchase_id")),
                Sql.params(purchaseIds));
    }

    /** A row of {@link #COLUMNS}. */
    static LoggedStripeEvent map(ResultSet rs) throws SQLException {
        long processedAt = rs.getLong("processed_at");
        Long processed = rs.wasNull() ? null : processedAt;
        return new LoggedStripeEvent(rs.getString("app_id"), rs.getString("event_id"), rs.getString("type"),
                rs.getLong("created"), rs.getBoolean("livemode"), rs.getString("api_version"), rs.getLong("received_at"),
                processed, StripeEventStatus.of(rs.getString("status")), rs.getString("error_code"),
                rs.getString("error_message"), rs.getString("purchase_token"), rs.getString("purchase_id"),
                rs.getLong("duplicate_deliveries"), rs.getString("payload"));
    }

    /** Events whose payloads may be emptied ({@link #prunable}), and when the last of them arrived. */
    public record Prunable(List<String> eventIds, long lastReceivedAt) {}

    /**
     * Up to {@code limit} of the app's events that arrived from {@code fromReceivedAt} and before
     * {@code beforeReceivedAt}, oldest first, whose payloads may be emptied: all but those still parked (their payload
     * is applied later) or failed (an operator may replay them). Reads by {@code (app_id, received_at)}, over every
     * row emptied before {@code fromReceivedAt} too: so it runs on a handle of its own, not in the writer's
     * transaction, which it would otherwise hold as long as that read takes.
     */
    public static Prunable prunable(Handle h, String appId, long fromReceivedAt, long beforeReceivedAt, int limit) {
        List<Object[]> rows = Sql.list(h, "SELECT event_id, received_at FROM stripe_events WHERE app_id = ? "
                        + "AND received_at >= ? AND received_at < ? AND status NOT IN (?, ?) AND payload <> '' "
                        + "ORDER BY received_at LIMIT ?",
                rs -> new Object[] {rs.getString(1), rs.getLong(2)},
                appId, fromReceivedAt, beforeReceivedAt, StripeEventStatus.PARKED.value(),
                StripeEventStatus.FAILED.value(), limit);
        return new Prunable(rows.stream().map(r -> (String) r[0]).toList(),
                rows.isEmpty() ? fromReceivedAt : (Long) rows.get(rows.size() - 1)[1]);
    }

    /**
     * Empties the payloads of those events that may still be emptied (one may have been replayed and failed since
     * {@link #prunable} read it). The row stays: the log, its outcome and idempotency outlive the body. Returns how
     * many were emptied.
     */
    public static int emptyPayloads(Handle h, String appId, List<String> eventIds) {
        List<Object[]> updates = eventIds.stream().map(id -> new Object[] {appId, id, StripeEventStatus.PARKED.value(),
                StripeEventStatus.FAILED.value()}).toList();
        return Sql.changed(Sql.batch(h, "UPDATE stripe_events SET payload = '' WHERE app_id = ? AND event_id = ? "
                + "AND status NOT IN (?, ?) AND payload <> ''", updates));
    }
}
