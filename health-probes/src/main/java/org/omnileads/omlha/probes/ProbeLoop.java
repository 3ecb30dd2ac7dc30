package org.omnileads.omlha.probes;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The one Netty event loop that a probe's state is confined to: from the probe's own single-thread group, shut down
 * by {@link #close}, or from a group shared with other probes, left running.
 */
final class ProbeLoop {

    /** The first step of a check, run on the loop with the check's start time and the future it completes. */
    interface CheckStart {
        void begin(long startNanos, CompletableFuture<ProbeResult> result);
    }

    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final EventLoop loop;

    /** {@code sharedGroup} {@code null} means a group of the probe's own, its thread named {@code threadName}. */
    ProbeLoop(String threadName, EventLoopGroup sharedGroup) {
        this.ownsGroup = sharedGroup == null;
        this.group = ownsGroup ? new NioEventLoopGroup(1, new DefaultThreadFactory(threadName, true)) : sharedGroup;
        this.loop = group.next();
    }

    EventLoop loop() {
        return loop;
    }

    /** Starts a check on the loop; once the loop refuses work (the probe closed) the check is down, "probe closed". */
    CompletableFuture<ProbeResult> check(CheckStart start) {
        long startNanos = System.nanoTime();
        CompletableFuture<ProbeResult> result = new CompletableFuture<>();
        Probes.execute(loop, () -> start.begin(startNanos, result), startNanos, result);
        return result;
    }

    /** Runs {@code closeOnLoop} on the loop, then shuts the group down if it is the probe's own. Idempotent. */
    void close(Runnable closeOnLoop) {
        try {
            loop.execute(closeOnLoop);
        } catch (RejectedExecutionException alreadyShutDown) {
            return;
        }
        if (ownsGroup) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
