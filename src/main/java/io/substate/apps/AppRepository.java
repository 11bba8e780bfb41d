package io.substate.apps;

import io.substate.storage.Dialect;
import io.substate.storage.SecretBox;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The {@code apps} table. The webhook secrets and the Stripe API key are sealed ({@link SecretBox}) on the way in and
 * opened on the way out: the rest of the code sees them in clear, the database never does.
 */
final class AppRepository {
    private static final String COLUMNS = """
            id, project_id, name, type, public_api_key, webhook_secret, previous_webhook_secret,
            previous_webhook_secret_expires_at, stripe_api_key, track_new_purchases, app_user_id_detection,
            metadata_key, management_url, allowed_origins, signature_failures, last_signature_failure_reason,
            last_signature_failure_at, created_at""";

    private final Jdbi jdbi;
    private final Dialect dialect;
    private final SecretBox box;

    AppRepository(Jdbi jdbi, Dialect dialect) {
        this.jdbi = jdbi;
        this.dialect = dialect;
        this.box = SecretBox.of(jdbi);
    }

    /** The app as stored: its secrets sealed. */
    private App sealed(App app) {
        return new App(app.id(), app.projectId(), app.name(), app.type(), app.publicApiKey(),
                box.seal(app.webhookSecret()), box.seal(app.previousWebhookSecret()),
                app.previousWebhookSecretExpiresAt(), box.seal(app.stripeApiKey()), app.trackNewPurchases(),
                app.appUserIdDetection(), app.metadataKey(), app.managementUrl(), app.allowedOrigins(), app.createdAt());
    }

    /**
     * Seals every secret stored in clear (before encryption) or with an old key (a rotation), and checks that every
     * other one opens; answers how many values were written again. Each row is locked while it changes, so a
     * concurrent update is not lost.
     */
    int resealSecrets() {
        List<String> ids = jdbi.withHandle(h -> h.createQuery("SELECT id FROM apps").mapTo(String.class).list());
        int written = 0;
        for (String id : ids) {
            written += jdbi.inTransaction(h -> {
                var row = h.createQuery("SELECT webhook_secret, previous_webhook_secret, stripe_api_key FROM apps "
                                + "WHERE id = :id" + dialect.forUpdate()).bind("id", id)
                        .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)}).findOne();
                if (row.isEmpty()) {
                    return 0;
                }
                String[] stored = row.get();
                int changed = 0;
                for (String value : stored) {
                    box.open(value); // a value no configured key opens stops the start here
                    changed += box.needsSealing(value) ? 1 : 0;
                }
                if (changed > 0) {
                    h.createUpdate("UPDATE apps SET webhook_secret = :a, previous_webhook_secret = :b, "
                                    + "stripe_api_key = :c WHERE id = :id").bind("id", id)
                            .bind("a", box.reseal(stored[0])).bind("b", box.reseal(stored[1]))
                            .bind("c", box.reseal(stored[2])).execute();
                }
                return changed;
            });
        }
        return written;
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
                .bindMethods(sealed(app)).bind("detection", app.appUserIdDetection().value())
                .bind("origins", AllowedOrigins.toColumn(app.allowedOrigins())).execute());
    }

    Optional<AppView> find(String id) {
        return jdbi.withHandle(handle -> find(handle, id, ""));
    }

    Optional<AppView> findByPublicKey(String key) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM apps WHERE public_api_key = :key")
                .bind("key", key).map(this::map).findOne());
    }

    /** Up to {@code limit + 1} apps of the project after {@code startingAfter}, oldest first. */
    List<AppView> list(String projectId, String startingAfter, int limit) {
        return jdbi.withHandle(handle -> {
            if (startingAfter == null) {
                return handle.createQuery("SELECT " + COLUMNS
                                + " FROM apps WHERE project_id = :project ORDER BY created_at, id LIMIT :n")
                        .bind("project", projectId).bind("n", limit + 1).map(this::map).list();
            }
            return handle.createQuery("SELECT " + COLUMNS + " FROM apps WHERE project_id = :project AND (created_at, id) > "
                            + "(SELECT created_at, id FROM apps WHERE id = :after) ORDER BY created_at, id LIMIT :n")
                    .bind("project", projectId).bind("after", startingAfter).bind("n", limit + 1)
                    .map(this::map).list();
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
                    .bindMethods(sealed(next)).bind("detection", next.appUserIdDetection().value())
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

    private Optional<AppView> find(Handle handle, String id, String lock) {
        return handle.createQuery("SELECT " + COLUMNS + " FROM apps WHERE id = :id" + lock).bind("id", id)
                .map(this::map).findOne();
    }

    private AppView map(ResultSet rs, StatementContext ctx) throws SQLException {
        App app = new App(rs.getString("id"), rs.getString("project_id"), rs.getString("name"), rs.getString("type"),
                rs.getString("public_api_key"), box.open(rs.getString("webhook_secret")),
                box.open(rs.getString("previous_webhook_secret")),
                nullableLong(rs, "previous_webhook_secret_expires_at"), box.open(rs.getString("stripe_api_key")),
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
