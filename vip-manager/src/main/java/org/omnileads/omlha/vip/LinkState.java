package org.omnileads.omlha.vip;

import java.util.Arrays;
import java.util.Objects;

/**
 * One interface as rtnetlink reports it (RTM_NEWLINK / RTM_DELLINK): {@code adminUp} is IFF_UP, {@code carrier}
 * is IFF_RUNNING (operationally up), {@code mac} the IFLA_ADDRESS bytes (empty when the link has none). A
 * deleted interface is reported with both flags false.
 */
public record LinkState(int ifIndex, String name, boolean adminUp, boolean carrier, byte[] mac) {

    public LinkState {
        Objects.requireNonNull(name, "name");
        mac = mac.clone();
    }

    /** Usable for VIPs: administratively up and running. */
    public boolean up() {
        return adminUp && carrier;
    }

    @Override
    public byte[] mac() {
        return mac.clone();
    }

    /** The MAC as {@code 02:00:5e:00:01:33}. */
    public String macText() {
        StringBuilder text = new StringBuilder(mac.length * 3);
        for (byte b : mac) {
            if (text.length() > 0) {
                text.append(':');
            }
            text.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return text.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LinkState that && ifIndex == that.ifIndex && name.equals(that.name)
                && adminUp == that.adminUp && carrier == that.carrier && Arrays.equals(mac, that.mac);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ifIndex, name, adminUp, carrier) * 31 + Arrays.hashCode(mac);
    }

    @Override
    public String toString() {
        return "LinkState[" + name + " #" + ifIndex + (adminUp ? " UP" : " DOWN") + (carrier ? " RUNNING" : " NO-CARRIER")
                + " " + macText() + "]";
    }
}
