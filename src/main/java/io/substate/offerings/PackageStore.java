package io.substate.offerings;

import io.substate.entitlements.ProductStore;
import io.substate.storage.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** SQL for packages and the products attached to them; every method runs on the caller's handle. */
final class PackageStore {
    private static final String COLUMNS = "k.id, k.offering_id, k.lookup_key, k.display_name, k.position, k.created_at";
    /** The order the SDK shows packages in, and the admin API lists them. */
    private static final String ORDER = " ORDER BY k.position, k.created_at, k.id";

    private PackageStore() {}

    static void insert(Handle h, OfferingPackage pkg) {
        Sql.update(h, "INSERT INTO packages (id, offering_id, lookup_key, display_name, position, created_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?)", pkg.id(), pkg.offeringId(), pkg.lookupKey(), pkg.displayName(),
                pkg.position(), pkg.createdAt());
    }

    static void update(Handle h, OfferingPackage pkg) {
        Sql.update(h, "UPDATE packages SET display_name = ?, position = ? WHERE id = ?", pkg.displayName(),
                pkg.position(), pkg.id());
    }

    /** Deletes the package; the database's cascade detaches its products. */
    static void delete(Handle h, String id) {
        Sql.update(h, "DELETE FROM packages WHERE id = ?", id);
    }

    /** The package, if its offering belongs to the project. */
    static Optional<OfferingPackage> find(Handle h, String projectId, String id) {
        return Sql.first(h, "SELECT " + COLUMNS + " FROM packages k JOIN offerings o ON o.id = k.offering_id "
                + "WHERE k.id = ? AND o.project_id = ?", PackageStore::map, id, projectId);
    }

    static boolean lookupKeyTaken(Handle h, String offeringId, String lookupKey) {
        return Sql.first(h, "SELECT COUNT(*) FROM packages WHERE offering_id = ? AND lookup_key = ?",
                rs -> rs.getLong(1), offeringId, lookupKey).orElseThrow() > 0;
    }

    /** The position after the offering's last package. */
    static int nextPosition(Handle h, String offeringId) {
        return Sql.first(h, "SELECT COALESCE(MAX(position), 0) + 1 FROM packages WHERE offering_id = ?",
                rs -> rs.getInt(1), offeringId).orElseThrow();
    }

    /** Up to {@code limit + 1} packages of the offering after {@code startingAfter}, in position order. */
    static List<OfferingPackage> list(Handle h, String offeringId, String startingAfter, int limit) {
        List<Object> args = new ArrayList<>(List.of(offeringId));
        String sql = "SELECT " + COLUMNS + " FROM packages k WHERE k.offering_id = ?";
        if (startingAfter != null) {
            sql += " AND (k.position, k.created_at, k.id) > (SELECT position, created_at, id FROM packages WHERE id = ?)";
            args.add(startingAfter);
        }
        sql += ORDER + " LIMIT ?";
        args.add(limit + 1);
        return Sql.list(h, sql, PackageStore::map, args.toArray());
    }

    /** Every package of these offerings, by offering id, each list in position order. */
    static Map<String, List<OfferingPackage>> forOfferings(Handle h, Collection<String> offeringIds) {
        Map<String, List<OfferingPackage>> byOffering = new LinkedHashMap<>();
        if (offeringIds.isEmpty()) {
            return byOffering;
        }
        Sql.list(h, "SELECT " + COLUMNS + " FROM packages k WHERE k.offering_id IN (" + Sql.marks(offeringIds.size())
                        + ")" + ORDER, PackageStore::map, Sql.params(offeringIds))
                .forEach(p -> byOffering.computeIfAbsent(p.offeringId(), k -> new ArrayList<>()).add(p));
        return byOffering;
    }

    /** The products of these packages, by package id, each list oldest product first. */
    static Map<String, List<PackageProduct>> products(Handle h, Collection<String> packageIds) {
        Map<String, List<PackageProduct>> byPackage = new LinkedHashMap<>();
        if (packageIds.isEmpty()) {
            return byPackage;
        }
        Sql.list(h, "SELECT pp.package_id, pp.eligibility_criteria, " + ProductStore.COLUMNS
                        + " FROM package_products pp JOIN products p ON p.id = pp.product_id WHERE pp.package_id IN ("
                        + Sql.marks(packageIds.size()) + ") ORDER BY p.created_at, p.id",
                        rs -> new PackageProduct(rs.getString("package_id"), ProductStore.map(rs),
                                rs.getString("eligibility_criteria")), Sql.params(packageIds))
                .forEach(pp -> byPackage.computeIfAbsent(pp.packageId(), k -> new ArrayList<>()).add(pp));
        return byPackage;
    }

    /** Attaches a product; attaching it again changes nothing. */
    static void attach(Handle h, String packageId, String productId, String eligibilityCriteria, long nowMillis) {
        Sql.update(h, "INSERT INTO package_products (package_id, product_id, eligibility_criteria, created_at) "
                        + "VALUES (?, ?, ?, ?) ON CONFLICT (package_id, product_id) DO NOTHING", packageId, productId,
                eligibilityCriteria, nowMillis);
    }

    static void detach(Handle h, String packageId, Collection<String> productIds) {
        if (productIds.isEmpty()) {
            return;
        }
        Sql.update(h, "DELETE FROM package_products WHERE package_id = ? AND product_id IN ("
                + Sql.marks(productIds.size()) + ")", Sql.params(packageId, productIds));
    }

    /** What the SDK of one app sees: each package of the project's offerings with that app's product in it. */
    static List<PackageProduct> appProducts(Handle h, String projectId, String appId) {
        return Sql.list(h, "SELECT pp.package_id, pp.eligibility_criteria, " + ProductStore.COLUMNS
                        + " FROM package_products pp JOIN products p ON p.id = pp.product_id "
                        + "JOIN packages k ON k.id = pp.package_id JOIN offerings o ON o.id = k.offering_id "
                        + "WHERE o.project_id = ? AND p.app_id = ? ORDER BY p.created_at, p.id",
                rs -> new PackageProduct(rs.getString("package_id"), ProductStore.map(rs),
                        rs.getString("eligibility_criteria")), projectId, appId);
    }

    private static OfferingPackage map(ResultSet rs) throws SQLException {
        return new OfferingPackage(rs.getString("id"), rs.getString("offering_id"), rs.getString("lookup_key"),
                rs.getString("display_name"), rs.getInt("position"), rs.getLong("created_at"));
    }
}
