package org.omnileads.omlha.vip;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** The reply parsers, fed arbitrary bytes, fail only with {@link NetlinkException}. */
class NetlinkParserPropertyTest {

    @Property(tries = 2000)
    void arbitraryDatagramsFailOnlyWithNetlinkException(@ForAll @Size(max = 200) byte[] datagram) {
        parseEverything(datagram);
    }

    /** Well-framed messages of the types the module reads, with arbitrary payloads: reaches the inner parsers. */
    @Property(tries = 5000)
    void arbitraryPayloadsFailOnlyWithNetlinkException(@ForAll("types") int type, @ForAll("flags") int flags,
                                                       @ForAll("payloads") byte[] payload) {
        ByteBuffer message = ByteBuffer.allocate(16 + payload.length).order(ByteOrder.nativeOrder());
        message.putInt(16 + payload.length).putShort((short) type).putShort((short) flags).putInt(1).putInt(0).put(payload);
        parseEverything(message.array());
    }

    @Provide
    Arbitrary<Integer> types() {
        return Arbitraries.of(Netlink.NLMSG_ERROR, Netlink.NLMSG_DONE, Netlink.RTM_NEWADDR, Netlink.RTM_NEWLINK,
                Netlink.RTM_DELLINK, 0, 0xffff);
    }

    @Provide
    Arbitrary<Integer> flags() {
        return Arbitraries.of(0, Netlink.NLM_F_CAPPED, Netlink.NLM_F_ACK_TLVS, Netlink.NLM_F_CAPPED | Netlink.NLM_F_ACK_TLVS, 0xffff);
    }

    /** Mostly small attribute-like structures, so that the attribute walker gets deep. */
    @Provide
    Arbitrary<byte[]> payloads() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(120);
        Arbitrary<byte[]> attributeLike = Arbitraries.integers().between(0, 24).list().ofMaxSize(30).map(values -> {
            byte[] bytes = new byte[values.size()];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (int) values.get(i);
            }
            return bytes;
        });
        return Arbitraries.oneOf(random, attributeLike);
    }

    private static void parseEverything(byte[] datagram) {
        try {
            for (Netlink.Message message : Netlink.split(ByteBuffer.wrap(datagram))) {
                tryParse(() -> Netlink.ack(message));
                tryParse(() -> Netlink.doneErrno(message));
                tryParse(() -> Netlink.address(message));
                tryParse(() -> Netlink.link(message));
                tryParse(() -> Netlink.attributes(message.payload(), 32));
            }
        } catch (NetlinkException expected) {
            // the one failure the parser may report
        }
    }

    private static void tryParse(Runnable parse) {
        try {
            parse.run();
        } catch (NetlinkException expected) {
            // ditto
        }
    }
}
