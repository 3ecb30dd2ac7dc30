package org.omnileads.omlha.agent.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/** A virtual IP address with its prefix length, as written in {@code vips = ["192.0.2.100/24"]}. */
public record VipSpec(InetAddress address, int prefixLength) {

    public VipSpec {
        Objects.requireNonNull(address, "address");
        int maxPrefix = address instanceof Inet6Address ? 128 : 32;
        if (prefixLength < 1 || prefixLength > maxPrefix) {
            throw new IllegalArgumentException("prefix length must be 1.." + maxPrefix + ", got " + prefixLength);
        }
        if (address.isAnyLocalAddress() || address.isMulticastAddress()) {
            throw new IllegalArgumentException(Addresses.format(address) + " cannot be a VIP (unspecified or multicast)");
        }
    }

    /** Parses {@code addr/prefix}: an IPv4 or IPv6 literal (never a host name) and a prefix length. */
    public static VipSpec parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0 || slash != text.lastIndexOf('/')) {
            throw new IllegalArgumentException("expected address/prefix like 192.0.2.100/24, got " + Values.quote(text));
        }
        InetAddress address = Addresses.parseLiteral(text.substring(0, slash));
        String prefix = text.substring(slash + 1);
        if (!prefix.matches("[0-9]{1,3}")) {
            throw new IllegalArgumentException("expected a prefix length after '/', got " + Values.quote(text));
        }
        return new VipSpec(address, Integer.parseInt(prefix));
    }

    public boolean isIpv6() {
        return address instanceof Inet6Address;
    }

    /** {@code 192.0.2.100/24}, {@code 2001:db8::100/64}. */
    @Override
    public String toString() {
        return Addresses.format(address) + "/" + prefixLength;
    }
}
