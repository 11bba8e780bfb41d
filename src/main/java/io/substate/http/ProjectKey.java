package io.substate.http;

/** A project API key as {@link AdminAuth} sees it: the one project it reaches and what it may do there. */
public record ProjectKey(String projectId, Access access) {}
