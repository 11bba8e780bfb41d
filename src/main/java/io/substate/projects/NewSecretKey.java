package io.substate.projects;

/** A project with its secret key in clear: the answer of a create or a roll, the only time the key is shown. */
public record NewSecretKey(Project project, String secretApiKey) {}
