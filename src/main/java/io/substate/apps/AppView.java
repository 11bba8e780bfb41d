package io.substate.apps;

/** An app with its signature-failure counters, as the admin API shows it. */
public record AppView(App app, SignatureFailures signatureFailures) {}
