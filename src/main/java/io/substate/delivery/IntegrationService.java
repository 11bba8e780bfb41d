package io.substate.delivery;

import io.substate.apps.AppService;
import io.substate.common.ApiException;
import io.substate.http.Page;
import io.substate.projects.ProjectService;
import io.substate.storage.Ids;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Webhook integrations of a project: create, read, change, delete, rotate the signing secret. */
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

    WebhookIntegration create(String projectId, IntegrationChange change) {
        projects.get(projectId);
        String name = change.name().orElseThrow(() -> ApiException.invalid("Field 'name' is required"));
        String url = change.url().orElseThrow(() -> ApiException.invalid("Field 'url' is required"));
        checkApp(projectId, change.appId().value());
        WebhookIntegration integration = new WebhookIntegration(Ids.integrationId(), projectId, name, url,
                change.authorizationHeader().value(), change.environment().value(), change.eventTypes().value(),
                change.appId().value(), Ids.signingSecret(), null, null, clock.millis());
        repository.insert(integration);
        return integration;
    }

    /** The integration, if it belongs to the project; 404 otherwise. */
    public WebhookIntegration get(String projectId, String id) {
        projects.get(projectId);
        return repository.find(id).filter(i -> i.projectId().equals(projectId))
                .orElseThrow(() -> ApiException.notFound("Webhook integration", id));
    }

    Page<WebhookIntegration> list(String projectId, String startingAfter, int limit) {
        projects.get(projectId);
        if (startingAfter != null) {
            get(projectId, startingAfter);
        }
        return Page.of(repository.list(projectId, startingAfter, limit), limit);
    }

    WebhookIntegration update(String projectId, String id, IntegrationChange change) {
        WebhookIntegration current = get(projectId, id);
        String appId = change.appId().applyTo(current.appId());
        if (change.appId().present()) {
            checkApp(projectId, appId);
        }
        WebhookIntegration next = new WebhookIntegration(id, projectId, change.name().orElse(current.name()),
                change.url().orElse(current.url()), change.authorizationHeader().applyTo(current.authorizationHeader()),
                change.environment().applyTo(current.environment()), change.eventTypes().applyTo(current.eventTypes()),
                appId, current.signingSecret(), current.previousSigningSecret(), current.previousSecretExpiresAt(),
                current.createdAt());
        repository.update(next);
        return next;
    }

    void delete(String projectId, String id) {
        get(projectId, id);
        repository.delete(id);
    }

    /** A new signing secret; the old one keeps signing (a second signature) for {@link #ROTATION_GRACE}. */
    WebhookIntegration rotateSecret(String projectId, String id) {
        WebhookIntegration current = get(projectId, id);
        WebhookIntegration next = new WebhookIntegration(id, projectId, current.name(), current.url(),
                current.authorizationHeader(), current.environment(), current.eventTypes(), current.appId(),
                Ids.signingSecret(), current.signingSecret(), clock.millis() + ROTATION_GRACE.toMillis(),
                current.createdAt());
        repository.update(next);
        return next;
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
