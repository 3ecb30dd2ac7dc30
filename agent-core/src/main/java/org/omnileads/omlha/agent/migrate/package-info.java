/**
 * Moving a node to the agent: {@code init} writes a configuration from the OMniLeads installer variables
 * ({@link org.omnileads.omlha.agent.migrate.NodeTemplate}), {@code import-keepalived} converts a keepalived.conf
 * ({@link org.omnileads.omlha.agent.migrate.KeepalivedConf}, {@link org.omnileads.omlha.agent.migrate.KeepalivedImporter})
 * and lists what it could not carry over.
 */
package org.omnileads.omlha.agent.migrate;
