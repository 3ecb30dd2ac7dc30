package org.omnileads.omlha.agent.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigIncludeContext;
import com.typesafe.config.ConfigIncluder;
import com.typesafe.config.ConfigIncluderURL;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValueFactory;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Reads the agent configuration: HOCON (Typesafe Config) with {@code ${?VAR}} environment overrides, validated into
 * an {@link AgentConfig}. Every problem found is reported at once in one {@link ConfigException}, each naming the
 * file, the line and the key. Reading never touches the network: {@code include url(...)} is refused.
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    /** Reads and validates {@code file}, resolving {@code ${?VAR}} from the process environment. */
    public static AgentConfig load(Path file) throws ConfigException {
        return load(file, System.getenv());
    }

    /** Validates HOCON text; {@code originName} stands for the file in messages ({@code agent.conf:7: ...}). */
    public static AgentConfig parse(String hocon, String originName) throws ConfigException {
        return parse(hocon, originName, System.getenv());
    }

    static AgentConfig load(Path file, Map<String, String> env) throws ConfigException {
        String name = file.toString();
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new ConfigException(name, "no such file");
        } catch (AccessDeniedException e) {
            throw new ConfigException(name, "not readable by user " + System.getProperty("user.name") + unsearchableFolder(file));
        } catch (IOException e) {
            // e.g. ENOTDIR: a part of the path is a file ("Not a directory")
            String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.toString();
            throw new ConfigException(name, "cannot be read: " + reason);
        }
        if (!attributes.isRegularFile()) {
            throw new ConfigException(name, "not a regular file");
        }
        if (!Files.isReadable(file)) {
            throw new ConfigException(name, "not readable by user " + System.getProperty("user.name") + " (the file is" + modeAndOwner(file) + ")");
        }
        Problems problems = new Problems(name);
        Config parsed;
        try {
            parsed = ConfigFactory.parseFile(new File(name), options());
        } catch (com.typesafe.config.ConfigException e) {
            problems.add(e);
            problems.throwIfAny();
            throw new AssertionError("unreachable");
        }
        return resolveAndRead(parsed, env, problems);
    }

    static AgentConfig parse(String hocon, String originName, Map<String, String> env) throws ConfigException {
        Problems problems = new Problems(originName);
        Config parsed;
        try {
            parsed = ConfigFactory.parseString(hocon, options().setOriginDescription(originName));
        } catch (com.typesafe.config.ConfigException e) {
            problems.add(e);
            problems.throwIfAny();
            throw new AssertionError("unreachable");
        }
        return resolveAndRead(parsed, env, problems);
    }

    /**
     * Substitutions look in the file first, then in {@code env}: the environment is a fallback layer under the
     * file, as Typesafe's own {@code resolve()} does with the process environment (taking the map as a parameter
     * lets tests set variables). Only the file's own top-level keys are read afterwards.
     */
    private static AgentConfig resolveAndRead(Config parsed, Map<String, String> env, Problems problems)
            throws ConfigException {
        ConfigObject root;
        try {
            Config environment = ConfigValueFactory.fromMap(env, "environment variables").toConfig();
            root = parsed.withFallback(environment).resolve(ConfigResolveOptions.noSystem()).root();
        } catch (com.typesafe.config.ConfigException e) {
            problems.add(e);
            problems.throwIfAny();
            throw new AssertionError("unreachable");
        }
        for (String key : env.keySet()) {
            if (!parsed.root().containsKey(key)) {
                root = root.withoutKey(key);
            }
        }
        Optional<AgentConfig> config = AgentConfigReader.read(root, problems, ConfigLoader::localHostname);
        problems.throwIfAny();
        return config.orElseThrow(() -> new AssertionError("no configuration and no problem reported"));
    }

    /**
     * The folder above {@code file} this user may not enter (e.g. {@code /etc/omlha} 0750 root:omlha, read by a user not
     * in group omlha): without search permission on it the file cannot even be looked at, so "no such file" would lie.
     */
    private static String unsearchableFolder(Path file) {
        Path absolute = file.toAbsolutePath();
        Path folder = absolute.getRoot();
        for (Path part : absolute.getParent()) {
            folder = folder.resolve(part);
            if (!Files.isExecutable(folder)) {
                return ": folder " + folder + " cannot be entered (it is" + modeAndOwner(folder) + ")";
            }
        }
        return ": permission denied";
    }

    /** {@code " 0640 root:omlha"}, or "" when even that cannot be read. */
    private static String modeAndOwner(Path path) {
        try {
            PosixFileAttributes attributes = Files.readAttributes(path, PosixFileAttributes.class);
            int mode = 0;
            for (PosixFilePermission permission : attributes.permissions()) {
                // The enum lists OWNER_READ ... OTHERS_EXECUTE, highest bit first.
                mode |= 0400 >> permission.ordinal();
            }
            return String.format(" %04o %s:%s", mode, attributes.owner().getName(), attributes.group().getName());
        } catch (IOException | UnsupportedOperationException e) {
            return "";
        }
    }

    private static ConfigParseOptions options() {
        return ConfigParseOptions.defaults()
                .setSyntax(ConfigSyntax.CONF)
                .setAllowMissing(false)
                .setIncluder(new NoUrlIncluder(null));
    }

    /**
     * The default of {@code omlha.node}: the kernel's host name, as {@code hostname} prints it. Not
     * {@code InetAddress.getLocalHost()}: that resolves the name (/etc/hosts, then DNS), so a node whose name is in
     * neither, or whose DNS is down at boot, would wait for the resolver and then be called "localhost", like its peer.
     */
    static String localHostname() {
        return hostnameFrom(Path.of("/proc/sys/kernel/hostname"));
    }

    static String hostnameFrom(Path file) {
        try {
            String name = Files.readString(file).strip();
            return name.isEmpty() || name.equals("(none)") ? "localhost" : name;
        } catch (IOException | RuntimeException e) {
            return "localhost";
        }
    }

    /** Includes of files and classpath resources work as usual; URLs are refused, checking a config stays offline. */
    private static final class NoUrlIncluder implements ConfigIncluder, ConfigIncluderURL {
        private final ConfigIncluder fallback;

        NoUrlIncluder(ConfigIncluder fallback) {
            this.fallback = fallback;
        }

        @Override
        public ConfigIncluder withFallback(ConfigIncluder fallback) {
            return new NoUrlIncluder(fallback);
        }

        @Override
        public ConfigObject include(ConfigIncludeContext context, String what) {
            if (what.matches("(?i)[a-z][a-z0-9+.-]*:.*") && !what.regionMatches(true, 0, "file:", 0, 5)) {
                throw refused(what);
            }
            return fallback.include(context, what);
        }

        @Override
        public ConfigObject includeURL(ConfigIncludeContext context, URL url) {
            throw refused(url.toString());
        }

        private static com.typesafe.config.ConfigException refused(String what) {
            return new com.typesafe.config.ConfigException.Generic(
                    "include of " + Values.quote(what) + " refused: only files and classpath resources can be included");
        }
    }
}
