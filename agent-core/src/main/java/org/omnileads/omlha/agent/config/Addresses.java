package org.omnileads.omlha.agent.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;
import org.omnileads.omlha.vip.VipAddress;

/** Address literals and {@code host:port} strings, checked without ever asking DNS. */
final class Addresses {
    private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    private static final Pattern IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]*");
    private static final Pattern HOSTNAME =
            Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");

    private Addresses() {
    }

    /**
     * An IPv4 dotted quad or an IPv6 literal (no zone, no brackets). IPv4-mapped IPv6 ({@code ::ffff:192.0.2.1})
     * is refused: Java would turn it into an IPv4 address behind the operator's back.
     */
    static InetAddress parseLiteral(String text) {
        if (IPV4.matcher(text).matches()) {
            return toAddress(text);
        }
        if (text.contains(":") && IPV6_CHARS.matcher(text).matches()) {
            InetAddress address = toAddress(text);
            if (address instanceof Inet4Address) {
                throw new IllegalArgumentException(Values.quote(text) + " is IPv4-mapped: write the IPv4 address "
                        + address.getHostAddress());
            }
            return address;
        }
        throw new IllegalArgumentException("expected an IPv4 or IPv6 address, got " + Values.quote(text));
    }

    /** The JDK parses these literals itself (no lookup: the text starts with a hex digit or ':' and is checked above). */
    private static InetAddress toAddress(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("expected an IPv4 or IPv6 address, got " + Values.quote(literal));
        }
    }

    /** Checks {@code host:port} or {@code [ipv6]:port}, the host a name or literal, the port 1..65535. */
    static void checkHostPort(String text) {
        String expected = "expected host:port like 127.0.0.1:5060 or [2001:db8::1]:5060, got " + Values.quote(text);
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException(expected);
        }
        String host = text.substring(0, colon);
        String port = text.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            String literal = host.substring(1, host.length() - 1);
            if (!literal.contains(":") || !(parseLiteralOrNull(literal) instanceof Inet6Address)) {
                throw new IllegalArgumentException(expected);
            }
        } else if (!HOSTNAME.matcher(host).matches()) {
            throw new IllegalArgumentException(expected);
        }
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("port must be 1..65535 in " + Values.quote(text));
        }
    }

    private static InetAddress parseLiteralOrNull(String text) {
        try {
            return parseLiteral(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Parses {@code addr/prefix} as written in {@code vips = ["192.0.2.100/24"]}: a literal (never a host name) and a prefix length. */
    static VipAddress parseVip(String text) {
        int slash = text.indexOf('/');
        if (slash < 0 || slash != text.lastIndexOf('/')) {
            throw new IllegalArgumentException("expected address/prefix like 192.0.2.100/24, got " + Values.quote(text));
        }
        InetAddress address = parseLiteral(text.substring(0, slash));
        String prefix = text.substring(slash + 1);
        if (!prefix.matches("[0-9]{1,3}")) {
            throw new IllegalArgumentException("expected a prefix length after '/', got " + Values.quote(text));
        }
        int prefixLength = Integer.parseInt(prefix);
        int maxPrefix = address instanceof Inet6Address ? 128 : 32;
        if (prefixLength < 1 || prefixLength > maxPrefix) {
            throw new IllegalArgumentException("prefix length must be 1.." + maxPrefix + ", got " + prefixLength);
        }
        if (address.isAnyLocalAddress() || address.isMulticastAddress()) {
            throw new IllegalArgumentException(VipAddress.format(address) + " cannot be a VIP (unspecified or multicast)");
        }
        return new VipAddress(address, prefixLength);
    }
}
