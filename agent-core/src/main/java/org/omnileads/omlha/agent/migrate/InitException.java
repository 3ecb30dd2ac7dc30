package org.omnileads.omlha.agent.migrate;

/** An installer variable that is missing or invalid: {@code oml_ha_rol: must be main or backup, got "master"}. */
public final class InitException extends Exception {
    private final String variable;

    public InitException(String variable, String message) {
        super(variable + ": " + message);
        this.variable = variable;
    }

    /** The environment variable (or option) at fault. */
    public String variable() {
        return variable;
    }
}
