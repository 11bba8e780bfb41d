package io.substate.apps;

import java.util.function.UnaryOperator;

/**
 * One optional field of a PATCH body: absent keeps the stored value, {@code null} clears it, a value replaces it.
 * {@link java.util.Optional} cannot tell "absent" from "null", which matters for secrets users must be able to remove.
 */
public record FieldChange<T>(Kind kind, T value) {
    /** What the request asked for. */
    public enum Kind { KEEP, CLEAR, SET }

    static <T> FieldChange<T> keep() {
        return new FieldChange<>(Kind.KEEP, null);
    }

    static <T> FieldChange<T> clear() {
        return new FieldChange<>(Kind.CLEAR, null);
    }

    static <T> FieldChange<T> set(T value) {
        return new FieldChange<>(Kind.SET, value);
    }

    /** The kind only: the value may be a secret (a webhook secret, a Stripe API key). */
    @Override
    public String toString() {
        return "FieldChange[" + kind + "]";
    }

    T applyTo(T current) {
        return switch (kind) {
            case KEEP -> current;
            case CLEAR -> null;
            case SET -> value;
        };
    }

    boolean isSet() {
        return kind == Kind.SET;
    }

    /** Validates a set value; keep and clear pass through. */
    FieldChange<T> check(UnaryOperator<T> check) {
        return kind == Kind.SET ? FieldChange.set(check.apply(value)) : this;
    }
}
