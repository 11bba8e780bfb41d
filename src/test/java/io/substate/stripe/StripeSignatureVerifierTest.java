package io.substate.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.common.Json;
import io.substate.testing.Resources;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

class StripeSignatureVerifierTest {
    static final String PAYLOAD = "{\n  \"id\": \"evt_test_webhook\",\n  \"object\": \"event\"\n}";
    static final String SECRET = "whsec_test_secret";
    static final long T = 1_700_000_000L;

    static Stream<JsonNode> singleSecretVectors() {
        JsonNode vectors = Json.read(Resources.text("stripe/signature-vectors.json")).get("vectors");
        return StreamSupport.stream(vectors.spliterator(), false).filter(v -> v.has("secret"));
    }

    @ParameterizedTest
    @MethodSource("singleSecretVectors")
    void signsAndVerifiesStripesOwnVectors(JsonNode vector) {
        String payload = vector.get("payload").asText();
        String secret = vector.get("secret").asText();
        long t = vector.get("t").asLong();

        assertThat(StripeSignatureVerifier.sign(payload, secret, t)).isEqualTo(vector.get("header").asText());
        assertThatCode(() -> StripeSignatureVerifier.verify(payload, vector.get("header").asText(), List.of(secret), t))
                .doesNotThrowAnyException();
    }

    @Test
    void rolledSecretHeaderVerifiesWithEitherSecretAlone() {
        JsonNode roll = Json.read(Resources.text("stripe/signature-vectors.json")).get("vectors").get(2);
        String header = roll.get("header").asText();
        String payload = roll.get("payload").asText();
        long t = roll.get("t").asLong();

        assertThatCode(() -> StripeSignatureVerifier.verify(payload, header, List.of(roll.get("old_secret").asText()), t))
                .doesNotThrowAnyException();
        assertThatCode(() -> StripeSignatureVerifier.verify(payload, header, List.of(roll.get("new_secret").asText()), t))
                .doesNotThrowAnyException();
        assertFails(payload, header, List.of(SECRET), t, SignatureFailure.NO_MATCHING_SIGNATURE);
    }

    @Test
    void anyOfSeveralConfiguredSecretsMayMatch() {
        String header = StripeSignatureVerifier.sign(PAYLOAD, "whsec_second", T);

        assertThatCode(() -> StripeSignatureVerifier.verify(PAYLOAD, header, List.of("whsec_first", "whsec_second"), T))
                .doesNotThrowAnyException();
    }

    @Test
    void anyOfSeveralV1ValuesMayMatchAndV0IsIgnored() {
        String valid = StripeSignatureVerifier.sign(PAYLOAD, SECRET, T).split(",")[1];
        String header = "t=" + T + ",v1=bad_signature," + valid + ",v0=6ffbb59b2300aae63f272406069a9788598b792a";

        assertThatCode(() -> StripeSignatureVerifier.verify(PAYLOAD, header, List.of(SECRET), T))
                .doesNotThrowAnyException();
    }

    @Test
    void tamperedBodyIsRefusedWithAHintAboutSecretsAndProxies() {
        String header = StripeSignatureVerifier.sign(PAYLOAD, SECRET, T);

        SignatureException failure = assertFails(PAYLOAD + "\n", header, List.of(SECRET), T,
                SignatureFailure.NO_MATCHING_SIGNATURE);
        assertThat(failure.getMessage()).contains("Stripe Webhook Secret", "Signing secret", "live mode", "proxy");
    }

    @Test
    void wrongSecretIsRefused() {
        String header = StripeSignatureVerifier.sign(PAYLOAD, "whsec_other", T);

        assertFails(PAYLOAD, header, List.of(SECRET), T, SignatureFailure.NO_MATCHING_SIGNATURE);
    }

    @Test
    void noConfiguredSecretMatchesNothing() {
        String header = StripeSignatureVerifier.sign(PAYLOAD, SECRET, T);

        assertFails(PAYLOAD, header, List.of(), T, SignatureFailure.NO_MATCHING_SIGNATURE);
    }

    @Test
    void timestampOlderThanFiveMinutesIsRefusedButExactlyFiveMinutesPasses() {
        String header = StripeSignatureVerifier.sign(PAYLOAD, SECRET, T);

        assertThatCode(() -> StripeSignatureVerifier.verify(PAYLOAD, header, List.of(SECRET), T + 300))
                .doesNotThrowAnyException();
        SignatureException failure = assertFails(PAYLOAD, header, List.of(SECRET), T + 301,
                SignatureFailure.TIMESTAMP_TOO_OLD);
        assertThat(failure.getMessage()).contains("301 seconds old", "clock");
    }

    @Test
    void theSignatureIsCheckedOverTheBodyBytesAsReceived() throws Exception {
        // Not UTF-8 (a lone 0xE9, as Latin-1 would send "é"): decoding it and encoding it again changes the bytes.
        byte[] body = concat("{\"id\":\"evt_1\",\"note\":\"caf".getBytes(StandardCharsets.US_ASCII),
                new byte[] {(byte) 0xE9}, "\"}".getBytes(StandardCharsets.US_ASCII));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String header = "t=" + T + ",v1=" + HexFormat.of().formatHex(mac.doFinal(concat(
                (T + ".").getBytes(StandardCharsets.US_ASCII), body)));

        assertThatCode(() -> StripeSignatureVerifier.verify(body, header, List.of(SECRET), T)).doesNotThrowAnyException();
        String decoded = new String(body, StandardCharsets.UTF_8);
        assertFails(decoded, header, List.of(SECRET), T, SignatureFailure.NO_MATCHING_SIGNATURE);
        // Text that is UTF-8 signs and checks the same either way.
        String text = "{\"note\":\"café €\"}";
        String signed = StripeSignatureVerifier.sign(text, SECRET, T);
        assertThatCode(() -> StripeSignatureVerifier.verify(text.getBytes(StandardCharsets.UTF_8),
                signed, List.of(SECRET), T)).doesNotThrowAnyException();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    @Test
    void futureTimestampsPassAsInStripesLibraries() {
        String header = StripeSignatureVerifier.sign(PAYLOAD, SECRET, T + 3_600);

        assertThatCode(() -> StripeSignatureVerifier.verify(PAYLOAD, header, List.of(SECRET), T))
                .doesNotThrowAnyException();
    }

    @Test
    void badSignatureIsCheckedBeforeTheTimestamp() {
        assertFails(PAYLOAD, "t=12345,v1=bad_signature", List.of(SECRET), T, SignatureFailure.NO_MATCHING_SIGNATURE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void missingHeaderIsRefused(String header) {
        SignatureException failure = assertFails(PAYLOAD, header, List.of(SECRET), T, SignatureFailure.MISSING_HEADER);
        assertThat(failure.getMessage()).contains("no Stripe-Signature header");
        assertFails(PAYLOAD, null, List.of(SECRET), T, SignatureFailure.MISSING_HEADER);
    }

    @Test
    void headerWithoutV1IsRefused() {
        String v0Only = "t=" + T + ",v0=" + StripeSignatureVerifier.sign(PAYLOAD, SECRET, T).split("=")[2];

        SignatureException failure = assertFails(PAYLOAD, v0Only, List.of(SECRET), T, SignatureFailure.NO_V1_SIGNATURE);
        assertThat(failure.getMessage()).contains("no v1 signature");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bad_header", "v1=abc", "t=,v1=abc", "t=not_a_number,v1=somesignature", "t=-5,v1=abc",
            "t=0,v1=abc", "t=99999999999999999999999,v1=abc", "t=1.5,v1=abc"})
    void malformedHeadersAreTypedFailuresNeverNumberFormatExceptions(String header) {
        SignatureException failure = assertFails(PAYLOAD, header, List.of(SECRET), T, SignatureFailure.MALFORMED_HEADER);
        assertThat(failure.getMessage()).contains("malformed", "t=<unix seconds>");
    }

    private static SignatureException assertFails(String payload, String header, List<String> secrets, long now,
            SignatureFailure reason) {
        Throwable thrown = catchThrowable(
                () -> StripeSignatureVerifier.verify(payload, header, secrets, now));
        assertThat(thrown).isInstanceOf(SignatureException.class);
        SignatureException failure = (SignatureException) thrown;
        assertThat(failure.reason()).isEqualTo(reason);
        return failure;
    }
}
