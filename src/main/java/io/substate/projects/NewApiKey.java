package io.substate.projects;

import io.substate.common.Secrets;

/** A key just made: the stored record and the key in clear, which is answered once and never kept. */
public record NewApiKey(ApiKey stored, String key) {
    @Override
    public String toString() {
        return "NewApiKey[stored=" + stored + ", key=" + Secrets.mask(key) + "]";
    }
}
