package org.omnileads.omlha.agent.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.omnileads.omlha.agent.config.AgentConfig;
import org.omnileads.omlha.agent.config.ConfigException;
import org.omnileads.omlha.agent.config.ConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Validates a configuration without touching the network: exit 0 valid, 2 invalid. */
@Command(name = "check-config", description = "Validate the configuration file without touching the network.")
final class CheckConfigCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, description = "configuration file (default: ${DEFAULT-VALUE})", defaultValue = Main.DEFAULT_CONFIG)
    Path config;

    @Override
    public Integer call() throws ConfigException {
        AgentConfig loaded = ConfigLoader.load(config); // invalid: Main prints the problems and exits 2
        System.out.printf("%s: valid, %d group(s), %d probe(s)%n", config, loaded.groups().size(), loaded.probes().size());
        return 0;
    }
}
