package org.omnileads.omlha.vrrp.packet;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Decides whether a decoded advert counts for one virtual router: the receive checks of RFC 5798 §7.1 and
 * RFC 3768 §7.1, with keepalived's leniencies where interop needs them.
 *
 * <p>In order, an advert is dropped for: another version ({@link DropReason#BAD_VERSION}), another VRID
 * ({@link DropReason#UNKNOWN_VRID}), another address family ({@link DropReason#WRONG_FAMILY}), a source that
 * is one of our own addresses ({@link DropReason#OWN_PACKET}), a source that is not a configured peer when
 * unicasting ({@link DropReason#NOT_FROM_PEER}), a TTL or hop limit other than 255 when multicasting
 * ({@link DropReason#BAD_TTL}; keepalived does not check it for unicast, routed peers are legitimate), and
 * in VRRPv2 another authentication ({@link DropReason#AUTH_MISMATCH}) or advert interval
 * ({@link DropReason#INTERVAL_MISMATCH}). A VRRPv3 interval mismatch is accepted (the backup learns the
 * master's interval) and so is an address-list mismatch (counted and logged, as keepalived does).
 *
 * <p>{@link #check} allocates nothing; {@link #explain} builds the log line when one is wanted.
 */
public final class AdvertValidator {

    /** The outcome of {@link #check}: accepted (possibly with mismatches to log) or dropped for a reason. */
    public enum Verdict {
        ACCEPT(null, false, false),
        ACCEPT_ADDRESS_MISMATCH(null, true, false),
        ACCEPT_INTERVAL_MISMATCH(null, false, true),
        ACCEPT_ADDRESS_AND_INTERVAL_MISMATCH(null, true, true),
        DROP_BAD_VERSION(DropReason.BAD_VERSION, false, false),
        DROP_UNKNOWN_VRID(DropReason.UNKNOWN_VRID, false, false),
        DROP_WRONG_FAMILY(DropReason.WRONG_FAMILY, false, false),
        DROP_OWN_PACKET(DropReason.OWN_PACKET, false, false),
        DROP_NOT_FROM_PEER(DropReason.NOT_FROM_PEER, false, false),
        DROP_BAD_TTL(DropReason.BAD_TTL, false, false),
        DROP_AUTH_MISMATCH(DropReason.AUTH_MISMATCH, false, false),
        DROP_INTERVAL_MISMATCH(DropReason.INTERVAL_MISMATCH, false, false);

        private final DropReason dropReason;
        private final boolean addressMismatch;
        private final boolean intervalMismatch;

        Verdict(DropReason dropReason, boolean addressMismatch, boolean intervalMismatch) {
            this.dropReason = dropReason;
            this.addressMismatch = addressMismatch;
            this.intervalMismatch = intervalMismatch;
        }

        public boolean accepted() {
            return dropReason == null;
        }

        /** Why the advert is dropped; null if it is accepted. */
        public DropReason dropReason() {
            return dropReason;
        }

        /** Accepted although its address list differs from the group's. */
        public boolean addressMismatch() {
            return addressMismatch;
        }

        /** Accepted (VRRPv3) although its interval differs from the configured one. */
        public boolean intervalMismatch() {
            return intervalMismatch;
        }

        private static Verdict accept(boolean addressMismatch, boolean intervalMismatch) {
            if (addressMismatch) {
                return intervalMismatch ? ACCEPT_ADDRESS_AND_INTERVAL_MISMATCH : ACCEPT_ADDRESS_MISMATCH;
            }
            return intervalMismatch ? ACCEPT_INTERVAL_MISMATCH : ACCEPT;
        }
    }

    /** TTL / hop limit of every multicast advert (RFC 5798 §5.1.1.3, §5.1.2.3). */
    public static final int REQUIRED_TTL = 255;

    private final GroupExpectations expected;
    private final InetAddress[] expectedAddresses;
    /** The group's family, Inet4Address or Inet6Address, if its addresses or peers tell it; else null. */
    private final Class<? extends InetAddress> family;

    public AdvertValidator(GroupExpectations expected) {
        this.expected = expected;
        this.expectedAddresses = sorted(expected.addresses());
        InetAddress sample = expectedAddresses.length > 0 ? expectedAddresses[0]
                : expected.unicastPeers().stream().findFirst().orElse(null);
        this.family = sample == null ? null : sample instanceof Inet6Address ? Inet6Address.class
                : Inet4Address.class;
    }

    public GroupExpectations expectations() {
        return expected;
    }

    /**
     * @param src the advert's source address
     * @param ttlOrHopLimit the IPv4 TTL or IPv6 hop limit it arrived with
     */
    public Verdict check(VrrpPacket p, InetAddress src, int ttlOrHopLimit) {
        Objects.requireNonNull(src, "src");
        if (p.version() != expected.version()) {
            return Verdict.DROP_BAD_VERSION;
        }
        if (p.vrid() != expected.vrid()) {
            return Verdict.DROP_UNKNOWN_VRID;
        }
        if (family != null && !family.isInstance(src)) {
            return Verdict.DROP_WRONG_FAMILY;
        }
        if (expected.ownAddresses().contains(src)) {
            return Verdict.DROP_OWN_PACKET;
        }
        if (expected.unicast() && !expected.unicastPeers().contains(src)) {
            return Verdict.DROP_NOT_FROM_PEER;
        }
        if (!expected.unicast() && ttlOrHopLimit != REQUIRED_TTL) {
            return Verdict.DROP_BAD_TTL;
        }
        if (p.version() == 2 && !authMatches(p)) {
            return Verdict.DROP_AUTH_MISMATCH;
        }
        boolean intervalMismatch = p.advertInterval() != expected.advertInterval();
        if (p.version() == 2 && intervalMismatch) {
            return Verdict.DROP_INTERVAL_MISMATCH;
        }
        return Verdict.accept(!sameAddresses(p.addresses()), intervalMismatch);
    }

    /**
     * A log line saying why {@code check} gave {@code verdict} for this advert, e.g. {@code TTL 64, expected
     * 255}. It never shows authentication data.
     */
    public String explain(Verdict verdict, VrrpPacket p, InetAddress src, int ttlOrHopLimit) {
        String unit = p.version() == 3 ? "cs" : "s";
        return switch (verdict) {
            case ACCEPT -> "accepted";
            case ACCEPT_ADDRESS_MISMATCH -> "accepted, " + addressMismatch(p);
            case ACCEPT_INTERVAL_MISMATCH -> "accepted, " + intervalMismatch(p);
            case ACCEPT_ADDRESS_AND_INTERVAL_MISMATCH -> "accepted, " + addressMismatch(p) + "; "
                    + intervalMismatch(p);
            case DROP_BAD_VERSION -> "VRRPv" + p.version() + " advert, the group speaks VRRPv"
                    + expected.version();
            case DROP_UNKNOWN_VRID -> "vrid " + p.vrid() + ", expected " + expected.vrid();
            case DROP_WRONG_FAMILY -> familyName(src.getClass()) + " advert from " + src.getHostAddress()
                    + " for an " + familyName(family) + " group";
            case DROP_OWN_PACKET -> "advert from " + src.getHostAddress() + ", one of our own addresses";
            case DROP_NOT_FROM_PEER -> "advert from " + src.getHostAddress() + ", not a unicast peer "
                    + hostAddresses(List.of(sorted(expected.unicastPeers())));
            case DROP_BAD_TTL -> (src instanceof Inet6Address ? "hop limit " : "TTL ") + ttlOrHopLimit
                    + ", expected " + REQUIRED_TTL;
            case DROP_AUTH_MISMATCH -> p.authType() != expected.authType()
                    ? "auth type " + p.authType() + ", expected " + expected.authType()
                    : "auth data differs (auth type " + p.authType() + ")";
            case DROP_INTERVAL_MISMATCH -> "advert interval " + p.advertInterval() + unit + ", expected "
                    + expected.advertInterval() + unit;
        };
    }

    private boolean authMatches(VrrpPacket p) {
        if (p.authType() != expected.authType()) {
            return false;
        }
        // RFC 3768 §5.3.6.1: with no authentication the data is ignored on reception.
        return p.authType() == VrrpPacket.AUTH_NONE || expected.authDataEquals(p);
    }

    /** Same set of addresses, regardless of order (keepalived compares them that way too). */
    private boolean sameAddresses(List<InetAddress> received) {
        for (InetAddress a : expectedAddresses) {
            if (!received.contains(a)) {
                return false;
            }
        }
        for (int i = 0; i < received.size(); i++) {
            if (!expected.addresses().contains(received.get(i))) {
                return false;
            }
        }
        return true;
    }

    private String addressMismatch(VrrpPacket p) {
        return "addresses " + hostAddresses(p.addresses()) + ", expected "
                + hostAddresses(List.of(expectedAddresses));
    }

    private String intervalMismatch(VrrpPacket p) {
        return "advert interval " + p.advertInterval() + "cs, configured " + expected.advertInterval()
                + "cs (following the master's)";
    }

    /** In byte order, so that messages list them the same way on every run. */
    private static InetAddress[] sorted(Set<InetAddress> addresses) {
        InetAddress[] array = addresses.toArray(new InetAddress[0]);
        Arrays.sort(array, (a, b) -> Arrays.compareUnsigned(a.getAddress(), b.getAddress()));
        return array;
    }

    private static String familyName(Class<?> family) {
        return family == Inet6Address.class ? "IPv6" : "IPv4";
    }

    private static String hostAddresses(List<InetAddress> addresses) {
        StringJoiner j = new StringJoiner(", ", "[", "]");
        for (InetAddress a : addresses) {
            j.add(a.getHostAddress());
        }
        return j.toString();
    }
}
