package org.omnileads.omlha.probes;

/** What a probe learnt of its service beyond up or down, one record per kind of service. */
public sealed interface ServiceFacts permits PostgresFacts, RedisFacts, SipFacts {
}
