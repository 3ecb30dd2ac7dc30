package org.omnileads.omlha.agent.notify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The notify script, called as keepalived calls its notify scripts: {@code script GROUP NAME STATE PRIORITY}, so
 * OMniLeads' existing scripts (start Asterisk on MASTER, stop it on BACKUP/FAULT) work unchanged. The reason, node
 * and tenant come in the environment ({@code OMLHA_REASON}, {@code OMLHA_NODE}, {@code OMLHA_TENANT}). Killed, with
 * its children, after the timeout; a non-zero exit is a failure.
 */
final class ExecDelivery implements Delivery {
    private static final int OUTPUT_KEPT = 2000;

    private final String script;
    private final Duration timeout;

    ExecDelivery(String script, Duration timeout) {
        this.script = script;
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return "exec " + script;
    }

    @Override
    public void deliver(Notification n) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(List.of(script, "GROUP", n.group(), n.state(), Integer.toString(n.priority())))
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().put("OMLHA_REASON", n.reason());
        builder.environment().put("OMLHA_NODE", n.node());
        builder.environment().put("OMLHA_TENANT", n.tenant());
        Process process = builder.start();
        byte[] output;
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new IOException("timed out after " + timeout.toMillis() + " ms, killed");
        }
        output = process.getInputStream().readNBytes(OUTPUT_KEPT);
        if (process.exitValue() != 0) {
            throw new IOException("exit " + process.exitValue() + ": " + new String(output, StandardCharsets.UTF_8).strip());
        }
    }
}
