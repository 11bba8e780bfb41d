package io.substate.ingest;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/** The Stripe event log as the admin API and the dashboard read it; the webhook writes it through {@link StripeEventStore}. */
public final class StripeEventRepository {
    private static final String COLUMNS = StripeEventStore.COLUMNS;

    private final Jdbi jdbi;

    public StripeEventRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public Optional<LoggedStripeEvent> find(String appId, String eventId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM stripe_events "
                        + "WHERE app_id = :app AND event_id = :id")
                .bind("app", appId).bind("id", eventId).map((rs, ctx) -> StripeEventStore.map(rs)).findOne());
    }

    /** Newest first; {@code status} may be null for all; up to {@code limit + 1} rows for paging. */
    public List<LoggedStripeEvent> list(String appId, StripeEventStatus status, String startingAfter, int limit) {
        return jdbi.withHandle(h -> {
            StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM stripe_events e WHERE app_id = :app");
            if (status != null) {
                sql.append(" AND status = ").append(status.literal());
            }
            if (startingAfter != null) {
                sql.append(" AND (received_at, event_id) < (SELECT received_at, event_id FROM stripe_events "
                        + "WHERE app_id = :app AND event_id = :after)");
            }
            sql.append(" ORDER BY received_at DESC, event_id DESC LIMIT :n");
            Query query = h.createQuery(sql.toString()).bind("app", appId).bind("n", limit + 1);
            if (startingAfter != null) {
                query.bind("after", startingAfter);
            }
            return query.map((rs, ctx) -> StripeEventStore.map(rs)).list();
        });
    }

    /** Event ids of an app's events with this status, oldest first (bulk replay). */
    public List<String> idsWithStatus(String appId, StripeEventStatus status, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT event_id FROM stripe_events WHERE app_id = :app "
                        + "AND status = " + status.literal() + " ORDER BY created, event_id LIMIT :n")
                .bind("app", appId).bind("n", limit).mapTo(String.class).list());
    }
}
