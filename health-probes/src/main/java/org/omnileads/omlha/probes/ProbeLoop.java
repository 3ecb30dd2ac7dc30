package org.omnileads.omlha.probes;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The one Netty event loop that a probe's state is confined to: from the probe's own single-thread group, shut down
 * by {@link #close}, or from a group shared with other probes, left running.
 */
final class ProbeLoop {
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

    /** Runs {@code task} on the loop; nothing once the loop has shut down. */
    void run(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException shutDown) {
            // nothing left to do there
        }
    }

    /**
     * Runs {@code closeOnLoop} on the loop, then, if the group is the probe's own, shuts it down and waits (two
     * seconds at most) for its thread to end.
     */
    void close(Runnable closeOnLoop) {
        try {
            loop.execute(closeOnLoop);
        } catch (RejectedExecutionException alreadyShutDown) {
            return;
        }
        if (ownsGroup) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }
}
