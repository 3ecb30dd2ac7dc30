package org.omnileads.omlha.agent.cli;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.omnileads.omlha.agent.migrate.Migration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Writes a node's configuration from the OMniLeads installer variables: exit 0 written, 2 missing or bad variable. */
@Command(name = "init", description = "Write an agent configuration from the OMniLeads installer variables "
        + "(oml_ha_rol, oml_ha_vip, oml_ha_vip_nic, oml_ha_tenant, oml_ha_email, oml_ha_vip_main, oml_ha_vip_backup; "
        + "for redis oml_master_ip, oml_master_port and oml_ha_sentinels).")
final class InitCommand implements Callable<Integer> {
    @Option(names = "--from-env", required = true, description = "read the oml_ha_* variables from the environment")
    boolean fromEnv;

    @Option(names = "--role", description = "asterisk, haproxy, postgresql or redis (default: postgresql when oml_ha_vip_main is set)")
    String role;

    @Option(names = {"-o", "--output"}, description = "file to write (default: standard output)")
    Path output;

    @Override
    public Integer call() {
        return Migration.init(Optional.ofNullable(role), System.getenv(), Migration.localHostname(), Optional.ofNullable(output),
                System.out, System.err);
    }
}
