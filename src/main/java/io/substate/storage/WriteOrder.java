package io.substate.storage;

/**
 * The order in which {@link WriteBehind} sends held writes: each table after the tables its rows point at, and each
 * row's insert before its updates. A kind of write not listed here is never held.
 */
public enum WriteOrder {
    CUSTOMER_INSERT,
    CUSTOMER_SEQUENCE,
    CUSTOMER_ALIAS_INSERT,
    PURCHASE_INSERT,
    PURCHASE_UPDATE,
    PURCHASE_TRANSACTION_INSERT,
    SUBSCRIPTION_SPAN_INSERT,
    SUBSCRIPTION_SPAN_UPDATE,
    STRIPE_OBJECT_REF_INSERT,
    OUTGOING_EVENT_INSERT,
    DELIVERY_INSERT,
    STRIPE_EVENT_INSERT
}
