package org.omnileads.omlha.probes;

import io.netty.handler.codec.DecoderException;

/** A datagram that is not a well-formed SIP response (RFC 3261 §7.2); the only exception {@link SipResponse#parse} throws. */
public final class SipMessageException extends DecoderException {

    private static final long serialVersionUID = 1L;

    public SipMessageException(String message) {
        super(message);
    }
}
