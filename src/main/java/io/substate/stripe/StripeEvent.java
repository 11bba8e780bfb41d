package io.substate.stripe;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The envelope of a Stripe event, checked; {@code object} is {@code data.object} as sent (its shape follows
 * {@code apiVersion}), {@code previousAttributes} is {@code data.previous_attributes} or null.
 */
public record StripeEvent(
        String id,
        String type,
        long created,
        boolean livemode,
        String apiVersion,
        String account,
        JsonNode object,
        JsonNode previousAttributes) {}
