package org.omnileads.omlha.agent.config;

/**
 * A probe a group tracks, with keepalived's track_script semantics: weight 0 puts the group in FAULT while the
 * probe is down; a negative weight is added to the priority while the probe is down; a positive weight is added
 * while it is up. Weights range over -254..254.
 */
public record Track(String probe, int weight) {
}
