package io.substate.apps;

import io.substate.storage.Dialect;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

final class AppRepository {
    private static final String COLUMNS = """
            id, project_id, name, type, public_api_key, webhook_secret, previous_webhook_secret,
            previous_webhook_secret_expires_at, stripe_api_key, track_new_purchases, app_user_id_detection,
            metadata_key, management_url, allowed_origins, signature_failures, last_signature_failure_reason,
            last_signature_failure_at, created_at""";

    private final Jdbi jdbi;
    private final Dialect dialect;

    AppRepository(Jdbi jdbi, Dialect dialect) {
        this.jdbi = jdbi;
        this.dialect = dialect;
    }

    void insert(App app) {
        jdbi.useHandle(handle -> handle.createUpdate("""
                        INSERT INTO apps (id, project_id, name, type, public_api_key, webhook_secret,
                            previous_webhook_secret, previous_webhook_secret_expires_at, stripe_api_key,
                            track_new_purchases, app_user_id_detection, metadata_key, management_url, allowed_origins,
                            created_at)
                        VALUES (:id, :projectId, :name, :type, :publicApiKey, :webhookSecret, :previousWebhookSecret,
                            :previousWebhookSecretExpiresAt, :stripeApiKey, :trackNewPurchases, :detection,
                            :metadataKey, :managementUrl, :origins, :createdAt)""")
                .bindMethods(app).bind("detection", app.appUserIdDetection().value())
                .bind("origins", AllowedOrigins.toColumn(app.allowedOrigins())).execute());
    }

    Optional<AppView> find(String id) {
        return jdbi.withHandle(handle -> find(handle, id, ""));
    }

    Optional<AppView> findByPublicKey(String key) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM apps WHERE public_api_key = :key")
                .bind("key", key).map(AppRepository::map).findOne());
    }

    /** Up to {@code limit + 1} apps of the project after {@code startingAfter}, oldest first. */
    List<AppView> list(String projectId, String startingAfter, int limit) {
        return jdbi.withHandle(handle -> {
            if (startingAfter == null) {
                return handle.createQuery("SELECT " + COLUMNS
                                + " FROM apps WHERE project_id = :project ORDER BY created_at, id LIMIT :n")
                        .bind("project", projectId).bind("n", limit + 1).map(AppRepository::map).list();
            }
            return handle.createQuery("SELECT " + COLUMNS + " FROM apps WHERE project_id = :project AND (created_at, id) > "
                            + "(SELECT created_at, id FROM apps WHERE id = :after) ORDER BY created_at, id LIMIT :n")
                    .bind("project", projectId).bind("after", startingAfter).bind("n", limit + 1)
                    .map(AppRepository::map).list();
        });
    }

    /**
     * Reads the app with a row lock, lets {@code change} compute the next state and writes it, in one transaction:
     * two concurrent secret rolls must not lose the previous secret.
     */
    Optional<AppView> update(String id, java.util.function.UnaryOperator<App> change) {
        return jdbi.inTransaction(handle -> {
            Optional<AppView> current = find(handle, id, dialect.forUpdate());
            if (current.isEmpty()) {
                return Optional.empty();
            }
            App next = change.apply(current.get().app());
            handle.createUpdate("""
                            UPDATE apps SET name = :name, webhook_secret = :webhookSecret,
                                previous_webhook_secret = :previousWebhookSecret,
                                previous_webhook_secret_expires_at = :previousWebhookSecretExpiresAt,
                                stripe_api_key = :stripeApiKey, track_new_purchases = :trackNewPurchases,
                                app_user_id_detection = :detection, metadata_key = :metadataKey,
                                management_url = :managementUrl, allowed_origins = :origins
                            WHERE id = :id""")
                    .bindMethods(next).bind("detection", next.appUserIdDetection().value())
                    .bind("origins", AllowedOrigins.toColumn(next.allowedOrigins())).execute();
            return Optional.of(new AppView(next, current.get().signatureFailures()));
        });
    }

    /**
     * Deletes the app and everything recorded through it, in one transaction (README, "Deleting an app"): the webhook
     * integrations limited to it (their deliveries go with them), its purchases (their chart facts, transactions and
     * Stripe object links go with them, by cascade), its Stripe event log, its products (their attachments to
     * entitlements and packages and their cached Stripe prices go with them, by cascade), then the app, with its
     * keys and secrets. Customers, outgoing events already written and other integrations' deliveries stay: they
     * belong to the project. Other features' tables are named here because the foreign keys to {@code apps} are
     * what decides what an app's deletion must take; they are listed in the order those keys require.
     * False when no such app exists.
     */
    boolean delete(String id) {
        return jdbi.inTransaction(handle -> {
            for (String table : List.of("webhook_integrations", "stripe_object_refs", "purchases", "stripe_events",
                    "products")) {
                handle.createUpdate("DELETE FROM " + table + " WHERE app_id = :id").bind("id", id).execute();
            }
            return handle.createUpdate("DELETE FROM apps WHERE id = :id").bind("id", id).execute() > 0;
        });
    }

    void recordSignatureFailure(String id, String reason, long nowMillis) {
        jdbi.useHandle(handle -> handle.createUpdate("""
                        UPDATE apps SET signature_failures = signature_failures + 1,
                            last_signature_failure_reason = :reason, last_signature_failure_at = :at
                        WHERE id = :id""")
                .bind("id", id).bind("reason", reason).bind("at", nowMillis).execute());
    }

    private static Optional<AppView> find(Handle handle, String id, String lock) {
        return handle.createQuery("SELECT " + COLUMNS + " FROM apps WHERE id = :id" + lock).bind("id", id)
                .map(AppRepository::map).findOne();
    }

    private static AppView map(ResultSet rs, StatementContext ctx) throws SQLException {
        App app = new App(rs.getString("id"), rs.getString("project_id"), rs.getString("name"), rs.getString("type"),
                rs.getString("public_api_key"), rs.getString("webhook_secret"), rs.getString("previous_webhook_secret"),
                nullableLong(rs, "previous_webhook_secret_expires_at"), rs.getString("stripe_api_key"),
                rs.getBoolean("track_new_purchases"), AppUserIdDetection.of(rs.getString("app_user_id_detection")),
                rs.getString("metadata_key"), rs.getString("management_url"),
                AllowedOrigins.fromColumn(rs.getString("allowed_origins")), rs.getLong("created_at"));
        SignatureFailures failures = new SignatureFailures(rs.getLong("signature_failures"),
                rs.getString("last_signature_failure_reason"), nullableLong(rs, "last_signature_failure_at"));
        return new AppView(app, failures);
    }

    private static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }
}
