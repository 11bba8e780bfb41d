package io.substate.delivery;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Where one event's delivery to one integration stands: the {@code status} column of {@code deliveries}. */
public enum DeliveryStatus {
    /** Due at {@code next_attempt_at} (a first attempt or a retry). */
    PENDING,
    /** A receiver answered 2xx in time. */
    SUCCEEDED,
    /** Every attempt of the retry schedule failed; a manual redelivery makes it pending again. */
    FAILED;

    /** The stored and answered text: {@code pending}, {@code succeeded}, {@code failed}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<DeliveryStatus> of(String value) {
        return Arrays.stream(values()).filter(s -> s.value().equals(value)).findFirst();
    }
}
