package org.omnileads.omlha.vip;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import org.omnileads.omlha.linux.Linux;

/**
 * A virtual address with its prefix length, written {@code 192.0.2.100/24} or {@code 2001:db8::10/64}.
 *
 * <p>{@link #parse} accepts address literals only (it never resolves a host name); IPv6 text is printed in
 * the canonical form of RFC 5952 (lower case, longest run of zero groups as {@code ::}).
 */
public record VipAddress(InetAddress address, int prefixLength) {

    public VipAddress {
        Objects.requireNonNull(address, "address");
        int max = maxPrefix(address);
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException(
                    "prefix length " + prefixLength + " out of range 0.." + max + " for " + format(address));
        }
        if (address instanceof Inet6Address v6 && v6.getScopeId() != 0) {
            address = v6Address(address.getAddress());
        }
    }

    /** Parses {@code ADDRESS/PREFIX}; the message of the {@link IllegalArgumentException} names what is wrong. */
    public static VipAddress parse(String text) {
        Objects.requireNonNull(text, "text");
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw invalid(text, "missing prefix length, expected ADDRESS/PREFIX such as 192.0.2.100/24 or 2001:db8::10/64");
        }
        String addressText = text.substring(0, slash);
        String prefixText = text.substring(slash + 1);
        byte[] bytes = addressText.indexOf(':') >= 0 ? parseIpv6(addressText) : parseIpv4(addressText);
        if (bytes == null) {
            throw invalid(text, "\"" + addressText + "\" is not an IPv4 or IPv6 address literal");
        }
        InetAddress address = bytes.length == 4 ? v4Address(bytes) : v6Address(bytes);
        if (address.isMulticastAddress()) {
            throw invalid(text, "a multicast address cannot be a VIP");
        }
        if (address.isAnyLocalAddress()) {
            throw invalid(text, "the unspecified address cannot be a VIP");
        }
        if (bytes.length == 16 && isIpv4Mapped(bytes)) {
            throw invalid(text, "IPv4-mapped IPv6 addresses are not supported, write the IPv4 address");
        }
        int max = bytes.length * 8;
        int prefix = parseDecimal(prefixText, 3);
        if (prefix < 0 || prefix > max) {
            throw invalid(text, "prefix length \"" + prefixText + "\" is not a number in 0.." + max);
        }
        return new VipAddress(address, prefix);
    }

    /** {@link Linux#AF_INET} or {@link Linux#AF_INET6}. */
    public int family() {
        return isIpv4() ? Linux.AF_INET : Linux.AF_INET6;
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    /** The address alone, without the prefix length, in the same canonical text. */
    public String addressText() {
        return format(address);
    }

    @Override
    public String toString() {
        return format(address) + "/" + prefixLength;
    }

    private static IllegalArgumentException invalid(String text, String why) {
        return new IllegalArgumentException("invalid VIP \"" + text + "\": " + why);
    }

    private static int maxPrefix(InetAddress address) {
        return address instanceof Inet4Address ? 32 : 128;
    }

    /** An address as operators write it: dotted quad, or RFC 5952 short IPv6 without a zone. */
    public static String format(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    private static byte[] parseIpv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            int value = parseDecimal(parts[i], 3);
            if (value < 0 || value > 255) {
                return null;
            }
            bytes[i] = (byte) value;
        }
        return bytes;
    }

    /** Up to 8 groups of 1..4 hex digits, at most one {@code ::}, optionally ending in a dotted IPv4 address. */
    private static byte[] parseIpv6(String text) {
        int doubleColon = text.indexOf("::");
        if (doubleColon >= 0 && text.indexOf("::", doubleColon + 1) >= 0) {
            return null;
        }
        String head = doubleColon >= 0 ? text.substring(0, doubleColon) : text;
        String tail = doubleColon >= 0 ? text.substring(doubleColon + 2) : "";
        byte[] headBytes = parseGroups(head, doubleColon < 0);
        byte[] tailBytes = parseGroups(tail, true);
        if (headBytes == null || tailBytes == null) {
            return null;
        }
        int total = headBytes.length + tailBytes.length;
        if (doubleColon < 0 ? total != 16 : total > 14) {
            return null;
        }
        byte[] bytes = new byte[16];
        System.arraycopy(headBytes, 0, bytes, 0, headBytes.length);
        System.arraycopy(tailBytes, 0, bytes, 16 - tailBytes.length, tailBytes.length);
        return bytes;
    }

    private static byte[] parseGroups(String text, boolean mayEndInIpv4) {
        if (text.isEmpty()) {
            return new byte[0];
        }
        String[] groups = text.split(":", -1);
        byte[] bytes = new byte[groups.length * 2 + 2];
        int length = 0;
        for (int i = 0; i < groups.length; i++) {
            String group = groups[i];
            if (i == groups.length - 1 && mayEndInIpv4 && group.indexOf('.') >= 0) {
                byte[] v4 = parseIpv4(group);
                if (v4 == null) {
                    return null;
                }
                System.arraycopy(v4, 0, bytes, length, 4);
                length += 4;
                continue;
            }
            int value = parseHex(group);
            if (value < 0) {
                return null;
            }
            bytes[length++] = (byte) (value >>> 8);
            bytes[length++] = (byte) value;
        }
        byte[] exact = new byte[length];
        System.arraycopy(bytes, 0, exact, 0, length);
        return exact;
    }

    private static int parseDecimal(String text, int maxDigits) {
        if (text.isEmpty() || text.length() > maxDigits) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static int parseHex(String text) {
        if (text.isEmpty() || text.length() > 4) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++) {
            int digit = Character.digit(text.charAt(i), 16);
            if (digit < 0) {
                return -1;
            }
            value = value * 16 + digit;
        }
        return value;
    }

    private static boolean isIpv4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    }

    static InetAddress v4Address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad IPv4 address length " + bytes.length, e);
        }
    }

    static InetAddress v6Address(byte[] bytes) {
        try {
            return Inet6Address.getByAddress(null, bytes, -1);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad IPv6 address length " + bytes.length, e);
        }
    }
}
