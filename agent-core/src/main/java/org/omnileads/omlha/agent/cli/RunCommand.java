package org.omnileads.omlha.agent.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.omnileads.omlha.agent.Agent;
import org.omnileads.omlha.agent.StartRefusedException;
import org.omnileads.omlha.agent.config.AgentConfig;
import org.omnileads.omlha.agent.config.ConfigException;
import org.omnileads.omlha.agent.config.ConfigLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * The daemon in the foreground. SIGTERM/SIGINT stop it gracefully (priority-0 adverts, VIPs released, exit 0).
 * Exit 2 on a bad config; 4 when this host does not give the agent what it needs (a capability: restarting cannot fix
 * either, so the unit's RestartPreventExitStatus= lists both); 1 on any other failure. An expected start failure
 * ({@link StartRefusedException}) is one log line saying what to fix; anything else is a bug and keeps its stack trace.
 */
@Command(name = "run", description = "Run the agent in the foreground (as systemd does).")
final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    /** SIGHUP: a bad file is reported and the running config stays; a good one is applied (see {@link Agent#reload}). */
    private void reload(Agent agent) {
        log.info("SIGHUP: reloading {}", config);
        AgentConfig next;
        try {
            next = ConfigLoader.load(config);
        } catch (ConfigException e) {
            log.error("reload refused, the running configuration stays:\n{}", e.getMessage());
            return;
        }
        try {
            agent.reload(next);
        } catch (StartRefusedException e) {
            log.error("reload failed, the running configuration stays: {}", e.getMessage());
        } catch (Exception e) {
            log.error("reload failed: {}", e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }

    @Option(names = {"-c", "--config"}, description = "configuration file (default: ${DEFAULT-VALUE})", defaultValue = Main.DEFAULT_CONFIG)
    Path config;

    @Override
    public Integer call() throws ConfigException {
        AgentConfig loaded = ConfigLoader.load(config); // a bad file: Main prints it and exits 2
        CountDownLatch stopRequested = new CountDownLatch(1);
        // Our own handlers, not a shutdown hook: a clean stop exits 0, and the VIPs are released before exit.
        Signal.handle(new Signal("TERM"), s -> stopRequested.countDown());
        Signal.handle(new Signal("INT"), s -> stopRequested.countDown());
        Agent agent = new Agent(loaded, config);
        ReloadRequests reloads = new ReloadRequests(() -> reload(agent));
        Signal.handle(new Signal("HUP"), s -> reloads.request());
        try {
            agent.start();
        } catch (StartRefusedException e) {
            log.error("start failed: {}", e.getMessage());
            agent.stop();
            return e.exitCode();
        } catch (Exception e) {
            log.error("start failed: {}", e.getMessage() == null ? e.toString() : e.getMessage(), e);
            agent.stop();
            return 1;
        }
        Thread watcher = new Thread(() -> {
            try {
                agent.awaitStopped();
            } catch (Exception e) {
                log.error("agent failed: {}", e.toString());
            }
            stopRequested.countDown();
        }, "agent-watch");
        watcher.setDaemon(true);
        watcher.start();
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("stopping: handing the MASTER groups over (their VIPs stay until the new master is heard)");
        agent.stop();
        boolean failed = agent.failed();
        log.info(failed ? "stopped after a failure" : "stopped");
        return failed ? 1 : 0;
    }
}
