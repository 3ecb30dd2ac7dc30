/**
 * The agent's configuration: {@code omlha { ... }} in HOCON (Typesafe Config), read by {@link
 * org.omnileads.omlha.agent.config.ConfigLoader} into an {@link org.omnileads.omlha.agent.config.AgentConfig} of
 * records, defaults applied. Validation reports every problem at once, each as {@code file:line: key: reason}.
 */
package org.omnileads.omlha.agent.config;
