package io.substate.http;

import java.util.Optional;

/**
 * Finds the project key a bearer token is (the project's secret key, or a key made for it). Implemented by
 * {@code projects}, which sits above {@code http}: the admin routes of every feature reach project keys through this.
 */
@FunctionalInterface
public interface ProjectKeys {
    ProjectKeys NONE = token -> Optional.empty();

    Optional<ProjectKey> find(String token);
}
