/**
 * Local service probes, one class per type of the contract: {@link org.omnileads.omlha.probes.TcpProbe tcp},
 * {@link org.omnileads.omlha.probes.HttpProbe http}, {@link org.omnileads.omlha.probes.ExecProbe exec},
 * {@link org.omnileads.omlha.probes.PostgresProbe postgresql}, {@link org.omnileads.omlha.probes.RedisProbe redis},
 * {@link org.omnileads.omlha.probes.SipOptionsProbe sip-options}, {@link org.omnileads.omlha.probes.AmiProbe ami}
 * and {@link org.omnileads.omlha.probes.ProcessProbe process}. Each shares the opening of a check (closed probe,
 * timeout, duration) through {@code AbstractProbe} and {@code Check}; {@link org.omnileads.omlha.probes.ProbeScheduler}
 * runs them with rise/fall and logs each transition once.
 */
package org.omnileads.omlha.probes;
