/**
 * VRRP wire format, pure: packets as records, a codec for VRRPv3 (RFC 5798) and VRRPv2 (RFC 3768) messages,
 * the split of what an IPv4 raw socket delivers, and the per-group acceptance rules of RFC 5798 §7.1.
 *
 * <p>Nothing here touches a socket, a clock or a logger; the receive loop reads a datagram and calls
 * {@link org.omnileads.omlha.vrrp.packet.VrrpCodec#decode} and
 * {@link org.omnileads.omlha.vrrp.packet.AdvertValidator#check}, counting drops by
 * {@link org.omnileads.omlha.vrrp.packet.DropReason#label()}.
 */
package org.omnileads.omlha.vrrp.packet;
