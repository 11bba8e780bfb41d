package io.substate.apps;

import io.substate.common.ApiException;
import io.substate.http.Page;
import io.substate.projects.ProjectService;
import io.substate.storage.Database;
import io.substate.storage.Ids;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Stripe apps of a project: create, read, change settings (rolling the webhook secret), count signature failures. */
public final class AppService {
    /** How long a replaced webhook secret stays valid, as Stripe's own secret roll allows. */
    public static final Duration SECRET_ROLL_GRACE = Duration.ofHours(24);

    /** How long the webhook endpoint may reuse an app it read (see {@link #findForWebhook}). */
    public static final Duration WEBHOOK_APP_REUSE = Duration.ofSeconds(1);

    private record RecentApp(App app, long readAtNanos) {}

    private final java.util.concurrent.ConcurrentHashMap<String, RecentApp> recentApps =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** By public key, for {@link #findByPublicKey}. */
    private final java.util.concurrent.ConcurrentHashMap<String, RecentApp> recentKeys =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final AppRepository repository;
    private final ProjectService projects;
    private final Clock clock;

    public AppService(Database database, ProjectService projects, Clock clock) {
        this.repository = new AppRepository(database.jdbi(), database.dialect());
        this.projects = projects;
        this.clock = clock;
    }

    public AppView create(String projectId, String name, StripeSettingsChange stripe,
            FieldChange<List<String>> allowedOrigins) {
        projects.get(projectId);
        App blank = new App(Ids.appId(), projectId, name, App.TYPE_STRIPE, Ids.publicApiKey(), null, null, null, null,
                false, AppUserIdDetection.ANONYMOUS, null, null, null, clock.millis());
        App app = apply(blank, Optional.empty(), stripe, allowedOrigins);
        repository.insert(app);
        return new AppView(app, new SignatureFailures(0, null, null));
    }

    /** The app, if it belongs to the project; 404 otherwise (an app id under another project's path is unknown). */
    public App get(String projectId, String appId) {
        return view(projectId, appId).app();
    }

    public AppView view(String projectId, String appId) {
        projects.get(projectId);
        return repository.find(appId).filter(v -> v.app().projectId().equals(projectId))
                .orElseThrow(() -> ApiException.notFound("App", appId));
    }

    public Optional<App> find(String appId) {
        return repository.find(appId).map(AppView::app);
    }

    /**
     * The app for its Stripe webhook endpoint, read from the database at most once per {@link #WEBHOOK_APP_REUSE}:
     * every delivery needs the app's secrets and detection settings, and under load this read was a fixed cost per
     * event. A change made through this instance is seen at once (it forgets the app); one made through another
     * instance sharing the database is seen within {@link #WEBHOOK_APP_REUSE}. Unknown ids are never remembered.
     */
    public Optional<App> findForWebhook(String appId) {
        long now = System.nanoTime();
        RecentApp recent = recentApps.get(appId);
        if (recent != null && now - recent.readAtNanos() < WEBHOOK_APP_REUSE.toNanos()) {
            return Optional.of(recent.app());
        }
        Optional<App> app = find(appId);
        app.ifPresentOrElse(a -> recentApps.put(appId, new RecentApp(a, now)), () -> recentApps.remove(appId));
        return app;
    }

    /**
     * The app whose public API key ({@code strp_…}) this is, read from the database at most once per
     * {@link #WEBHOOK_APP_REUSE}, as {@link #findForWebhook} does and for the same reason: every SDK call names its
     * key, and this read was one of the subscriber read's few statements. A change through this instance is seen at
     * once; one through another instance within {@link #WEBHOOK_APP_REUSE}. Unknown keys are never remembered.
     */
    public Optional<App> findByPublicKey(String key) {
        long now = System.nanoTime();
        RecentApp recent = recentKeys.get(key);
        if (recent != null && now - recent.readAtNanos() < WEBHOOK_APP_REUSE.toNanos()) {
            return Optional.of(recent.app());
        }
        Optional<App> app = repository.findByPublicKey(key).map(AppView::app);
        app.ifPresentOrElse(a -> recentKeys.put(key, new RecentApp(a, now)), () -> recentKeys.remove(key));
        return app;
    }

    /** Forgets what this instance reuses of the app (its settings changed, or it is gone). */
    private void forget(String appId) {
        recentApps.remove(appId);
        recentKeys.values().removeIf(recent -> recent.app().id().equals(appId));
    }

    public Page<AppView> list(String projectId, String startingAfter, int limit) {
        projects.get(projectId);
        if (startingAfter != null) {
            view(projectId, startingAfter);
        }
        return Page.of(repository.list(projectId, startingAfter, limit), limit);
    }

    public AppView update(String projectId, String appId, Optional<String> name, StripeSettingsChange stripe,
            FieldChange<List<String>> allowedOrigins) {
        view(projectId, appId);
        try {
            return repository.update(appId, current -> apply(current, name, stripe, allowedOrigins))
                    .orElseThrow(() -> ApiException.notFound("App", appId));
        } finally {
            forget(appId);
        }
    }

    /**
     * Deletes the app and what was recorded through it ({@code AppRepository.delete}); answers when. Its webhook
     * endpoint answers 404 from then on: this instance forgets the app at once, and an instance still reusing it
     * (for up to {@link #WEBHOOK_APP_REUSE}) fails on the foreign keys and then finds it gone.
     */
    public long delete(String projectId, String appId) {
        view(projectId, appId);
        try {
            if (!repository.delete(appId)) {
                throw ApiException.notFound("App", appId);
            }
        } finally {
            forget(appId);
        }
        return clock.millis();
    }

    /** Seals the apps' secrets stored in clear or with an old key, at start ({@code AppRepository.resealSecrets}). */
    public int resealSecrets() {
        return repository.resealSecrets();
    }

    /** Counts a Stripe delivery whose signature did not verify; the reason is shown on the app (no body is kept). */
    public void recordSignatureFailure(String appId, String reason, long nowMillis) {
        repository.recordSignatureFailure(appId, reason, nowMillis);
    }

    private App apply(App current, Optional<String> name, StripeSettingsChange change,
            FieldChange<List<String>> allowedOrigins) {
        String secret = current.webhookSecret();
        String previous = current.previousWebhookSecret();
        Long previousExpiresAt = current.previousWebhookSecretExpiresAt();
        switch (change.webhookSecret().kind()) {
            case SET -> {
                String next = change.webhookSecret().value();
                if (secret != null && !secret.equals(next)) {
                    // Stripe's "roll secret" keeps the old secret signing for up to 24 h; deliveries in flight
                    // were signed with it, so it must keep verifying meanwhile.
                    previous = secret;
                    previousExpiresAt = clock.millis() + SECRET_ROLL_GRACE.toMillis();
                }
                secret = next;
            }
            case CLEAR -> {
                // Removing the secret is an explicit "stop accepting": no grace period for either secret.
                secret = null;
                previous = null;
                previousExpiresAt = null;
            }
            case KEEP -> { }
        }
        AppUserIdDetection detection = change.appUserIdDetection().orElse(current.appUserIdDetection());
        String metadataKey = change.metadataKey().applyTo(current.metadataKey());
        if (detection == AppUserIdDetection.METADATA && metadataKey == null) {
            throw ApiException.invalid("Field 'stripe.metadata_key' is required when 'stripe.app_user_id_detection' "
                    + "is 'metadata': name the Checkout Session or Subscription metadata key that holds the App User ID");
        }
        return new App(current.id(), current.projectId(), name.orElse(current.name()), current.type(),
                current.publicApiKey(), secret, previous, previousExpiresAt,
                change.apiKey().applyTo(current.stripeApiKey()),
                change.trackNewPurchases().orElse(current.trackNewPurchases()), detection, metadataKey,
                change.managementUrl().applyTo(current.managementUrl()), allowedOrigins.applyTo(current.allowedOrigins()),
                current.createdAt());
    }
}
