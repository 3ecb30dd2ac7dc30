package org.omnileads.omlha.agent;

import org.omnileads.omlha.vip.VipAddress;

/** Seam: one gratuitous ARP (IPv4) or unsolicited neighbour advertisement (IPv6) for a VIP we hold. */
@FunctionalInterface
interface VipAnnouncer {
    void announce(VipAddress vip);
}
