package org.omnileads.omlha.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The shipped jar (what bin/omlha-agent and the RPM run) holds no test or benchmark support: no class of the
 * lab-services module (PostgreSQL/HAProxy/keepalived on lab hosts, the namespace clients) and no class of ours that
 * runs initdb, pg_ctl or stress-ng. Runs by failsafe after the shade plugin has written the jar, so in
 * {@code mvn verify}; needs no root, so {@code -Dlab.skip=true} does not skip it.
 */
class ShippedJarIT {
    private static final Path JAR = Path.of(System.getProperty("omlha.shippedJar", "target/omlha-agent.jar"));
    /** Class names of test support, as README's check greps for them. */
    private static final Pattern SUPPORT_NAMES = Pattern.compile("LabPostgres|LabHaproxy|LabKeepalived|NamespaceHttpClient|Timeline|stress",
            Pattern.CASE_INSENSITIVE);
    private static final List<String> SUPPORT_PACKAGES = List.of("org/omnileads/omlha/labservices/", "org/omnileads/omlha/bench/",
            "org/omnileads/omlha/e2e/");
    /** Programs only test support starts; a constant naming one is in the class file as plain UTF-8. */
    private static final List<String> SUPPORT_COMMANDS = List.of("initdb", "pg_ctl", "stress-ng");

    @Test
    void theShippedJarHoldsNoTestOrBenchmarkSupport() throws IOException {
        List<String> found = new ArrayList<>();
        try (ZipFile zip = new ZipFile(JAR.toFile())) {
            for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
                ZipEntry entry = entries.nextElement();
                String name = entry.getName();
                if (SUPPORT_PACKAGES.stream().anyMatch(name::startsWith) || SUPPORT_NAMES.matcher(name).find()) {
                    found.add(name);
                } else if (name.startsWith("org/omnileads/") && name.endsWith(".class")) {
                    try (InputStream in = zip.getInputStream(entry)) {
                        supportCommandIn(in.readAllBytes()).ifPresent(command -> found.add(name + " (runs " + command + ")"));
                    }
                }
            }
        }
        assertEquals(List.of(), found, JAR + " holds test or benchmark support; it belongs in lab-services");
    }

    /** The check looks at the right jar: the one the shade plugin wrote, with the agent and the lab command in it. */
    @Test
    void theJarCheckedIsTheShadedAgent() throws IOException {
        assertTrue(Files.isRegularFile(JAR), JAR + " missing: it is written in the package phase");
        try (ZipFile zip = new ZipFile(JAR.toFile())) {
            for (String expected : List.of("org/omnileads/omlha/agent/cli/Main.class", "org/omnileads/omlha/agent/lab/LabAgent.class",
                    "org/omnileads/omlha/netns/NetnsLab.class", "picocli/CommandLine.class")) {
                assertTrue(zip.getEntry(expected) != null, JAR + " lacks " + expected);
            }
        }
    }

    /** The byte search finds a command in a class that names it (this class does) and none in one that does not. */
    @Test
    void theCommandSearchSeesAConstantInAClassFile() throws IOException {
        assertEquals("initdb", supportCommandIn(classBytes(ShippedJarIT.class)).orElse(null));
        assertFalse(supportCommandIn(classBytes(Test.class)).isPresent());
    }

    private static Optional<String> supportCommandIn(byte[] classFile) {
        String text = new String(classFile, StandardCharsets.ISO_8859_1);
        return SUPPORT_COMMANDS.stream().filter(text::contains).findFirst();
    }

    private static byte[] classBytes(Class<?> type) throws IOException {
        try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
            return in.readAllBytes();
        }
    }
}
