package org.omnileads.omlha.vrrp.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jnr.ffi.Pointer;
import jnr.ffi.byref.PointerByReference;
import org.omnileads.omlha.linux.Linux;
import org.omnileads.omlha.linux.Native;
import org.omnileads.omlha.linux.NativeException;

/**
 * Facts about a network interface that VRRP needs: its index, its primary IPv4 address (the source of
 * IPv4 adverts) and its IPv6 link-local address (the source of IPv6 adverts, RFC 5798 §5.1.2.1).
 *
 * <p>Everything here asks the kernel from the calling thread, so it sees the network namespace of that
 * thread (normally the JVM's; a thread moved with setns(2) sees its own). That is why addresses come from
 * getifaddrs(3) (a netlink dump from this thread) and not from {@link java.net.NetworkInterface}, which
 * reads IPv6 addresses from {@code /proc/net/if_inet6}, the namespace of the process's main thread.
 */
public final class Interfaces {
    private Interfaces() {}

    /** if_nametoindex(3), with a clear error when the interface does not exist in this network namespace. */
    public static int ifIndex(String name) {
        checkName(name);
        int index = Native.LIBC.if_nametoindex(name);
        if (index == 0) {
            int errno = Native.errno();
            if (errno == Linux.ENODEV || errno == 0) {
                throw new NativeException("if_nametoindex(\"" + name + "\")", Linux.ENODEV,
                        "no network interface named \"" + name + "\" in this network namespace");
            }
            throw NativeException.fromErrno("if_nametoindex(\"" + name + "\")", errno);
        }
        return index;
    }

    /** The addresses of {@code name} in the kernel's order (for IPv4, primaries before secondaries). */
    public static List<InetAddress> addresses(String name) {
        ifIndex(name);
        List<InetAddress> found = new ArrayList<>();
        PointerByReference head = new PointerByReference();
        Native.check(Native.LIBC.getifaddrs(head), "getifaddrs() for \"" + name + "\"");
        Pointer first = head.getValue();
        try {
            for (Pointer entry = first; entry != null; entry = next(entry)) {
                Pointer entryName = entry.getPointer(NativeStructs.IFADDRS_NAME);
                Pointer address = entry.getPointer(NativeStructs.IFADDRS_ADDR);
                if (entryName != null && address != null
                        && name.equals(entryName.getString(0, Linux.IFNAMSIZ, StandardCharsets.UTF_8))) {
                    InetAddress decoded = decodeSockaddr(address);
                    if (decoded != null) {
                        found.add(decoded);
                    }
                }
            }
        } finally {
            if (first != null) {
                Native.LIBC.freeifaddrs(first);
            }
        }
        return found;
    }

    /**
     * The first IPv4 address of {@code name}. The kernel lists a subnet's primary address before its
     * secondaries, and VIPs added later never come first, so this is the interface's primary address.
     */
    public static Optional<Inet4Address> primaryIpv4(String name) {
        for (InetAddress address : addresses(name)) {
            if (address instanceof Inet4Address v4) {
                return Optional.of(v4);
            }
        }
        return Optional.empty();
    }

    /** The first fe80::/10 address of {@code name}, scoped to the interface. */
    public static Optional<Inet6Address> ipv6LinkLocal(String name) {
        for (InetAddress address : addresses(name)) {
            if (address instanceof Inet6Address v6 && v6.isLinkLocalAddress()) {
                return Optional.of(v6);
            }
        }
        return Optional.empty();
    }

    static void checkName(String name) {
        int length = name.getBytes(StandardCharsets.UTF_8).length;
        if (length == 0 || length >= Linux.IFNAMSIZ) {
            throw new IllegalArgumentException("interface name \"" + name + "\" must have 1 to "
                    + (Linux.IFNAMSIZ - 1) + " bytes, has " + length);
        }
    }

    private static Pointer next(Pointer entry) {
        return entry.getPointer(NativeStructs.IFADDRS_NEXT);
    }

    private static InetAddress decodeSockaddr(Pointer sockaddr) {
        int family = sockaddr.getShort(0) & 0xffff;
        try {
            if (family == Linux.AF_INET) {
                byte[] bytes = new byte[4];
                sockaddr.get(4, bytes, 0, 4);
                return InetAddress.getByAddress(bytes);
            }
            if (family == Linux.AF_INET6) {
                byte[] bytes = new byte[16];
                sockaddr.get(NativeStructs.SOCKADDR_IN6_ADDR, bytes, 0, 16);
                int scope = sockaddr.getInt(24);
                return scope != 0 ? Inet6Address.getByAddress(null, bytes, scope) : InetAddress.getByAddress(bytes);
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException("getifaddrs returned a malformed address", e);
        }
        return null;
    }
}
