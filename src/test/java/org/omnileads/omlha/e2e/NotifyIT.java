package org.omnileads.omlha.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.lab.LabAgent;
import org.omnileads.omlha.netns.NetnsLab;

/**
 * A running agent notifies every transition: a real SMTP server (GreenMail, listening inside the client's namespace
 * at 192.0.2.200:2525) receives the mails, and the notify script gets keepalived's arguments.
 */
@Tag("lab")
class NotifyIT {
    private static final Duration LIMIT = Duration.ofSeconds(20);

    @Test
    void mailsAndTheScriptHearOfMasterAndStop() throws Exception {
        try (Cluster c = Cluster.create(1)) {
            GreenMail smtp = startSmtpIn(c.client.namespace());
            try {
                Path calls = c.lab.workDir().resolve("notify.txt");
                Path script = c.lab.workDir().resolve("notify.sh");
                Files.writeString(script, "#!/bin/sh\necho \"$1 $2 $3 $4\" >> " + calls + "\n");
                Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
                LabAgent n1 = c.agent(1, "  tenant = \"omnileads.example\"\n"
                        + "  notify { email { to = [\"ops@example.com\"], from = \"omlha@n1.example.com\", smtp = \"192.0.2.200:2525\" },"
                        + " exec = \"" + script + "\" }\n"
                        + Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", "advert-interval = 100ms"));
                Await.until(LIMIT, "n1 MASTER", () -> n1.isMasterWithVips("web"), c::diagnostics);
                assertTrue(smtp.waitForIncomingEmail(TimeUnit.SECONDS.toMillis(20), 2), "BACKUP and MASTER mails arrived");
                assertEquals(0, n1.terminate());
                assertTrue(smtp.waitForIncomingEmail(TimeUnit.SECONDS.toMillis(20), 3), "the STOP mail arrived");

                List<String> subjects = Arrays.stream(smtp.getReceivedMessages()).map(NotifyIT::subject).toList();
                assertEquals(List.of("[omnileads.example] n1: group web is BACKUP", "[omnileads.example] n1: group web is MASTER",
                        "[omnileads.example] n1: group web is STOP"), subjects);
                assertEquals("ops@example.com", smtp.getReceivedMessages()[1].getAllRecipients()[0].toString());
                assertEquals(List.of("GROUP web BACKUP 150", "GROUP web MASTER 150", "GROUP web STOP 150"), Files.readAllLines(calls));
            } finally {
                smtp.stop();
            }
        }
    }

    @Test
    void theScriptHearsOfMaintenanceWithKeepalivedsArgumentsAndOmlhaReason() throws Exception {
        try (Cluster c = Cluster.create(1)) {
            Path calls = c.lab.workDir().resolve("notify.txt");
            Path script = c.lab.workDir().resolve("notify.sh");
            Files.writeString(script, "#!/bin/sh\necho \"$1 $2 $3 $4: $OMLHA_REASON\" >> " + calls + "\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            LabAgent n1 = c.agent(1, "  notify { exec = \"" + script + "\" }\n"
                    + Cluster.group("web", 51, 150, Cluster.VIP4 + "/24", "advert-interval = 100ms"));
            Await.until(LIMIT, "n1 MASTER", () -> n1.isMasterWithVips("web"), c::diagnostics);

            assertEquals(0, n1.maintenance("on", "--force", "web").exit());
            assertEquals(0, n1.maintenance("off", "web").exit());
            Await.until(LIMIT, "n1 MASTER again", () -> n1.isMasterWithVips("web"), c::diagnostics);
            Await.until(LIMIT, "five notifications", () -> lineCount(calls) >= 5, c::diagnostics);
            List<String> lines = Files.readAllLines(calls);
            assertEquals("GROUP web BACKUP 150: maintenance on --force", lines.get(2), String.join("\n", lines));
            assertEquals("GROUP web BACKUP 150: maintenance off", lines.get(3), String.join("\n", lines));
            assertTrue(lines.get(4).startsWith("GROUP web MASTER 150: master down timer expired"), String.join("\n", lines));
        }
    }

    private static int lineCount(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file).size() : 0;
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    /** GreenMail started from a thread inside the namespace: its server socket, and the threads it starts, live there. */
    private static GreenMail startSmtpIn(String namespace) throws Exception {
        CompletableFuture<GreenMail> started = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                NetnsLab.enterNamespace(namespace);
                GreenMail smtp = new GreenMail(new ServerSetup(2525, "192.0.2.200", ServerSetup.PROTOCOL_SMTP));
                smtp.start();
                started.complete(smtp);
            } catch (Throwable t) {
                started.completeExceptionally(t);
            }
        }, "smtp-in-" + namespace);
        thread.start();
        return started.get(20, TimeUnit.SECONDS);
    }

    private static String subject(MimeMessage message) {
        try {
            return message.getSubject();
        } catch (Exception e) {
            return e.toString();
        }
    }
}
