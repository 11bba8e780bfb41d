package io.substate.customers;

import io.substate.apps.App;

/**
 * Who calls the RevenueCat v1 API: a project, reached with an app's public key ({@code strp_…}, {@code app} set) or
 * with the project's secret key ({@code sk_…}, {@code app} null).
 */
public record ApiCaller(String projectId, App app, boolean secret) {}
