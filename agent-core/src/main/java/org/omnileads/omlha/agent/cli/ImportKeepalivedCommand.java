package org.omnileads.omlha.agent.cli;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.omnileads.omlha.agent.migrate.Migration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Converts a keepalived.conf and lists what it could not carry over: exit 0 converted, 2 unreadable file. */
@Command(name = "import-keepalived", description = "Convert a keepalived.conf into an agent configuration; what cannot "
        + "be carried over is listed on standard error and at the top of the output.")
final class ImportKeepalivedCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "the keepalived.conf")
    Path input;

    @Option(names = {"-o", "--output"}, description = "file to write (default: standard output)")
    Path output;

    @Override
    public Integer call() {
        return Migration.importKeepalived(input, Migration.localHostname(), Optional.ofNullable(output), System.out,
                System.err);
    }
}
