package io.substate.sync;

import io.substate.common.Json;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

/** The imports of apps' Stripe accounts ({@code stripe_imports}): started, advanced page by page, finished, listed. */
public final class StripeImportRepository {
    private static final String COLUMNS = "id, project_id, app_id, status, phase, page_cursor, dry_run, deliver_events,"
            + " counters, started_at, updated_at, finished_at, last_error";
    private static final RowMapper<StripeImportRecord> ROW = (rs, ctx) -> new StripeImportRecord(rs.getString("id"),
            rs.getString("project_id"), rs.getString("app_id"), rs.getString("status"), rs.getString("phase"),
            rs.getString("page_cursor"), rs.getBoolean("dry_run"), rs.getBoolean("deliver_events"),
            Json.read(rs.getString("counters")), rs.getLong("started_at"), rs.getLong("updated_at"),
            io.substate.storage.Sql.nullableLong(rs, "finished_at"), rs.getString("last_error"));

    private final Jdbi jdbi;

    public StripeImportRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** The app's imports, newest first. */
    public List<StripeImportRecord> list(String appId, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM stripe_imports WHERE app_id = :app "
                + "ORDER BY started_at DESC, id DESC LIMIT :limit").bind("app", appId).bind("limit", limit)
                .map(ROW).list());
    }

    public Optional<StripeImportRecord> find(String appId, String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM stripe_imports WHERE app_id = :app "
                + "AND id = :id").bind("app", appId).bind("id", id).map(ROW).findOne());
    }

    /**
     * Claims the app's import for this run, in one transaction: the unfinished one of the same kind (dry run or not)
     * is continued from its cursor, unless {@code restart}, which leaves it failed and starts a new one. Empty when
     * an import of the app is running and was heard from within {@code staleBefore} (another run owns it).
     */
    Optional<StripeImportRecord> claim(String newId, String projectId, String appId, boolean dryRun,
            boolean deliverEvents, boolean restart, String firstPhase, String emptyCounters, long now,
            long staleBefore) {
        try {
            return claimOnce(newId, projectId, appId, dryRun, deliverEvents, restart, firstPhase, emptyCounters, now,
                    staleBefore);
        } catch (RuntimeException e) {
            // Two starts at once on PostgreSQL: the unique index on running imports lets one win.
            if (io.substate.storage.Constraints.isUniqueViolation(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private Optional<StripeImportRecord> claimOnce(String newId, String projectId, String appId, boolean dryRun,
            boolean deliverEvents, boolean restart, String firstPhase, String emptyCounters, long now,
            long staleBefore) {
        return jdbi.inTransaction(h -> {
            Optional<StripeImportRecord> running = h.createQuery("SELECT " + COLUMNS + " FROM stripe_imports "
                    + "WHERE app_id = :app AND status = 'running'").bind("app", appId).map(ROW).findOne();
            if (running.isPresent() && running.get().updatedAt() >= staleBefore) {
                return Optional.empty();
            }
            // A run that stopped without saying so (the process died) is failed, and may be continued.
            running.ifPresent(r -> h.createUpdate("UPDATE stripe_imports SET status = 'failed', last_error = "
                    + "'stopped without finishing (the process ended)' WHERE id = :id").bind("id", r.id()).execute());
            Optional<StripeImportRecord> unfinished = restart ? Optional.empty() : h.createQuery("SELECT " + COLUMNS
                    + " FROM stripe_imports WHERE app_id = :app AND status = 'failed' AND dry_run = :dry "
                    + "ORDER BY started_at DESC, id DESC LIMIT 1").bind("app", appId).bind("dry", dryRun).map(ROW)
                    .findOne();
            if (unfinished.isPresent()) {
                h.createUpdate("UPDATE stripe_imports SET status = 'running', deliver_events = :deliver, "
                        + "updated_at = :now, finished_at = NULL WHERE id = :id").bind("deliver", deliverEvents)
                        .bind("now", now).bind("id", unfinished.get().id()).execute();
            } else {
                if (restart) {
                    // Nothing of an earlier import is continued after a restart: it stays failed, its cursor dropped.
                    h.createUpdate("UPDATE stripe_imports SET page_cursor = NULL WHERE app_id = :app AND status = "
                            + "'failed' AND dry_run = :dry").bind("app", appId).bind("dry", dryRun).execute();
                    h.createUpdate("UPDATE stripe_imports SET status = 'abandoned' WHERE app_id = :app AND status = "
                            + "'failed' AND dry_run = :dry").bind("app", appId).bind("dry", dryRun).execute();
                }
                h.createUpdate("INSERT INTO stripe_imports (" + COLUMNS + ") VALUES (:id, :project, :app, 'running', "
                        + ":phase, NULL, :dry, :deliver, :counters, :now, :now, NULL, NULL)").bind("id", newId)
                        .bind("project", projectId).bind("app", appId).bind("phase", firstPhase).bind("dry", dryRun)
                        .bind("deliver", deliverEvents).bind("counters", emptyCounters).bind("now", now).execute();
            }
            String id = unfinished.map(StripeImportRecord::id).orElse(newId);
            return h.createQuery("SELECT " + COLUMNS + " FROM stripe_imports WHERE id = :id").bind("id", id).map(ROW)
                    .findOne();
        });
    }

    /** A page fully applied: the phase and cursor to continue from, and the counts. */
    void advance(String id, String phase, String cursor, String counters, long now) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE stripe_imports SET phase = :phase, page_cursor = :cursor, "
                + "counters = :counters, updated_at = :now WHERE id = :id").bind("phase", phase)
                .bind("cursor", cursor).bind("counters", counters).bind("now", now).bind("id", id).execute());
    }

    /** Progress within a page (the counts, and a sign of life for {@link #claim}); the cursor stays. */
    void heartbeat(String id, String counters, long now) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE stripe_imports SET counters = :counters, updated_at = :now "
                + "WHERE id = :id").bind("counters", counters).bind("now", now).bind("id", id).execute());
    }

    /** The end of a run: completed, or failed with why (its cursor kept for the next run). */
    StripeImportRecord finish(String id, String status, String counters, String error, long now) {
        return jdbi.inTransaction(h -> {
            h.createUpdate("UPDATE stripe_imports SET status = :status, counters = :counters, last_error = :error, "
                    + "updated_at = :now, finished_at = :now WHERE id = :id").bind("status", status)
                    .bind("counters", counters).bind("error", error).bind("now", now).bind("id", id).execute();
            return h.createQuery("SELECT " + COLUMNS + " FROM stripe_imports WHERE id = :id").bind("id", id).map(ROW)
                    .one();
        });
    }
}
