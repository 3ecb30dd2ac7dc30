package org.omnileads.omlha.probes;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A probe's {@code host:port} target, {@code [v6-address]:port} for IPv6. The host is kept as written, without
 * brackets and unresolved: it is resolved on each connect, so a name that moves is followed.
 */
record HostPort(String host, int port) {

    /** Parses {@code target}; a bad one is an {@link IllegalArgumentException} that names the probe. */
    static HostPort parse(String probe, String target) {
        Objects.requireNonNull(target, "target");
        int colon = target.lastIndexOf(':');
        if (colon <= 0 || colon == target.length() - 1) {
            throw new IllegalArgumentException("probe " + probe + ": target must be host:port, got \"" + target + '"');
        }
        String host = target.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("probe " + probe + ": an IPv6 target needs brackets, [addr]:port, got \""
                    + target + '"');
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("probe " + probe + ": target has no host, got \"" + target + '"');
        }
        return new HostPort(host, parsePort(probe, target, target.substring(colon + 1)));
    }

    private static int parsePort(String probe, String target, String text) {
        try {
            int p = Integer.parseInt(text);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("probe " + probe + ": bad port in target \"" + target + "\" (expected 1-65535)");
    }

    InetSocketAddress unresolved() {
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** {@code host:port}, with brackets around an IPv6 host as in a URI (RFC 3986 §3.2.2). */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
