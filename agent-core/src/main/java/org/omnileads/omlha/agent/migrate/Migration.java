package org.omnileads.omlha.agent.migrate;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.omnileads.omlha.agent.config.ConfigException;
import org.omnileads.omlha.agent.config.ConfigLoader;

/**
 * What {@code omlha-agent init} and {@code import-keepalived} do, with their streams and environment as parameters.
 * Exit codes: 0 written, 2 bad input (nothing written), 1 the output file could not be written. A configuration
 * is only written after it passed {@link ConfigLoader}.
 */
public final class Migration {

    private Migration() {
    }

    /** This machine's name: the notification sender's domain ({@code omlha@<hostname>}, {@code keepalived@<hostname>}). */
    public static String localHostname() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    public static int init(Optional<String> role, Map<String, String> env, String hostname, Optional<Path> output,
            PrintStream stdout, PrintStream stderr) {
        String hocon;
        try {
            NodeTemplate.Role chosen = role.isPresent() ? NodeTemplate.Role.parse(role.get()) : NodeTemplate.inferRole(env);
            hocon = NodeTemplate.render(chosen, env, hostname);
        } catch (InitException e) {
            stderr.println("omlha-agent init: " + e.getMessage());
            return 2;
        }
        return validateAndWrite("omlha-agent init", hocon, output, stdout, stderr);
    }

    /** {@code hostname}: the name of the host whose keepalived.conf this is (addresses without a domain get it). */
    public static int importKeepalived(Path input, String hostname, Optional<Path> output, PrintStream stdout,
            PrintStream stderr) {
        String text;
        try {
            text = Files.readString(input, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            stderr.println("omlha-agent import-keepalived: " + input + ": not UTF-8 text");
            return 2;
        } catch (IOException e) {
            stderr.println("omlha-agent import-keepalived: " + input + ": cannot read: " + e.getMessage());
            return 2;
        }
        KeepalivedImporter.Conversion conversion;
        try {
            conversion = KeepalivedImporter.convert(KeepalivedConf.parse(text), hostname);
        } catch (KeepalivedSyntaxException e) {
            stderr.println("omlha-agent import-keepalived: " + input + ": " + e.getMessage());
            return 2;
        }
        if (!conversion.notCarriedOver().isEmpty()) {
            stderr.println("Not carried over, or changed (also listed at the top of the output):");
            conversion.notCarriedOver().forEach(note -> stderr.println("  " + input + ": " + note));
        }
        return validateAndWrite("omlha-agent import-keepalived", conversion.hocon(), output, stdout, stderr);
    }

    private static int validateAndWrite(String command, String hocon, Optional<Path> output, PrintStream stdout,
            PrintStream stderr) {
        try {
            ConfigLoader.parse(hocon, output.map(Path::toString).orElse("output"));
        } catch (ConfigException e) {
            stderr.println(command + ": the result is not a valid agent configuration, nothing written:");
            stderr.println(e.getMessage());
            return 2;
        }
        if (output.isEmpty()) {
            stdout.print(hocon);
            stdout.flush();
            return 0;
        }
        try {
            Files.writeString(output.get(), hocon, StandardCharsets.UTF_8);
        } catch (IOException e) {
            stderr.println(command + ": cannot write " + output.get() + ": " + e.getMessage());
            return 1;
        }
        stderr.println(command + ": wrote " + output.get());
        return 0;
    }
}
