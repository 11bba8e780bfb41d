package io.substate.storage;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Identifiers and keys, all drawn from a CSPRNG. Prefixes never collide with Stripe's ({@code sub_}, {@code cus_}…). */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private Ids() {}

    /** {@code prefix} followed by {@code length} random letters and digits. */
    public static String random(String prefix, int length) {
        StringBuilder sb = new StringBuilder(prefix.length() + length).append(prefix);
        for (int i = 0; i < length; i++) {
            sb.append(ALPHANUMERIC[RANDOM.nextInt(ALPHANUMERIC.length)]);
        }
        return sb.toString();
    }

    public static String projectId() {
        return random("proj", 12);
    }

    public static String appId() {
        return random("app", 12);
    }

    public static String entitlementId() {
        return random("entl", 12);
    }

    /** Product ids avoid Stripe's {@code prod_} so the two can never be confused. */
    public static String productId() {
        return random("prdl", 12);
    }

    public static String customerId() {
        return random("cust", 16);
    }

    public static String purchaseId() {
        return random("pur", 16);
    }

    public static String integrationId() {
        return random("whi", 12);
    }

    /** Project secret key: RevenueCat's {@code sk_} prefix, 160 bits of entropy. */
    public static String secretApiKey() {
        return random("sk_", 32);
    }

    /** App public key: {@code strp_} + letters and digits, which RevenueCat's SDKs accept for Stripe apps. */
    public static String publicApiKey() {
        return random("strp_", 32);
    }

    public static String adminToken() {
        return random("adm_", 40);
    }

    /** Standard Webhooks signing secret: {@code whsec_} + base64 of 32 random bytes. */
    public static String signingSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "whsec_" + java.util.Base64.getEncoder().encodeToString(bytes);
    }

    /** RevenueCat anonymous App User ID: {@code $RCAnonymousID:} + 32 lowercase hex digits. */
    public static String anonymousAppUserId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return "$RCAnonymousID:" + HexFormat.of().formatHex(bytes);
    }

    /** A UUID-shaped id for outgoing events, as RevenueCat's are. */
    public static String eventId() {
        return java.util.UUID.randomUUID().toString().toUpperCase(java.util.Locale.ROOT);
    }
}
