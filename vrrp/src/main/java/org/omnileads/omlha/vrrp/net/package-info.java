/**
 * The VRRP transport: raw IP sockets for protocol 112 (RFC 5798 §5.1), an allocation-free receive path,
 * and a nanosecond-timeout poller for the event loop. Bytes only; the codec and the state machine live
 * in their own packages and know nothing of sockets.
 */
package org.omnileads.omlha.vrrp.net;
