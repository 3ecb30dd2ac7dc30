package org.omnileads.omlha.agent.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code omlha-agent}: the daemon and the commands operators run on a node (CONTRACT.md, "Commands"). */
@Command(name = "omlha-agent", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "High-availability agent for OMniLeads: VRRP virtual IPs, interoperable with keepalived.",
        subcommands = {RunCommand.class, StatusCommand.class, CheckConfigCommand.class, LabCommand.class, InitCommand.class, ImportKeepalivedCommand.class,
                ReleaseVipsCommand.class,
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
        System.exit(new CommandLine(new Main()).execute(args));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"omlha-agent " + (v == null ? "dev" : v)};
        }
    }
}
