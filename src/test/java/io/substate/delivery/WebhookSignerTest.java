package io.substate.delivery;

import io.substate.storage.Ids;
import io.substate.testing.StandardWebhooksVerifier;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Signing against the Standard Webhooks specification's published test vector, and the test suite's independent
 * verifier against the same vector (so the HTTP tests that use it check the real scheme, not our own code twice).
 */
class WebhookSignerTest {
    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    static final long TIMESTAMP = 1614265330;
    static final String BODY = "{\"test\": 2432232314}";
    static final String EXPECTED = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    @Test
    void signsLikeTheSpecificationsVector() {
        assertThat(WebhookSigner.signatureHeader(List.of(SECRET), ID, TIMESTAMP, BODY)).isEqualTo(EXPECTED);
    }

    @Test
    void independentVerifierAcceptsTheVectorAndRejectsChanges() {
        assertThat(StandardWebhooksVerifier.verifies(SECRET, ID, "1614265330", EXPECTED, BODY, TIMESTAMP)).isTrue();
        assertThat(StandardWebhooksVerifier.verifies(SECRET, ID, "1614265330", EXPECTED, BODY + " ", TIMESTAMP)).isFalse();
        assertThat(StandardWebhooksVerifier.verifies(SECRET, "msg_other", "1614265330", EXPECTED, BODY, TIMESTAMP))
                .isFalse();
        assertThat(StandardWebhooksVerifier.verifies(SECRET, ID, "1614265330", EXPECTED, BODY, TIMESTAMP + 3600))
                .as("outside the 5 minute tolerance").isFalse();
    }

    @Test
    void twoSecretsGiveTwoSpaceSeparatedSignaturesEachVerifying() {
        String other = Ids.signingSecret();

        String header = WebhookSigner.signatureHeader(List.of(other, SECRET), ID, TIMESTAMP, BODY);

        assertThat(header.split(" ")).hasSize(2).allMatch(part -> part.startsWith("v1,"));
        assertThat(header.split(" ")[1]).isEqualTo(EXPECTED);
        assertThat(StandardWebhooksVerifier.verifies(other, ID, "1614265330", header, BODY, TIMESTAMP)).isTrue();
        assertThat(StandardWebhooksVerifier.verifies(SECRET, ID, "1614265330", header, BODY, TIMESTAMP)).isTrue();
        assertThat(StandardWebhooksVerifier.verifies(Ids.signingSecret(), ID, "1614265330", header, BODY, TIMESTAMP))
                .isFalse();
    }
}
