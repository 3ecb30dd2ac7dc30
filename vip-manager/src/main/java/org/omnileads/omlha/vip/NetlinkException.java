package org.omnileads.omlha.vip;

/**
 * A netlink reply that does not have the layout the kernel promises (RFC 3549 framing, linux/netlink.h):
 * a truncated header, an attribute running past its message, an address of the wrong length.
 */
public final class NetlinkException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NetlinkException(String message) {
        super(message);
    }
}
