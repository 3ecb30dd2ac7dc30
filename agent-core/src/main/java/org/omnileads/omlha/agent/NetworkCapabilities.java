package org.omnileads.omlha.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.omnileads.omlha.linux.Linux;
import org.omnileads.omlha.linux.Native;
import org.omnileads.omlha.linux.NativeException;

/**
 * The two capabilities every VRRP group needs, checked before the agent opens anything. Without CAP_NET_RAW no VRRP,
 * ARP or neighbour-advertisement socket opens. Without CAP_NET_ADMIN the sockets do open and the group becomes MASTER,
 * but every VIP it attaches is refused (RTM_NEWADDR: EPERM): a master that nobody can reach. So either missing one
 * refuses the start, in one line that names it and says what gives it here.
 *
 * <p>Reading {@code /proc/self/status} is pure ({@link #missing}, {@link #outsideBoundingSet}: its text in, capabilities
 * out); only {@link #require} reads the file and looks at the environment.
 */
final class NetworkCapabilities {
    private static final Path PROC_STATUS = Path.of("/proc/self/status");

    /** A capability the agent needs, with its bit in the CapEff/CapBnd masks (linux/capability.h). */
    enum Capability {
        NET_RAW(13, "VRRP, ARP and neighbour-advertisement sockets"),
        NET_ADMIN(12, "adding and removing the VIPs");

        final int bit;
        final String usedFor;

        Capability(int bit, String usedFor) {
            this.bit = bit;
            this.usedFor = usedFor;
        }

        /** As systemd, setpriv and systemd-nspawn spell it: {@code CAP_NET_RAW}. */
        String capName() {
            return "CAP_" + name();
        }
    }

    /** Where the agent runs, which decides what gives it a capability. */
    record Environment(boolean systemdService, boolean container) {
        /**
         * systemd sets INVOCATION_ID for every service it starts. systemd writes /run/systemd/container inside a
         * container, docker makes /.dockerenv, podman /run/.containerenv, and nspawn and podman set $container.
         */
        static Environment detect(Map<String, String> env) {
            boolean container = !env.getOrDefault("container", "").isEmpty()
                    || Files.exists(Path.of("/run/systemd/container")) || Files.exists(Path.of("/.dockerenv"))
                    || Files.exists(Path.of("/run/.containerenv"));
            return new Environment(!env.getOrDefault("INVOCATION_ID", "").isEmpty(), container);
        }
    }

    private NetworkCapabilities() {}

    /**
     * Refuses the start when this process lacks CAP_NET_RAW or CAP_NET_ADMIN. A status file it cannot read or
     * understand refuses nothing: the first socket that needs a capability then says so ({@link #notPermitted}).
     */
    static void require() throws StartRefusedException {
        String status = readStatus();
        List<Capability> missing = missing(status);
        if (!missing.isEmpty()) {
            throw new StartRefusedException(refusal(missing, outsideBoundingSet(status), Environment.detect(System.getenv())),
                    StartRefusedException.EXIT_HOST_LACKS);
        }
    }

    /**
     * A system call refused with EPERM or EACCES while the agent started, as one line: the operation, the capability
     * it needs, and why it may have been refused.
     */
    static StartRefusedException notPermitted(NativeException e) {
        return new StartRefusedException(notPermittedMessage(e.operation(), Native.describe(e.errno()), e.errno(), readStatus(),
                Environment.detect(System.getenv())), StartRefusedException.EXIT_HOST_LACKS);
    }

    static boolean isPermissionDenied(NativeException e) {
        return e.errno() == Linux.EPERM || e.errno() == Linux.EACCES;
    }

    /** The capabilities missing from the effective set (the CapEff line); none when the text does not say. */
    static List<Capability> missing(String procStatus) {
        return absentFrom(capabilitySet(procStatus, "CapEff"));
    }

    /**
     * The capabilities missing from the bounding set (the CapBnd line): nothing this process starts can get them back,
     * so whatever started it (a container, a unit's CapabilityBoundingSet=, capsh or setpriv) must give them. None
     * when the text does not say.
     */
    static List<Capability> outsideBoundingSet(String procStatus) {
        return absentFrom(capabilitySet(procStatus, "CapBnd"));
    }

    /** The hexadecimal mask of the first {@code field:} line (proc(5): {@code CapEff:\t000001ffffffffff}), if readable. */
    static OptionalLong capabilitySet(String procStatus, String field) {
        for (String line : procStatus.split("\r?\n")) {
            if (!line.startsWith(field + ":")) {
                continue;
            }
            String hex = line.substring(field.length() + 1).strip();
            boolean readable = !hex.isEmpty() && hex.length() <= 16 && hex.chars().allMatch(c -> Character.digit(c, 16) >= 0);
            return readable ? OptionalLong.of(Long.parseUnsignedLong(hex, 16)) : OptionalLong.empty();
        }
        return OptionalLong.empty();
    }

    /**
     * The capability an operation refused with EPERM or EACCES needed, from its text: address changes are
     * CAP_NET_ADMIN, raw and packet sockets and SO_BINDTODEVICE are CAP_NET_RAW; for anything else, either.
     */
    static List<Capability> neededFor(String operation) {
        if (operation.contains("RTM_NEWADDR") || operation.contains("RTM_DELADDR")) {
            return List.of(Capability.NET_ADMIN);
        }
        if (operation.contains("SOCK_RAW") || operation.contains("AF_PACKET") || operation.contains("SO_BINDTODEVICE")) {
            return List.of(Capability.NET_RAW);
        }
        return List.of(Capability.NET_RAW, Capability.NET_ADMIN);
    }

    /**
     * The line for capabilities missing at start: {@code the agent lacks CAP_NET_ADMIN (adding and removing the VIPs):}
     * followed by what gives it where the agent runs.
     */
    static String refusal(List<Capability> missing, List<Capability> outsideBoundingSet, Environment where) {
        String names = missing.stream().map(c -> c.capName() + " (" + c.usedFor + ")").collect(Collectors.joining(" and "));
        return "the agent lacks " + names + ": " + remedy(missing, outsideBoundingSet, where);
    }

    /** What gives the {@code missing} capabilities, as one clause or several joined by "; ". */
    static String remedy(List<Capability> missing, List<Capability> outsideBoundingSet, Environment where) {
        String it = missing.size() == 1 ? "it" : "them";
        boolean bounded = missing.stream().anyMatch(outsideBoundingSet::contains);
        String containerFlags = "systemd-nspawn --capability=" + missing.stream().map(Capability::capName).collect(Collectors.joining(","))
                + "; docker or podman run " + missing.stream().map(c -> "--cap-add " + c.name()).collect(Collectors.joining(" "));
        List<String> remedies = new ArrayList<>();
        if (where.container() && bounded) {
            remedies.add("this container does not have " + it + ": start the container with " + it + " (" + containerFlags + ")");
        }
        if (where.systemdService()) {
            remedies.add("the unit gives " + it + " with AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN CAP_SYS_NICE; a drop-in that clears that line,"
                    + " or a CapabilityBoundingSet= without " + it + ", takes " + it + " away (see: systemctl cat omlha-agent)");
        } else if (bounded && !where.container()) {
            remedies.add("whatever started the agent (capsh, setpriv, a container) took " + it + " out of its bounding set: run it as root"
                    + " without that, or start its container with " + it + " (" + containerFlags + ")");
        } else if (!bounded) {
            remedies.add("run the agent as root (the omlha-agent unit gives " + it + " to user omlha)");
        }
        return String.join("; ", remedies);
    }

    /** The line for an operation refused with EPERM or EACCES although the capability check found nothing missing. */
    static String notPermittedMessage(String operation, String description, int errno, String procStatus, Environment where) {
        List<Capability> needed = neededFor(operation);
        String refused = operation + ": " + description + " (errno " + errno + "): ";
        List<Capability> missing = missing(procStatus).stream().filter(needed::contains).toList();
        if (!missing.isEmpty()) {
            return refused + refusal(missing, outsideBoundingSet(procStatus), where);
        }
        String names = needed.stream().map(Capability::capName).collect(Collectors.joining(" and "));
        boolean known = capabilitySet(procStatus, "CapEff").isPresent();
        return refused + "it needs " + names + (known
                ? ", which the agent has: a security policy (SELinux, AppArmor, a seccomp filter) refused it, or this network"
                        + " namespace belongs to a user namespace the agent is not root in"
                : "; " + remedy(needed, List.of(), where));
    }

    private static List<Capability> absentFrom(OptionalLong set) {
        if (set.isEmpty()) {
            return List.of();
        }
        List<Capability> absent = new ArrayList<>();
        for (Capability c : Capability.values()) {
            if ((set.getAsLong() & (1L << c.bit)) == 0) {
                absent.add(c);
            }
        }
        return absent;
    }

    /** The status file's text, or "" when it cannot be read (which then says nothing about capabilities). */
    private static String readStatus() {
        try {
            return Files.readString(PROC_STATUS);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
