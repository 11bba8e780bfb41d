package io.substate.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The keys that encrypt stored secrets (README, "Secrets at rest"): {@code SUBSTATE_ENCRYPTION_KEY} (base64 of 32
 * bytes) or {@code SUBSTATE_ENCRYPTION_KEY_FILE} (a file holding that), and {@code SUBSTATE_ENCRYPTION_OLD_KEYS}
 * (comma-separated, the keys being rotated away from: values still decrypt with them). Only their form is checked
 * here; whether they fit the database is checked when it is opened ({@code storage.SecretBox}).
 *
 * @param key the current key's 32 bytes, when given inline
 * @param keyFile the file holding the current key, when given that way
 */
public record EncryptionSettings(Optional<byte[]> key, Optional<Path> keyFile, List<byte[]> oldKeys) {
    public static final int KEY_BYTES = 32;

    /** No key configured: the database decides (a generated key file on SQLite, a refusal on PostgreSQL). */
    public static EncryptionSettings none() {
        return new EncryptionSettings(Optional.empty(), Optional.empty(), List.of());
    }

    static EncryptionSettings fromEnvironment(Map<String, String> env) {
        Optional<String> inline = nonBlank(env.get("SUBSTATE_ENCRYPTION_KEY"));
        Optional<String> file = nonBlank(env.get("SUBSTATE_ENCRYPTION_KEY_FILE"));
        if (inline.isPresent() && file.isPresent()) {
            throw new InvalidSettingException("SUBSTATE_ENCRYPTION_KEY",
                    "set either it or SUBSTATE_ENCRYPTION_KEY_FILE, not both");
        }
        List<byte[]> old = new ArrayList<>();
        for (String part : nonBlank(env.get("SUBSTATE_ENCRYPTION_OLD_KEYS")).orElse("").split(",")) {
            if (!part.isBlank()) {
                old.add(decode("SUBSTATE_ENCRYPTION_OLD_KEYS", part.trim()));
            }
        }
        return new EncryptionSettings(inline.map(k -> decode("SUBSTATE_ENCRYPTION_KEY", k)), file.map(Path::of),
                List.copyOf(old));
    }

    /** A key as written in a setting or a key file: base64 (standard or URL-safe) of exactly 32 bytes. */
    public static byte[] decode(String setting, String text) {
        byte[] key;
        try {
            String trimmed = text.trim();
            key = trimmed.indexOf('-') >= 0 || trimmed.indexOf('_') >= 0
                    ? Base64.getUrlDecoder().decode(trimmed) : Base64.getDecoder().decode(trimmed);
        } catch (IllegalArgumentException e) {
            // The value itself is never echoed: it is a key.
            throw new InvalidSettingException(setting, "is not base64 (make a key with: openssl rand -base64 32)");
        }
        if (key.length != KEY_BYTES) {
            throw new InvalidSettingException(setting, "must be base64 of " + KEY_BYTES + " bytes (AES-256), not "
                    + key.length + " (make one with: openssl rand -base64 32)");
        }
        return key;
    }

    private static Optional<String> nonBlank(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }
}
