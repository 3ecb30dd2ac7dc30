/**
 * Local service probes. The probe types of the contract (tcp, http, exec, postgresql, redis, sip-options, ami,
 * process) arrive with issue 3; until then the daemon accepts their configuration and logs them as not active.
 */
package org.omnileads.omlha.probes;
