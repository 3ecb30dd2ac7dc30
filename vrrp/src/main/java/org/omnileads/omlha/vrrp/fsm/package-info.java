/**
 * The VRRP state machine, pure: {@link org.omnileads.omlha.vrrp.fsm.VrrpRouter} implements RFC 5798 §6.4 and
 * RFC 3768 §6.4 (with keepalived's FAULT state and its prompt re-advertising), takes decoded adverts, timer
 * ticks and fault signals as primitive inputs with a monotonic {@code long nowNanos}, and acts only through
 * {@link org.omnileads.omlha.vrrp.fsm.RouterActions}.
 *
 * <p>Nothing here touches a socket, a clock or a logger; the event loop asks
 * {@link org.omnileads.omlha.vrrp.fsm.VrrpRouter#nextDeadline()} how long it may wait.
 */
package org.omnileads.omlha.vrrp.fsm;
