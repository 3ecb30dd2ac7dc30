package org.omnileads.omlha.agent;

import org.omnileads.omlha.vip.AddressManager;
import org.omnileads.omlha.vip.VipAddress;

/** The {@link VipTable} of one interface in the kernel, through rtnetlink ({@link AddressManager}). */
final class KernelVipTable implements VipTable {
    private final AddressManager addresses;
    private final int ifIndex;

    KernelVipTable(AddressManager addresses, int ifIndex) {
        this.addresses = addresses;
        this.ifIndex = ifIndex;
    }

    @Override
    public boolean add(VipAddress vip) {
        return addresses.add(ifIndex, vip);
    }

    @Override
    public boolean remove(VipAddress vip) {
        return addresses.remove(ifIndex, vip);
    }

    @Override
    public boolean isPresent(VipAddress vip) {
        return addresses.isPresent(ifIndex, vip);
    }
}
