package io.substate.http;

/** What a project API key may do on {@code /v2}: read (GET) or also write (every other method). */
public enum Access {
    READ_ONLY,
    READ_WRITE;

    /** RevenueCat's name for it, as in {@code "permissions": "read_only"}. */
    public String value() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public boolean allows(Access needed) {
        return this == READ_WRITE || needed == READ_ONLY;
    }
}
