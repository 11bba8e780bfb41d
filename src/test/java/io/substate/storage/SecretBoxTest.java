package io.substate.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.substate.config.EncryptionSettings;
import io.substate.config.InvalidSettingException;
import io.substate.config.Settings;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sealing itself: AES-256-GCM values that open only with their key and never to garbage. */
class SecretBoxTest {
    private static byte[] key() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }

    @Test
    void aSealedValueOpensToItselfAndEachSealingIsDifferent() {
        SecretBox box = new SecretBox(key(), List.of());
        String first = box.seal("whsec_abc é");
        String second = box.seal("whsec_abc é");

        assertThat(first).startsWith("enc:v1:" + box.currentKeyId() + ":").doesNotContain("whsec_abc");
        assertThat(second).isNotEqualTo(first); // a random nonce per value
        assertThat(box.open(first)).isEqualTo("whsec_abc é");
        assertThat(box.open(second)).isEqualTo("whsec_abc é");
        assertThat(box.seal(null)).isNull();
        assertThat(box.open(null)).isNull();
        assertThat(box.needsSealing(first)).isFalse();
    }

    @Test
    void aClearValueOfAnEarlierVersionReadsAsItIsAndNeedsSealing() {
        SecretBox box = new SecretBox(key(), List.of());
        assertThat(box.open("rk_test_clear")).isEqualTo("rk_test_clear");
        assertThat(box.needsSealing("rk_test_clear")).isTrue();
        assertThat(box.open(box.reseal("rk_test_clear"))).isEqualTo("rk_test_clear");
    }

    @Test
    void anOldKeyOpensAndResealingMovesTheValueToTheCurrentKey() {
        byte[] oldKey = key();
        SecretBox before = new SecretBox(oldKey, List.of());
        String sealed = before.seal("sk_old");
        byte[] newKey = key();
        SecretBox after = new SecretBox(newKey, List.of(oldKey));

        assertThat(after.open(sealed)).isEqualTo("sk_old");
        assertThat(after.needsSealing(sealed)).isTrue();
        String resealed = after.reseal(sealed);
        assertThat(resealed).startsWith("enc:v1:" + after.currentKeyId() + ":");
        assertThat(new SecretBox(newKey, List.of()).open(resealed)).isEqualTo("sk_old");
    }

    @Test
    void anotherKeyOrAChangedValueIsARefusalNeverGarbage() {
        SecretBox box = new SecretBox(key(), List.of());
        String sealed = box.seal("whsec_secret");
        SecretBox other = new SecretBox(key(), List.of());

        assertThatThrownBy(() -> other.open(sealed)).isInstanceOf(SecretBox.WrongKeyException.class)
                .hasMessageContaining("encrypted with the key " + box.currentKeyId())
                .hasMessageContaining("the current key is " + other.currentKeyId());
        byte[] raw = Base64.getDecoder().decode(sealed.substring(sealed.lastIndexOf(':') + 1));
        raw[raw.length - 1] ^= 1;
        String changed = sealed.substring(0, sealed.lastIndexOf(':') + 1) + Base64.getEncoder().encodeToString(raw);
        assertThatThrownBy(() -> box.open(changed)).isInstanceOf(SecretBox.WrongKeyException.class)
                .hasMessageContaining("does not decrypt");
    }

    @Test
    void keysMustBeBase64OfThirtyTwoBytesAndAreNeverEchoed() {
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("SUBSTATE_ENCRYPTION_KEY", shortKey)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("SUBSTATE_ENCRYPTION_KEY: must be base64 of 32 bytes (AES-256), not 16 (make one with: "
                        + "openssl rand -base64 32)");
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("SUBSTATE_ENCRYPTION_OLD_KEYS", "not*base64")))
                .isInstanceOf(InvalidSettingException.class).hasMessageStartingWith("SUBSTATE_ENCRYPTION_OLD_KEYS")
                .hasMessageNotContaining("not*base64");
        String good = Base64.getEncoder().encodeToString(key());
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("SUBSTATE_ENCRYPTION_KEY", good,
                "SUBSTATE_ENCRYPTION_KEY_FILE", "/tmp/k"))).isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("not both");
        EncryptionSettings parsed = Settings.fromEnvironment(Map.of("SUBSTATE_ENCRYPTION_KEY", good,
                "SUBSTATE_ENCRYPTION_OLD_KEYS", good + ", " + good.replace('+', '-').replace('/', '_'))).encryption();
        assertThat(parsed.key()).isPresent();
        assertThat(parsed.oldKeys()).hasSize(2);
        assertThat(parsed.oldKeys().get(1)).isEqualTo(parsed.key().get());
    }
}
