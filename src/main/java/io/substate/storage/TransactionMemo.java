package io.substate.storage;

import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;

/**
 * Values read once per group-commit batch instead of once per unit: the batch is one transaction, so a value read
 * from the database by its first unit is what every later unit would read too, unless a unit of the batch changes it
 * (callers must {@link #forget} then). Lives as long as the transaction: GroupCommit clears it when a kept handle
 * starts the next one, and closes a handle whose transaction failed, so nothing read by a rolled-back transaction is
 * reused. Outside group commit (a handle without a {@link CommitterSession})
 * nothing is remembered.
 */
public final class TransactionMemo {
    private TransactionMemo() {}

    @SuppressWarnings("unchecked")
    public static <T> T get(Handle h, Object key, Supplier<T> read) {
        if (!(h.getStatementBuilder() instanceof CommitterSession cache)) {
            return read.get();
        }
        Object known = cache.memo().get(key);
        if (known != null) {
            return (T) known;
        }
        T value = read.get();
        if (value != null) {
            cache.memo().put(key, value);
        }
        return value;
    }

    public static void forget(Handle h, Object key) {
        if (h.getStatementBuilder() instanceof CommitterSession cache) {
            cache.memo().remove(key);
        }
    }
}
