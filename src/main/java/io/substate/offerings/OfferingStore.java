package io.substate.offerings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import io.substate.storage.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;

/**
 * SQL for offerings and what names them: placements and per-customer overrides. Every method runs on the caller's
 * handle, in the caller's transaction.
 */
final class OfferingStore {
    private static final String COLUMNS = "id, project_id, lookup_key, display_name, metadata, is_current, created_at";

    private OfferingStore() {}

    static void insert(Handle h, Offering offering) {
        Sql.update(h, "INSERT INTO offerings (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)", offering.id(),
                offering.projectId(), offering.lookupKey(), offering.displayName(), metadataText(offering.metadata()),
                offering.current(), offering.createdAt());
    }

    /** Writes the display name and metadata; whether it is current changes only through {@link #makeCurrent}. */
    static void update(Handle h, Offering offering) {
        Sql.update(h, "UPDATE offerings SET display_name = ?, metadata = ? WHERE id = ?", offering.displayName(),
                metadataText(offering.metadata()), offering.id());
    }

    /** Makes the offering the project's only current one (the unique index allows one). */
    static void makeCurrent(Handle h, String projectId, String id) {
        Sql.update(h, "UPDATE offerings SET is_current = ? WHERE project_id = ? AND is_current = ? AND id <> ?", false,
                projectId, true, id);
        Sql.update(h, "UPDATE offerings SET is_current = ? WHERE id = ?", true, id);
    }

    /** Deletes the offering; the database's cascade takes its packages, their products and the overrides naming it. */
    static void delete(Handle h, String id) {
        Sql.update(h, "DELETE FROM offerings WHERE id = ?", id);
    }

    static Optional<Offering> find(Handle h, String projectId, String id) {
        return Sql.first(h, "SELECT " + COLUMNS + " FROM offerings WHERE id = ? AND project_id = ?",
                OfferingStore::map, id, projectId);
    }

    /** The offering with this id, else the one with this lookup key. */
    static Optional<Offering> findByIdOrLookupKey(Handle h, String projectId, String idOrLookupKey) {
        return find(h, projectId, idOrLookupKey).or(() -> Sql.first(h, "SELECT " + COLUMNS
                + " FROM offerings WHERE project_id = ? AND lookup_key = ?", OfferingStore::map, projectId,
                idOrLookupKey));
    }

    static Optional<Offering> current(Handle h, String projectId) {
        return Sql.first(h, "SELECT " + COLUMNS + " FROM offerings WHERE project_id = ? AND is_current = ?",
                OfferingStore::map, projectId, true);
    }

    static long count(Handle h, String projectId) {
        return Sql.first(h, "SELECT COUNT(*) FROM offerings WHERE project_id = ?", rs -> rs.getLong(1), projectId)
                .orElseThrow();
    }

    static boolean lookupKeyTaken(Handle h, String projectId, String lookupKey) {
        return Sql.first(h, "SELECT COUNT(*) FROM offerings WHERE project_id = ? AND lookup_key = ?",
                rs -> rs.getLong(1), projectId, lookupKey).orElseThrow() > 0;
    }

    /** Up to {@code limit + 1} offerings after {@code startingAfter}, oldest first. */
    static List<Offering> list(Handle h, String projectId, String startingAfter, int limit) {
        List<Object> args = new ArrayList<>(List.of(projectId));
        String sql = "SELECT " + COLUMNS + " FROM offerings WHERE project_id = ?";
        if (startingAfter != null) {
            sql += " AND (created_at, id) > (SELECT created_at, id FROM offerings WHERE id = ?)";
            args.add(startingAfter);
        }
        sql += " ORDER BY created_at, id LIMIT ?";
        args.add(limit + 1);
        return Sql.list(h, sql, OfferingStore::map, args.toArray());
    }

    /** Every offering of the project, oldest first. */
    static List<Offering> all(Handle h, String projectId) {
        return Sql.list(h, "SELECT " + COLUMNS + " FROM offerings WHERE project_id = ? ORDER BY created_at, id",
                OfferingStore::map, projectId);
    }

    static Placements placements(Handle h, String projectId) {
        String fallback = Sql.first(h, "SELECT offering_id FROM placement_fallbacks WHERE project_id = ?",
                rs -> rs.getString(1), projectId).orElse(null);
        Map<String, String> byPlacement = new TreeMap<>();
        Sql.list(h, "SELECT placement_id, offering_id FROM placements WHERE project_id = ?",
                        rs -> Map.entry(rs.getString(1), Optional.ofNullable(rs.getString(2))), projectId)
                .forEach(row -> byPlacement.put(row.getKey(), row.getValue().orElse(null)));
        return new Placements(fallback, Collections.unmodifiableMap(byPlacement));
    }

    /** Replaces the project's placements and fallback with these. */
    static void replacePlacements(Handle h, String projectId, Placements placements) {
        Sql.update(h, "DELETE FROM placements WHERE project_id = ?", projectId);
        Sql.update(h, "DELETE FROM placement_fallbacks WHERE project_id = ?", projectId);
        if (placements.fallbackOfferingId() != null) {
            Sql.update(h, "INSERT INTO placement_fallbacks (project_id, offering_id) VALUES (?, ?)", projectId,
                    placements.fallbackOfferingId());
        }
        List<Object[]> rows = new ArrayList<>();
        placements.offeringIdsByPlacement().forEach((placement, offering) ->
                rows.add(new Object[] {projectId, placement, Sql.text(offering)}));
        Sql.batch(h, "INSERT INTO placements (project_id, placement_id, offering_id) VALUES (?, ?, ?)", rows);
    }

    /** The placements that name the offering, sorted; {@code (fallback)} stands for the fallback. */
    static List<String> placementsNaming(Handle h, String offeringId) {
        List<String> names = new ArrayList<>();
        if (Sql.first(h, "SELECT 1 FROM placement_fallbacks WHERE offering_id = ?", rs -> 1, offeringId).isPresent()) {
            names.add("(fallback)");
        }
        names.addAll(Sql.list(h, "SELECT placement_id FROM placements WHERE offering_id = ? ORDER BY placement_id",
                rs -> rs.getString(1), offeringId));
        return names;
    }

    /** The offering a customer was given instead of the current one, if any. */
    static Optional<String> overrideOf(Handle h, String customerId) {
        return Sql.first(h, "SELECT offering_id FROM offering_overrides WHERE customer_id = ?", rs -> rs.getString(1),
                customerId);
    }

    static void setOverride(Handle h, String customerId, String offeringId, long nowMillis) {
        Sql.update(h, "INSERT INTO offering_overrides (customer_id, offering_id, created_at) VALUES (?, ?, ?) "
                + "ON CONFLICT (customer_id) DO UPDATE SET offering_id = excluded.offering_id, "
                + "created_at = excluded.created_at", customerId, offeringId, nowMillis);
    }

    static void clearOverride(Handle h, String customerId) {
        Sql.update(h, "DELETE FROM offering_overrides WHERE customer_id = ?", customerId);
    }

    private static Object metadataText(ObjectNode metadata) {
        return Sql.text(metadata == null ? null : Json.write(metadata));
    }

    private static Offering map(ResultSet rs) throws SQLException {
        String metadata = rs.getString("metadata");
        JsonNode parsed = metadata == null ? null : Json.read(metadata);
        return new Offering(rs.getString("id"), rs.getString("project_id"), rs.getString("lookup_key"),
                rs.getString("display_name"), parsed instanceof ObjectNode object ? object : null,
                rs.getBoolean("is_current"), rs.getLong("created_at"));
    }
}
