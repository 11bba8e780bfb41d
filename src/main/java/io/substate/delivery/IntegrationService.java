package io.substate.delivery;

import io.substate.apps.AppService;
import io.substate.common.ApiException;
import io.substate.http.Page;
import io.substate.projects.ProjectService;
import io.substate.storage.Dialect;
import io.substate.storage.Ids;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Integrations of a project, of every kind: create, read, change, delete; rotate a webhook's signing secret.
 */
public final class IntegrationService {
    /** How long a rotated signing secret keeps signing, so receivers can switch to the new one without gaps. */
    public static final Duration ROTATION_GRACE = Duration.ofHours(24);

    private final IntegrationRepository repository;
    private final ProjectService projects;
    private final AppService apps;
    private final Clock clock;

    public IntegrationService(Jdbi jdbi, ProjectService projects, AppService apps, Clock clock) {
        this.repository = new IntegrationRepository(jdbi);
        this.projects = projects;
        this.apps = apps;
        this.clock = clock;
    }

    WebhookIntegration create(String projectId, IntegrationKind kind, IntegrationChange change) {
        projects.get(projectId);
        String name = change.name().orElseThrow(() -> ApiException.invalid("Field 'name' is required"));
        Map<String, String> settings = change.applySettings(Map.of());
        String url;
        if (kind == IntegrationKind.WEBHOOK) {
            url = change.url().orElseThrow(() -> ApiException.invalid("Field 'url' is required"));
        } else {
            kind.checkComplete(settings);
            url = kind.endpoint(settings);
        }
        checkApp(projectId, change.appId().value());
        // A service's row has a signing secret too (the column is required); only webhooks use it.
        WebhookIntegration integration = new WebhookIntegration(Ids.integrationId(), projectId, name, url,
                change.authorizationHeader().value(), change.environment().value(), change.eventTypes().value(),
                change.appId().value(), Ids.signingSecret(), null, null, clock.millis(), kind, settings);
        repository.insert(integration);
        return integration;
    }

    /** The webhook integration, if it belongs to the project; 404 otherwise. */
    public WebhookIntegration get(String projectId, String id) {
        return get(projectId, IntegrationKind.WEBHOOK, id);
    }

    /** The integration of this kind, if it belongs to the project; 404 otherwise. */
    WebhookIntegration get(String projectId, IntegrationKind kind, String id) {
        projects.get(projectId);
        return repository.find(id).filter(i -> i.projectId().equals(projectId) && i.kind() == kind)
                .orElseThrow(() -> ApiException.notFound(kind == IntegrationKind.WEBHOOK ? "Webhook integration"
                        : "Integration", id));
    }

    Page<WebhookIntegration> list(String projectId, IntegrationKind kind, String startingAfter, int limit) {
        projects.get(projectId);
        if (startingAfter != null) {
            get(projectId, kind, startingAfter);
        }
        return Page.of(repository.list(projectId, kind, startingAfter, limit), limit);
    }

    WebhookIntegration update(String projectId, IntegrationKind kind, String id, IntegrationChange change) {
        WebhookIntegration current = get(projectId, kind, id);
        String appId = change.appId().applyTo(current.appId());
        if (change.appId().present()) {
            checkApp(projectId, appId);
        }
        Map<String, String> settings = change.applySettings(current.settings());
        String url = change.url().orElse(current.url());
        if (kind != IntegrationKind.WEBHOOK) {
            kind.checkComplete(settings);
            url = kind.endpoint(settings);
        }
        WebhookIntegration next = new WebhookIntegration(id, projectId, change.name().orElse(current.name()),
                url, change.authorizationHeader().applyTo(current.authorizationHeader()),
                change.environment().applyTo(current.environment()), change.eventTypes().applyTo(current.eventTypes()),
                appId, current.signingSecret(), current.previousSigningSecret(), current.previousSecretExpiresAt(),
                current.createdAt(), kind, settings);
        repository.update(next);
        return next;
    }

    void delete(String projectId, IntegrationKind kind, String id) {
        get(projectId, kind, id);
        repository.delete(id);
    }

    /** A new signing secret; the old one keeps signing (a second signature) for {@link #ROTATION_GRACE}. */
    WebhookIntegration rotateSecret(String projectId, String id) {
        WebhookIntegration current = get(projectId, id);
        WebhookIntegration next = new WebhookIntegration(id, projectId, current.name(), current.url(),
                current.authorizationHeader(), current.environment(), current.eventTypes(), current.appId(),
                Ids.signingSecret(), current.signingSecret(), clock.millis() + ROTATION_GRACE.toMillis(),
                current.createdAt(), current.kind(), current.settings());
        repository.update(next);
        return next;
    }

    /** Seals the integrations' secrets stored in clear or with an old key, at start; answers how many rows changed. */
    public int resealSecrets(Dialect dialect) {
        return repository.resealSecrets(dialect);
    }

    private void checkApp(String projectId, String appId) {
        Optional.ofNullable(appId).ifPresent(app -> {
            if (apps.find(app).filter(a -> a.projectId().equals(projectId)).isEmpty()) {
                throw ApiException.invalid("Field 'app_id' must be an app of this project; '" + app
                        + "' is not (use null for all apps)");
            }
        });
    }
}
