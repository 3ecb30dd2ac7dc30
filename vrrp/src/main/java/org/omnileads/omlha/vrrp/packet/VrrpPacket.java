package org.omnileads.omlha.vrrp.packet;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * A VRRP ADVERTISEMENT as its fields, without the checksum: VRRPv3 (RFC 5798 §5.2) or VRRPv2 (RFC 3768 §5.3).
 *
 * <p>{@code advertInterval} is in the version's unit: centiseconds for v3 (12 bits, 1..4095), seconds for
 * v2 (8 bits, 1..255). The state machine and the configuration work in centiseconds whatever the version:
 * {@link #advertIntervalCentis()}, {@link #wireInterval} and {@link #advert} are the one place that converts. {@code addresses} are all IPv4 or all IPv6 (v2: IPv4 only). {@code authType} and
 * {@code authData} exist only in v2, where the data is always 8 bytes on the wire (type 0: none, 1: simple
 * text password); a v3 packet has type 0 and empty data. {@code authData()} returns a copy.
 *
 * @param version 2 or 3
 * @param vrid virtual router id, 1..255
 * @param priority 0..255 (0: the master is leaving, 255: the address owner)
 * @param advertInterval v3 centiseconds, v2 seconds
 * @param addresses the virtual addresses, at most 255
 * @param authType v2 authentication type as on the wire, 0..255; v3: 0
 * @param authData v2: exactly 8 bytes; v3: empty
 */
public record VrrpPacket(int version, int vrid, int priority, int advertInterval, List<InetAddress> addresses,
                         int authType, byte[] authData) {

    public static final int AUTH_NONE = 0;
    public static final int AUTH_PASS = 1;
    /** Size of the v2 authentication data field (RFC 3768 §5.3.10). */
    public static final int AUTH_DATA_LENGTH = 8;
    public static final int MAX_ADDRESSES = 255;
    public static final int V3_MAX_INTERVAL_CENTIS = 0x0fff;
    public static final int V2_MAX_INTERVAL_SECONDS = 0xff;
    /** VRRPv2 carries whole seconds, VRRPv3 centiseconds. */
    public static final int CENTIS_PER_SECOND = 100;

    private static final byte[] NO_AUTH_DATA = new byte[0];

    public VrrpPacket {
        if (version != 2 && version != 3) {
            throw new IllegalArgumentException("version " + version + " (expected: 2 or 3)");
        }
        checkRange("vrid", vrid, 1, 255);
        checkRange("priority", priority, 0, 255);
        if (version == 3) {
            checkRange("advertInterval (centiseconds)", advertInterval, 1, V3_MAX_INTERVAL_CENTIS);
        } else {
            checkRange("advertInterval (seconds)", advertInterval, 1, V2_MAX_INTERVAL_SECONDS);
        }
        addresses = List.copyOf(addresses);
        checkAddresses(version, addresses);
        Objects.requireNonNull(authData, "authData");
        if (version == 3) {
            if (authType != AUTH_NONE || authData.length != 0) {
                throw new IllegalArgumentException("VRRPv3 has no authentication: authType " + authType
                        + " and " + authData.length + " bytes of authData (expected: 0 and none)");
            }
            authData = NO_AUTH_DATA;
        } else {
            checkRange("authType", authType, 0, 255);
            if (authData.length != AUTH_DATA_LENGTH) {
                throw new IllegalArgumentException("authData " + authData.length + " bytes (expected: "
                        + AUTH_DATA_LENGTH + ")");
            }
            authData = authData.clone();
        }
    }

    /**
     * Our advert for {@code version}, with the interval in centiseconds whatever the version: {@link #v2} (the
     * interval converted to seconds) or {@link #v3}.
     *
     * @param intervalCentis v3: 1..4095; v2: whole seconds, a multiple of 100 up to 25500
     * @param authPassOrNull v2 simple text password, null for none; v3: null (VRRPv3 has no authentication)
     * @throws IllegalArgumentException for another version, a VRRPv2 interval that is not whole seconds, a
     *     VRRPv3 password, or what the factories refuse
     */
    public static VrrpPacket advert(int version, int vrid, int priority, int intervalCentis,
                                    List<InetAddress> addresses, String authPassOrNull) {
        int wire = wireInterval(version, intervalCentis);
        if (version == 2) {
            return v2(vrid, priority, wire, addresses, authPassOrNull);
        }
        if (authPassOrNull != null) {
            throw new IllegalArgumentException("VRRPv3 has no authentication: a password was given");
        }
        return v3(vrid, priority, wire, addresses);
    }

    /**
     * The interval in {@code version}'s unit on the wire: v3 centiseconds as they are, v2 whole seconds.
     *
     * @throws IllegalArgumentException for another version, or a VRRPv2 interval that is not whole seconds
     */
    public static int wireInterval(int version, int intervalCentis) {
        if (version == 3) {
            return intervalCentis;
        }
        if (version != 2) {
            throw new IllegalArgumentException("version " + version + " (expected: 2 or 3)");
        }
        if (intervalCentis % CENTIS_PER_SECOND != 0) {
            throw new IllegalArgumentException("advert interval " + intervalCentis
                    + " cs (expected: whole seconds for VRRPv2, a multiple of " + CENTIS_PER_SECOND + ")");
        }
        return intervalCentis / CENTIS_PER_SECOND;
    }

    /** The advert interval in centiseconds whatever the version: v3 as carried, v2 seconds times 100. */
    public int advertIntervalCentis() {
        return version == 2 ? advertInterval * CENTIS_PER_SECOND : advertInterval;
    }

    /** A VRRPv3 advert; the interval is in centiseconds (100 = 1 s). */
    public static VrrpPacket v3(int vrid, int priority, int intervalCentis, List<InetAddress> addresses) {
        return new VrrpPacket(3, vrid, priority, intervalCentis, addresses, AUTH_NONE, NO_AUTH_DATA);
    }

    /**
     * A VRRPv2 advert (IPv4 only). With a password, simple text authentication as keepalived sends it: the
     * first 8 bytes of the password's UTF-8 encoding, zero padded; {@code null} means no authentication.
     */
    public static VrrpPacket v2(int vrid, int priority, int intervalSeconds, List<InetAddress> addresses,
                                String passOrNull) {
        if (passOrNull == null) {
            return new VrrpPacket(2, vrid, priority, intervalSeconds, addresses, AUTH_NONE,
                    new byte[AUTH_DATA_LENGTH]);
        }
        return new VrrpPacket(2, vrid, priority, intervalSeconds, addresses, AUTH_PASS, passAuthData(passOrNull));
    }

    /** The 8 bytes a VRRPv2 PASS advert carries for this password. */
    public static byte[] passAuthData(String password) {
        byte[] utf8 = password.getBytes(StandardCharsets.UTF_8);
        if (utf8.length == 0) {
            throw new IllegalArgumentException("empty password (use null for no authentication)");
        }
        return Arrays.copyOf(utf8, AUTH_DATA_LENGTH);
    }

    @Override
    public byte[] authData() {
        return authData.clone();
    }

    /** A copy of this packet with another priority: the same advert, e.g. priority 0 when leaving MASTER. */
    public VrrpPacket withPriority(int newPriority) {
        return new VrrpPacket(version, vrid, newPriority, advertInterval, addresses, authType, authData);
    }

    /** Whether the addresses are IPv6; {@code false} for IPv4 and for a packet without addresses. */
    public boolean isIpv6() {
        return !addresses.isEmpty() && addresses.get(0) instanceof Inet6Address;
    }

    boolean authDataEquals(byte[] other) {
        return Arrays.equals(authData, other);
    }

    byte authDataByte(int index) {
        return authData[index];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VrrpPacket p
                && version == p.version && vrid == p.vrid && priority == p.priority
                && advertInterval == p.advertInterval && authType == p.authType
                && addresses.equals(p.addresses) && Arrays.equals(authData, p.authData);
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(version, vrid, priority, advertInterval, addresses, authType);
        return 31 * h + Arrays.hashCode(authData);
    }

    /** Without the authentication data, which may be a password. */
    @Override
    public String toString() {
        StringJoiner addrs = new StringJoiner(", ", "[", "]");
        for (InetAddress a : addresses) {
            addrs.add(a.getHostAddress());
        }
        String interval = version == 3 ? advertInterval + "cs" : advertInterval + "s";
        String auth = version == 3 ? "" : authType == AUTH_NONE ? ", auth none" : authType == AUTH_PASS
                ? ", auth pass" : ", auth type " + authType;
        return "VRRPv" + version + "[vrid " + vrid + ", priority " + priority + ", interval " + interval
                + ", addresses " + addrs + auth + "]";
    }

    private static void checkRange(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " " + value + " (expected: " + min + ".." + max + ")");
        }
    }

    private static void checkAddresses(int version, List<InetAddress> addresses) {
        if (addresses.size() > MAX_ADDRESSES) {
            throw new IllegalArgumentException(addresses.size() + " addresses (expected: at most "
                    + MAX_ADDRESSES + ")");
        }
        if (addresses.isEmpty()) {
            return;
        }
        Class<?> family = addresses.get(0) instanceof Inet4Address ? Inet4Address.class : Inet6Address.class;
        if (version == 2 && family != Inet4Address.class) {
            throw new IllegalArgumentException("VRRPv2 carries IPv4 addresses only: " + addresses);
        }
        for (InetAddress a : addresses) {
            if (!family.isInstance(a)) {
                throw new IllegalArgumentException("mixed IPv4 and IPv6 addresses: " + addresses);
            }
        }
    }
}
