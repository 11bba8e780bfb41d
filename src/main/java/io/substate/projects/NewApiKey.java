package io.substate.projects;

/** A key just made: the stored record and the key in clear, which is answered once and never kept. */
public record NewApiKey(ApiKey stored, String key) {}
