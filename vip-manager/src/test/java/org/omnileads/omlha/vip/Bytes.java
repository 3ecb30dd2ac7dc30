package org.omnileads.omlha.vip;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

/** Test helpers: hex literals and hand-made netlink replies in native byte order. */
final class Bytes {
    private Bytes() {}

    /** Bytes from hex text; spaces and line breaks are ignored. */
    static byte[] hex(String text) {
        return HexFormat.of().parseHex(text.replaceAll("\\s+", ""));
    }

    static String hex(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Compares as hex text, so that a failure shows both sides readably; spaces in {@code expected} are ignored. */
    static void assertHex(String expected, ByteBuffer actual) {
        org.junit.jupiter.api.Assertions.assertEquals(expected.replaceAll("\\s+", ""), hex(actual));
    }

    static ByteBuffer nativeBuffer(int capacity) {
        return ByteBuffer.allocate(capacity).order(ByteOrder.nativeOrder());
    }

    /** Builds one netlink message: header, a fixed part, then attributes, with the length patched in. */
    static final class MessageBuilder {
        private final ByteBuffer out = nativeBuffer(4096);

        MessageBuilder(int type, int flags, int seq) {
            out.putInt(0).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0);
        }

        MessageBuilder putByte(int value) {
            out.put((byte) value);
            return this;
        }

        MessageBuilder putShort(int value) {
            out.putShort((short) value);
            return this;
        }

        MessageBuilder putInt(int value) {
            out.putInt(value);
            return this;
        }

        MessageBuilder putBytes(byte[] value) {
            out.put(value);
            return this;
        }

        MessageBuilder attribute(int type, byte[] value) {
            out.putShort((short) (4 + value.length)).putShort((short) type).put(value);
            while (out.position() % 4 != 0) {
                out.put((byte) 0);
            }
            return this;
        }

        MessageBuilder intAttribute(int type, int value) {
            return attribute(type, nativeBuffer(4).putInt(0, value).array());
        }

        /** The message, its length field set to everything written so far. */
        byte[] build() {
            out.putInt(0, out.position());
            byte[] bytes = new byte[out.position()];
            out.get(0, bytes);
            return bytes;
        }
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
