package io.substate.projects;

import io.substate.common.Secrets;

/** A project: owns apps, customers, entitlements, products and webhook integrations. */
public record Project(String id, String name, String secretApiKey, TransferBehavior transferBehavior, long createdAt) {
    /** Leaves the secret key out: projects appear in log lines and exception messages. */
    @Override
    public String toString() {
        return "Project[id=" + id + ", name=" + name + ", secretApiKey=" + Secrets.mask(secretApiKey)
                + ", transferBehavior=" + transferBehavior + ", createdAt=" + createdAt + "]";
    }
}
