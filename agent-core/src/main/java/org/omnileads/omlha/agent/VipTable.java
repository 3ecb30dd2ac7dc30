package org.omnileads.omlha.agent;

import org.omnileads.omlha.vip.VipAddress;

/**
 * Seam: the addresses of one interface, as far as the VIPs go. {@link KernelVipTable} is the rtnetlink adapter; a
 * simulation keeps a set. Every call is idempotent. Only the VRRP loop thread calls it while the loop runs.
 */
interface VipTable {
    /** Adds the VIP; false when it was already there. A failure is thrown. */
    boolean add(VipAddress vip);

    /** Removes the VIP; false when it was not there. A failure is thrown. */
    boolean remove(VipAddress vip);

    boolean isPresent(VipAddress vip);
}
