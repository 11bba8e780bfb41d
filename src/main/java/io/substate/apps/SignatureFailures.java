package io.substate.apps;

/** How many Stripe deliveries to an app failed signature verification, and the latest reason, so users see why. */
public record SignatureFailures(long count, String lastReason, Long lastAt) {}
