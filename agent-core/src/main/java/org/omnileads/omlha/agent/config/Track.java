package org.omnileads.omlha.agent.config;

/**
 * A probe a group tracks: while the probe is down the group's priority changes by {@code weight}
 * (-254..254); weight 0 puts the group in FAULT instead (keepalived's track_script semantics).
 */
public record Track(String probe, int weight) {
}
