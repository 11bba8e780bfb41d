package io.substate.projects;

import io.substate.common.ApiException;
import io.substate.http.Page;
import io.substate.storage.Ids;
import java.time.Clock;
import io.substate.http.Access;
import io.substate.http.ProjectKey;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Projects: create, read, rename, change the transfer behavior. */
public final class ProjectService {
    private final ProjectRepository repository;
    private final Clock clock;

    public ProjectService(Jdbi jdbi, Clock clock) {
        this.repository = new ProjectRepository(jdbi);
        this.clock = clock;
    }

    public Project create(String name, Optional<TransferBehavior> transferBehavior) {
        Project project = new Project(Ids.projectId(), name, Ids.secretApiKey(),
                transferBehavior.orElse(TransferBehavior.TRANSFER), clock.millis());
        repository.insert(project);
        return project;
    }

    public Project get(String id) {
        return repository.find(id).orElseThrow(() -> ApiException.notFound("Project", id));
    }

    /** The project key a bearer token is, for {@code AdminAuth}: the project's secret key reads and writes. */
    public Optional<ProjectKey> findKey(String token) {
        if (!token.startsWith("sk_")) {
            return Optional.empty();
        }
        return findBySecretKey(token).map(p -> new ProjectKey(p.id(), Access.READ_WRITE));
    }

    public Optional<Project> findBySecretKey(String key) {
        return repository.findBySecretKey(key);
    }

    public Page<Project> list(String startingAfter, int limit) {
        if (startingAfter != null) {
            get(startingAfter);
        }
        return Page.of(repository.list(startingAfter, limit), limit);
    }

    public Project update(String id, Optional<String> name, Optional<TransferBehavior> transferBehavior) {
        Project current = get(id);
        Project next = new Project(id, name.orElse(current.name()), current.secretApiKey(),
                transferBehavior.orElse(current.transferBehavior()), current.createdAt());
        repository.update(next);
        return next;
    }
}
