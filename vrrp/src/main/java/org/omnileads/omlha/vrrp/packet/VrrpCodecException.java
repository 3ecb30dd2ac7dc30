package org.omnileads.omlha.vrrp.packet;

import java.util.Objects;

/**
 * A packet the codec refuses, with the {@link DropReason} to count it under and a message that says exactly
 * what was wrong ({@code bad checksum 0x1a2b, expected 0x3c4d}).
 *
 * <p>Junk arrives from the network at the sender's pace, so the exception records no stack trace: the
 * message is the diagnosis.
 */
public final class VrrpCodecException extends Exception {
    private static final long serialVersionUID = 1L;

    private final DropReason reason;

    public VrrpCodecException(DropReason reason, String message) {
        super(message, null, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public DropReason reason() {
        return reason;
    }

    @Override
    public String toString() {
        return "VrrpCodecException[" + reason.label() + "]: " + getMessage();
    }
}
