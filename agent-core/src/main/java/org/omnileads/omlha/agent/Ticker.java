package org.omnileads.omlha.agent;

/** The agent's monotonic time source, injected so that loops and tests agree on what "now" is. */
@FunctionalInterface
public interface Ticker {
    long nanoTime();

    Ticker SYSTEM = System::nanoTime;
}
