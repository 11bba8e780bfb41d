package io.substate.storage;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Identifiers and keys, drawn from a CSPRNG. Prefixes never collide with Stripe's ({@code sub_}, {@code cus_}…).
 *
 * <p>Ids of rows written on every webhook (customers, purchases, outgoing events) start with the time, so new rows
 * sort after old ones: each insert then lands on the last page of its indexes (and of the indexes that lead with
 * those ids, like a customer's events or a purchase's chart facts), where a random id would dirty a different page
 * per row, and every dirty page is written to the WAL at commit. They identify and do not authorize, so the
 * predictable part costs nothing; keys and secrets stay wholly random.
 */
public final class Ids {
    /** What every project API key starts with (see {@link #projectApiKey}). */
    public static final String PROJECT_API_KEY_PREFIX = "sk_api_";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    /** Digits in ASCII order, so that the text order of encoded times is their numeric order. */
    private static final char[] ORDERED_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    /** 62^8 milliseconds is about 6,900 years. */
    private static final int TIME_DIGITS = 8;

    private Ids() {}

    /** {@code prefix} followed by {@code length} random letters and digits. */
    public static String random(String prefix, int length) {
        StringBuilder sb = new StringBuilder(prefix.length() + length).append(prefix);
        for (int i = 0; i < length; i++) {
            sb.append(ALPHANUMERIC[RANDOM.nextInt(ALPHANUMERIC.length)]);
        }
        return sb.toString();
    }

    /**
     * {@code prefix}, the current time in milliseconds as 8 ordered base-62 digits, then {@code length - 8} random
     * letters and digits: ids made later sort later (to the millisecond; within one, randomly).
     */
    public static String ordered(String prefix, int length) {
        return ordered(prefix, length, System.currentTimeMillis());
    }

    static String ordered(String prefix, int length, long epochMillis) {
        if (length <= TIME_DIGITS) {
            throw new IllegalArgumentException("an ordered id needs random digits after the time");
        }
        char[] time = new char[TIME_DIGITS];
        long rest = epochMillis;
        for (int i = TIME_DIGITS - 1; i >= 0; i--) {
            time[i] = ORDERED_DIGITS[(int) (rest % ORDERED_DIGITS.length)];
            rest /= ORDERED_DIGITS.length;
        }
        StringBuilder sb = new StringBuilder(prefix.length() + length).append(prefix).append(time);
        for (int i = TIME_DIGITS; i < length; i++) {
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
        return ordered("cust", 16);
    }

    public static String purchaseId() {
        return ordered("pur", 16);
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

    public static String apiKeyId() {
        return random("key", 12);
    }

    /**
     * Project API key for {@code /v2}: RevenueCat's secret-key prefix {@code sk_}, then {@code api_}, which the
     * project's own secret key ({@link #secretApiKey}, letters and digits after {@code sk_}) never contains, so the
     * two kinds can be told apart without a lookup; 40 random letters and digits (about 238 bits).
     */
    public static String projectApiKey() {
        return random(PROJECT_API_KEY_PREFIX, 40);
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

    /**
     * A UUID-shaped id for outgoing events, as RevenueCat's are: a version 7 UUID (RFC 9562), whose first 48 bits are
     * the time in milliseconds, so new events sort after old ones (see the class comment); the rest is random.
     */
    public static String eventId() {
        return eventId(System.currentTimeMillis());
    }

    static String eventId(long epochMillis) {
        long high = (epochMillis << 16) | 0x7000L | (RANDOM.nextInt() & 0x0FFFL);
        long low = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new java.util.UUID(high, low).toString().toUpperCase(java.util.Locale.ROOT);
    }
}
