package io.substate.projects;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** What happens when another App User ID posts a token that an identified customer already owns (RevenueCat's restore behavior). */
public enum TransferBehavior {
    TRANSFER,
    TRANSFER_IF_NO_ACTIVE_SUBS,
    KEEP_WITH_ORIGINAL;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TransferBehavior of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    public static List<String> values_() {
        return Arrays.stream(values()).map(TransferBehavior::value).toList();
    }
}
