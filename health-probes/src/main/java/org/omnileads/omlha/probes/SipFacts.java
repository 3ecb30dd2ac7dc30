package org.omnileads.omlha.probes;

/** What the {@code sip-options} probe heard: the final response's status and its Server header ("" when none). */
public record SipFacts(int status, String server) implements ServiceFacts {
}
