package org.omnileads.omlha.agent.cli;

import org.omnileads.omlha.agent.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code omlha-agent}: the daemon and the commands operators run on a node (CONTRACT.md, "Commands"). */
@Command(name = "omlha-agent", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, versionProvider = Main.Version.class,
        description = "High-availability agent for OMniLeads: VRRP virtual IPs, interoperable with keepalived.",
        subcommands = {RunCommand.class, StatusCommand.class, CheckConfigCommand.class, LabCommand.class, InitCommand.class, ImportKeepalivedCommand.class,
                ReleaseVipsCommand.class, MaintenanceCommand.class, EventCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    static final String DEFAULT_CONFIG = "/etc/omlha/agent.conf";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (run, status, check-config, lab)");
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line, with one rule for every command that reads the configuration: a bad file prints its problems
     * (each with the key, the file and the line) and exits 2, having changed nothing.
     */
    static CommandLine commandLine() {
        return new CommandLine(new Main()).setExecutionExceptionHandler((e, command, parsed) -> {
            if (e instanceof ConfigException) {
                command.getErr().println(e.getMessage());
                command.getErr().flush();
                return 2;
            }
            throw e;
        });
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"omlha-agent " + (v == null ? "dev" : v)};
        }
    }
}
