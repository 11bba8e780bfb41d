package io.substate.config;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code SUBSTATE_DATABASE_TIMEOUT} and {@code SUBSTATE_DATABASE_QUERY_TIMEOUT}: defaults, syntax, bounds. */
class DatabaseTimeoutSettingsTest {
    @Test
    void defaultsAreFiveAndThirtySeconds() {
        Settings settings = Settings.fromEnvironment(Map.of());
        assertThat(settings.databaseTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.databaseQueryTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void bothTakeTheShortDurationSyntax() {
        Settings settings = Settings.fromEnvironment(Map.of("SUBSTATE_DATABASE_TIMEOUT", "1500ms",
                "SUBSTATE_DATABASE_QUERY_TIMEOUT", "2m"));
        assertThat(settings.databaseTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(settings.databaseQueryTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(settings.withPort(9).databaseTimeout()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void valuesOutOfBoundsAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("SUBSTATE_DATABASE_TIMEOUT", "100ms")))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("SUBSTATE_DATABASE_TIMEOUT");
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("SUBSTATE_DATABASE_TIMEOUT", "soon")))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("SUBSTATE_DATABASE_TIMEOUT");
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("SUBSTATE_DATABASE_QUERY_TIMEOUT", "0s")))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("SUBSTATE_DATABASE_QUERY_TIMEOUT");
    }
}
