package org.omnileads.omlha.vip;

import static org.omnileads.omlha.linux.Native.LIBC;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.omnileads.omlha.linux.Linux;
import org.omnileads.omlha.linux.Native;
import org.omnileads.omlha.linux.NativeException;

/**
 * A NETLINK_ROUTE socket with its transmit and receive buffers allocated once. Requests wait for their
 * reply for at most {@link #REPLY_TIMEOUT_MILLIS}; replies to earlier requests (other sequence numbers) are
 * skipped. Not thread-safe: one owner uses it.
 */
final class NetlinkSocket implements AutoCloseable {
    static final int REPLY_TIMEOUT_MILLIS = 5_000;
    private static final int RECEIVE_CAPACITY = 64 * 1024;
    private static final int TRANSMIT_CAPACITY = 512;
    private static final int SOCKADDR_NL_LENGTH = 12;
    private static final int MAX_DATAGRAMS_PER_REPLY = 100_000;
    private static final int DUMP_ATTEMPTS = 3;

    private final int fd;
    private final ByteBuffer transmit = Sockets.direct(TRANSMIT_CAPACITY);
    private final ByteBuffer receive = Sockets.direct(RECEIVE_CAPACITY);
    private final ByteBuffer kernel = Sockets.direct(SOCKADDR_NL_LENGTH);
    private int sequence;
    private boolean closed;

    private NetlinkSocket(int fd) {
        this.fd = fd;
        kernel.putShort(0, (short) Linux.AF_NETLINK);
        sequence = (int) (System.nanoTime() & 0x3fffffff);
    }

    /** A socket subscribed to {@code groups} (0 for none); {@code nonBlocking} for event sockets polled by a loop. */
    static NetlinkSocket open(int groups, boolean nonBlocking) {
        int type = Linux.SOCK_RAW | Linux.SOCK_CLOEXEC | (nonBlocking ? Linux.SOCK_NONBLOCK : 0);
        int fd = Native.check(LIBC.socket(Linux.AF_NETLINK, type, Linux.NETLINK_ROUTE), "socket(AF_NETLINK, NETLINK_ROUTE)");
        try {
            ByteBuffer address = Sockets.direct(SOCKADDR_NL_LENGTH);
            address.putShort(0, (short) Linux.AF_NETLINK);
            address.putInt(8, groups);
            Native.check(LIBC.bind(fd, address, SOCKADDR_NL_LENGTH), "bind(AF_NETLINK, groups 0x" + Integer.toHexString(groups) + ")");
            if (!nonBlocking) {
                Sockets.receiveTimeout(fd, REPLY_TIMEOUT_MILLIS);
            }
            Sockets.setInt(fd, Netlink.SOL_NETLINK, Netlink.NETLINK_CAP_ACK, 1, "NETLINK_CAP_ACK");
            // Extended ACKs carry the kernel's reason text; an old kernel without them still works.
            LIBC.setsockopt(fd, Netlink.SOL_NETLINK, Netlink.NETLINK_EXT_ACK, Sockets.direct(4).putInt(0, 1), 4);
            return new NetlinkSocket(fd);
        } catch (RuntimeException e) {
            Sockets.closeQuietly(fd);
            throw e;
        }
    }

    int fd() {
        return fd;
    }

    /** Writes one request into the transmit buffer (one of the encoders in {@link Netlink}) and returns its length. */
    @FunctionalInterface
    interface Encoder {
        int encode(ByteBuffer out, int seq);
    }

    private int nextSequence() {
        sequence = sequence == Integer.MAX_VALUE ? 1 : sequence + 1;
        return sequence;
    }

    /** Sends a request with NLM_F_ACK and returns the kernel's ACK for it (errno 0 or the failure). */
    Netlink.Ack request(Encoder encoder, String operation) {
        int seq = send(encoder, operation);
        for (int datagrams = 0; datagrams < MAX_DATAGRAMS_PER_REPLY; datagrams++) {
            for (Netlink.Message message : Netlink.split(receiveBlocking(operation))) {
                if (message.seq() == seq && message.type() == Netlink.NLMSG_ERROR) {
                    return Netlink.ack(message);
                }
            }
        }
        throw new NetlinkException(operation + ": no ACK among " + MAX_DATAGRAMS_PER_REPLY + " datagrams");
    }

    /**
     * Sends a request that the kernel answers with one message (or NLMSG_ERROR) and parses that message;
     * an error reply becomes a {@link NativeException}.
     */
    <T> T get(Encoder encoder, String operation, Function<Netlink.Message, T> parser) {
        int seq = send(encoder, operation);
        for (int datagrams = 0; datagrams < MAX_DATAGRAMS_PER_REPLY; datagrams++) {
            for (Netlink.Message message : Netlink.split(receiveBlocking(operation))) {
                if (message.seq() != seq) {
                    continue;
                }
                if (message.type() == Netlink.NLMSG_ERROR) {
                    throw failure(operation, Netlink.ack(message));
                }
                return parser.apply(message);
            }
        }
        throw new NetlinkException(operation + ": no reply among " + MAX_DATAGRAMS_PER_REPLY + " datagrams");
    }

    /**
     * Sends a dump request and parses every message until NLMSG_DONE ({@code parser} returns null for messages
     * to skip). A dump that the kernel flags as interrupted by a concurrent change is asked for again.
     */
    <T> List<T> dump(Encoder encoder, String operation, Function<Netlink.Message, T> parser) {
        for (int attempt = 1; ; attempt++) {
            int seq = send(encoder, operation);
            List<T> results = new ArrayList<>();
            boolean interrupted = false;
            boolean done = false;
            for (int datagrams = 0; !done; datagrams++) {
                if (datagrams == MAX_DATAGRAMS_PER_REPLY) {
                    throw new NetlinkException(operation + ": no NLMSG_DONE among " + MAX_DATAGRAMS_PER_REPLY + " datagrams");
                }
                for (Netlink.Message message : Netlink.split(receiveBlocking(operation))) {
                    if (message.seq() != seq) {
                        continue;
                    }
                    interrupted |= (message.flags() & Netlink.NLM_F_DUMP_INTR) != 0;
                    if (message.type() == Netlink.NLMSG_DONE) {
                        int errno = Netlink.doneErrno(message);
                        if (errno != 0) {
                            throw NativeException.fromErrno(operation, errno);
                        }
                        done = true;
                        break;
                    }
                    if (message.type() == Netlink.NLMSG_ERROR) {
                        throw failure(operation, Netlink.ack(message));
                    }
                    T result = parser.apply(message);
                    if (result != null) {
                        results.add(result);
                    }
                }
            }
            if (!interrupted || attempt == DUMP_ATTEMPTS) {
                return results;
            }
        }
    }

    /**
     * Receives one datagram without waiting; null when none is pending. Throws a {@link NativeException}
     * with errno ENOBUFS when the kernel dropped messages because the socket's queue was full.
     */
    ByteBuffer receiveNow(String operation) {
        return receive(Linux.MSG_DONTWAIT, operation);
    }

    private ByteBuffer receiveBlocking(String operation) {
        ByteBuffer datagram = receive(0, operation);
        if (datagram == null) {
            throw new NativeException(operation, Linux.EAGAIN, "no reply from the kernel within " + REPLY_TIMEOUT_MILLIS + " ms");
        }
        return datagram;
    }

    private ByteBuffer receive(int flags, String operation) {
        for (int attempt = 0; ; attempt++) {
            receive.clear();
            long length = LIBC.recvfrom(fd, receive, RECEIVE_CAPACITY, flags | Linux.MSG_TRUNC, null, null);
            if (length < 0) {
                int errno = Native.errno();
                if (errno == Linux.EINTR && attempt < 10) {
                    continue;
                }
                if (errno == Linux.EAGAIN) {
                    return null;
                }
                throw NativeException.fromErrno(operation + ": recv", errno);
            }
            if (length > RECEIVE_CAPACITY) {
                throw new NetlinkException(operation + ": reply of " + length + " bytes does not fit the " + RECEIVE_CAPACITY + "-byte buffer");
            }
            receive.limit((int) length);
            return receive;
        }
    }

    /** Encodes a request with a fresh sequence number, sends it and returns that sequence number. */
    private int send(Encoder encoder, String operation) {
        int seq = nextSequence();
        int length = encoder.encode(transmit, seq);
        for (int attempt = 0; ; attempt++) {
            long sent = LIBC.sendto(fd, transmit, length, 0, kernel, SOCKADDR_NL_LENGTH);
            if (sent == length) {
                return seq;
            }
            int errno = Native.errno();
            if (sent < 0 && errno == Linux.EINTR && attempt < 10) {
                continue;
            }
            if (sent < 0) {
                throw NativeException.fromErrno(operation + ": send", errno);
            }
            throw new NativeException(operation + ": send", 0, "sent " + sent + " of " + length + " bytes");
        }
    }

    /** The failure an error ACK stands for, with the kernel's extended-ACK text when it gave one. */
    static NativeException failure(String operation, Netlink.Ack ack) {
        if (ack.detail().isEmpty()) {
            return NativeException.fromErrno(operation, ack.errno());
        }
        return new NativeException(operation, ack.errno(), Native.describe(ack.errno()) + " (" + ack.detail() + ")");
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Sockets.closeQuietly(fd);
        }
    }
}
