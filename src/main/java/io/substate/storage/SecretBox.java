package io.substate.storage;

import io.substate.config.EncryptionSettings;
import io.substate.config.InvalidSettingException;
import io.substate.config.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.config.JdbiConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secrets encrypted at rest (README, "Secrets at rest"): AES-256-GCM with a random 96-bit nonce per value, stored as
 * {@code enc:v1:<key id>:<base64 of nonce, ciphertext and tag>}. The key id (the first 8 hex digits of the key's
 * SHA-256) names which key a value was sealed with, so a rotation can decrypt old values with an old key and a wrong
 * key is told apart from a damaged value; the tag means a value never decrypts to garbage. Repositories and stores
 * seal what they write and open what they read ({@link #of(Handle)}), so services only ever see clear values.
 * A value without the prefix is a clear one written before encryption existed: it is read as it is, and sealed at the
 * next start ({@code Substate.sealStoredSecrets}).
 */
public final class SecretBox {
    private static final Logger LOG = LoggerFactory.getLogger(SecretBox.class);
    public static final String PREFIX = "enc:v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String currentId;
    /** Every key a value may be sealed with, by id; the current one first. */
    private final Map<String, SecretKeySpec> keys;

    SecretBox(byte[] current, List<byte[]> old) {
        this.keys = new LinkedHashMap<>();
        this.currentId = keyId(current);
        keys.put(currentId, new SecretKeySpec(current, "AES"));
        for (byte[] key : old) {
            keys.putIfAbsent(keyId(key), new SecretKeySpec(key, "AES"));
        }
    }

    /**
     * The box of the configured keys. Without {@code SUBSTATE_ENCRYPTION_KEY} or {@code _FILE}: on SQLite, the key
     * file next to the database ({@code <database>.key}), made on first start; on PostgreSQL, a refusal, since every
     * instance sharing the database needs the same key and a key made on one host would not be on the others.
     */
    static SecretBox load(Settings settings, Dialect dialect) {
        EncryptionSettings encryption = settings.encryption();
        if (encryption.key().isPresent()) {
            return new SecretBox(encryption.key().get(), encryption.oldKeys());
        }
        if (encryption.keyFile().isPresent()) {
            return new SecretBox(readKeyFile("SUBSTATE_ENCRYPTION_KEY_FILE", encryption.keyFile().get()),
                    encryption.oldKeys());
        }
        Optional<Path> beside = dialect == Dialect.SQLITE ? sqliteKeyFile(settings.databaseUrl()) : Optional.empty();
        if (beside.isEmpty()) {
            throw new InvalidSettingException("SUBSTATE_ENCRYPTION_KEY", "is required with "
                    + (dialect == Dialect.SQLITE ? "an in-memory SQLite database" : "PostgreSQL")
                    + ": it encrypts the stored secrets and every instance needs the same one. Make one with "
                    + "'openssl rand -base64 32' and set SUBSTATE_ENCRYPTION_KEY or SUBSTATE_ENCRYPTION_KEY_FILE");
        }
        return new SecretBox(generatedKey(beside.get()), encryption.oldKeys());
    }

    /** {@code <database file>.key}, for a SQLite database in a file. */
    static Optional<Path> sqliteKeyFile(String databaseUrl) {
        String file = databaseUrl.substring("jdbc:sqlite:".length());
        int q = file.indexOf('?');
        String path = q < 0 ? file : file.substring(0, q);
        if (path.isEmpty() || path.equals(":memory:") || path.startsWith("file:")) {
            return Optional.empty();
        }
        return Optional.of(Path.of(path + ".key").toAbsolutePath());
    }

    private static byte[] generatedKey(Path file) {
        if (Files.exists(file)) {
            return readKeyFile("the key file " + file, file);
        }
        byte[] key = new byte[EncryptionSettings.KEY_BYTES];
        RANDOM.nextBytes(key);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path made;
            try {
                made = Files.createFile(file, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                made = Files.createFile(file);
            }
            Files.writeString(made, Base64.getEncoder().encodeToString(key) + "\n", StandardCharsets.US_ASCII);
        } catch (FileAlreadyExistsException e) {
            return readKeyFile("the key file " + file, file); // another process made it first
        } catch (IOException e) {
            throw new InvalidSettingException("SUBSTATE_ENCRYPTION_KEY", "is not set and the key file " + file
                    + " cannot be written (" + e.getMessage() + "); set SUBSTATE_ENCRYPTION_KEY or _FILE");
        }
        LOG.warn("Generated the key that encrypts stored secrets in {} (SUBSTATE_ENCRYPTION_KEY is not set). Back it "
                + "up apart from the database: without it the stored secrets cannot be read.", file);
        return key;
    }

    private static byte[] readKeyFile(String setting, Path file) {
        try {
            return EncryptionSettings.decode(setting, Files.readString(file, StandardCharsets.US_ASCII));
        } catch (NoSuchFileException e) {
            throw new InvalidSettingException(setting, "the file " + file + " does not exist");
        } catch (IOException e) {
            throw new InvalidSettingException(setting, "cannot read " + file + ": " + e.getMessage());
        }
    }

    /** The id written in front of values sealed with this key: not secret, it only tells keys apart. */
    static String keyId(byte[] key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key), 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The box the database was opened with, for a store running in the caller's handle. */
    public static SecretBox of(Handle handle) {
        return handle.getConfig(Config.class).box();
    }

    /** The box the database was opened with, for a repository. */
    public static SecretBox of(Jdbi jdbi) {
        return jdbi.getConfig(Config.class).box();
    }

    void installOn(Jdbi jdbi) {
        jdbi.getConfig(Config.class).box = this;
    }

    /** The id of the current key (shown by {@code substate secrets rotate}). */
    public String currentKeyId() {
        return currentId;
    }

    /** The value sealed with the current key; null stays null. */
    public String seal(String clear) {
        if (clear == null) {
            return null;
        }
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentId), new GCMParameterSpec(TAG_BITS, nonce));
            byte[] sealed = cipher.doFinal(clear.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return PREFIX + currentId + ":" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable in this JVM", e);
        }
    }

    /**
     * The clear value of a stored one; null stays null, and a value stored before encryption (no prefix) is returned
     * as it is. A value sealed with a key not configured, or damaged, throws {@link WrongKeyException}: never garbage.
     */
    public String open(String stored) {
        if (stored == null || !stored.startsWith(PREFIX)) {
            return stored;
        }
        int colon = stored.indexOf(':', PREFIX.length());
        if (colon < 0) {
            throw new WrongKeyException("A stored secret is damaged (no key id)");
        }
        String id = stored.substring(PREFIX.length(), colon);
        SecretKeySpec key = keys.get(id);
        if (key == null) {
            throw new WrongKeyException("Stored secrets were encrypted with the key " + id + ", which is not "
                    + "configured: the current key is " + currentId + ". Set SUBSTATE_ENCRYPTION_KEY (or _FILE) to "
                    + "the key they were encrypted with, or list it in SUBSTATE_ENCRYPTION_OLD_KEYS to rotate to the "
                    + "new one");
        }
        try {
            byte[] in = Base64.getDecoder().decode(stored.substring(colon + 1));
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new WrongKeyException("A stored secret sealed with the key " + id + " does not decrypt: it was "
                    + "changed or damaged in the database");
        }
    }

    /** Whether a stored value should be written again: clear, or sealed with another key than the current one. */
    public boolean needsSealing(String stored) {
        return stored != null && !stored.startsWith(PREFIX + currentId + ":");
    }

    /** The stored value as it should be: opened (which checks it), then sealed with the current key if it is not. */
    public String reseal(String stored) {
        String clear = open(stored);
        return needsSealing(stored) ? seal(clear) : stored;
    }

    /** A stored secret that the configured keys cannot decrypt; the message says which key is missing. */
    public static final class WrongKeyException extends IllegalStateException {
        WrongKeyException(String message) {
            super(message);
        }
    }

    /** How jdbi carries the box to every handle of the database (see {@link #of(Handle)}). */
    public static final class Config implements JdbiConfig<Config> {
        private SecretBox box;

        public Config() {}

        private Config(Config other) {
            this.box = other.box;
        }

        SecretBox box() {
            if (box == null) {
                throw new IllegalStateException("this Jdbi was not opened by storage.Database: no keys for secrets");
            }
            return box;
        }

        @Override
        public Config createCopy() {
            return new Config(this);
        }
    }
}
