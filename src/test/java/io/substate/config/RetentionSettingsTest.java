package io.substate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The retention settings (README, "Retention"): defaults, {@code forever}, and the values refused. */
class RetentionSettingsTest {
    @Test
    void payloadsAndAttemptsAreKeptNinetyDaysByDefault() {
        Retention retention = Settings.fromEnvironment(Map.of()).retention();
        assertThat(retention.stripePayloads()).contains(Duration.ofDays(90));
        assertThat(retention.deliveryAttempts()).contains(Duration.ofDays(90));
        assertThat(retention.tick()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void foreverKeepsThem() {
        Retention retention = Settings.fromEnvironment(Map.of("SUBSTATE_RETENTION_STRIPE_PAYLOADS", "forever",
                "SUBSTATE_RETENTION_DELIVERY_ATTEMPTS", "400d")).retention();
        assertThat(retention.stripePayloads()).isEqualTo(Optional.empty());
        assertThat(retention.deliveryAttempts()).contains(Duration.ofDays(400));
    }

    @Test
    void lessThanADayOrNonsenseIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("SUBSTATE_RETENTION_STRIPE_PAYLOADS", "12h")))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("SUBSTATE_RETENTION_STRIPE_PAYLOADS");
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("SUBSTATE_RETENTION_DELIVERY_ATTEMPTS", "soon")))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("SUBSTATE_RETENTION_DELIVERY_ATTEMPTS");
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("SUBSTATE_RETENTION_TICK", "1ms")))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("SUBSTATE_RETENTION_TICK");
    }
}
