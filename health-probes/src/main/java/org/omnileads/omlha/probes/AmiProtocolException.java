package org.omnileads.omlha.probes;

import io.netty.handler.codec.DecoderException;

/** Bytes that do not follow the Asterisk Manager Interface framing; the only exception {@link AmiDecoder} throws. */
public final class AmiProtocolException extends DecoderException {

    private static final long serialVersionUID = 1L;

    public AmiProtocolException(String message) {
        super(message);
    }
}
