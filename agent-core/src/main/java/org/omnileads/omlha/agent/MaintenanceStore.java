package org.omnileads.omlha.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * The maintenance marks in {@code state-dir} ({@code /var/lib/omlha/maintenance}): one group name per line, so that a
 * node in maintenance stays out of the election across a restart of the agent or of the host. Written whole, through a
 * temporary file and a rename, so a crash mid-write leaves the old file or the new one.
 */
final class MaintenanceStore {
    static final String FILE_NAME = "maintenance";

    private final Path file;

    MaintenanceStore(Path stateDir) {
        this.file = stateDir.resolve(FILE_NAME);
    }

    Path file() {
        return file;
    }

    /** The groups marked; none when the file does not exist. */
    Set<String> read() throws IOException {
        Set<String> names = new TreeSet<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String name = line.strip();
                if (!name.isEmpty() && !name.startsWith("#")) {
                    names.add(name);
                }
            }
        } catch (NoSuchFileException e) {
            return Set.of();
        }
        return names;
    }

    void write(Set<String> groups) throws IOException {
        StringBuilder text = new StringBuilder("# groups in maintenance on this node: 'omlha-agent maintenance off' ends it\n");
        for (String group : new TreeSet<>(groups)) {
            text.append(group).append('\n');
        }
        StateFiles.writeAtomically(file, text.toString());
    }
}
