package org.omnileads.omlha.vrrp.fsm;

/**
 * The states of a VRRP virtual router: RFC 5798 §6.4 (Initialize, Backup, Master) plus keepalived's FAULT,
 * entered while the interface or a tracked check is down.
 */
public enum VrrpState {
    /** Not running: before {@link VrrpRouter#start} and after {@link VrrpRouter#shutdown}. */
    INIT,
    /** Watching the master's adverts, ready to take over when they stop. */
    BACKUP,
    /** Sending adverts and holding the virtual addresses. */
    MASTER,
    /** Out of the election: sends nothing, ignores adverts, holds no addresses. */
    FAULT
}
