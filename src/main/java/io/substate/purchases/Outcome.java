package io.substate.purchases;

/** Whether a fact changed the purchase's current view ({@code STALE}: an older subscription snapshot). */
public enum Outcome { PROCESSED, STALE }
