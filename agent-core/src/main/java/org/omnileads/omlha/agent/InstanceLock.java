package org.omnileads.omlha.agent;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One agent per control socket: a second {@code omlha-agent run} (an operator debugging while the service runs)
 * would remove the live master's VIPs at start and fight it on the wire. The lock file sits next to the socket
 * ({@code agent.sock} -> {@code agent.sock.lock}) and holds the owner's pid; the kernel drops the lock when the
 * process dies, so a crash never leaves it stale.
 */
final class InstanceLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private InstanceLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws StartRefusedException when another agent holds the lock (exit 1: under systemd it may have stopped by the retry) */
    static InstanceLock acquire(Path controlSocket) throws IOException, StartRefusedException {
        Path file = controlSocket.resolveSibling(controlSocket.getFileName() + ".lock");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock == null) {
            String owner = Files.readString(file, StandardCharsets.UTF_8).trim();
            channel.close();
            throw new StartRefusedException("another omlha-agent" + (owner.isEmpty() ? "" : " (pid " + owner + ")")
                    + " already runs with control socket " + controlSocket + " (lock " + file + ")", StartRefusedException.EXIT_FAILED);
        }
        channel.truncate(0);
        channel.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        return new InstanceLock(channel, lock);
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
