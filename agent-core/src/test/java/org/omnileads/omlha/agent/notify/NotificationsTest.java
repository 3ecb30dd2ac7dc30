package org.omnileads.omlha.agent.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnileads.omlha.agent.config.EmailNotify;
import org.omnileads.omlha.agent.config.NotifyConfig;

/** Notifications reach a real script and a real SMTP server (GreenMail), in order, and failures never escape. */
class NotificationsTest {
    @TempDir
    Path dir;

    private static Notification event(String group, String state, int priority) {
        return new Notification("omnileads.example", "pgsql-01", group, state, priority, "master down timer expired", Instant.parse("2026-01-01T00:00:00Z"));
    }

    private Path script(String body) throws Exception {
        Path script = dir.resolve("notify.sh");
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    private static void awaitLines(Path file, int count) throws Exception {
        for (int i = 0; i < 500 && (!Files.exists(file) || Files.readAllLines(file).size() < count); i++) {
            Thread.sleep(10);
        }
    }

    @Test
    void theScriptGetsKeepalivedsArgumentsInOrderWithTheReasonInItsEnvironment() throws Exception {
        Path out = dir.resolve("calls.txt");
        Path script = script("echo \"$1 $2 $3 $4 | $OMLHA_REASON | $OMLHA_NODE\" >> " + out);
        try (Notifier notifier = Notifications.from(new NotifyConfig(Optional.empty(), Optional.of(script.toString())))) {
            notifier.notify(event("asterisk", "MASTER", 150));
            notifier.notify(event("asterisk", "BACKUP", 150));
            notifier.notify(event("asterisk", "STOP", 150));
            awaitLines(out, 3);
        }
        assertEquals(List.of("GROUP asterisk MASTER 150 | master down timer expired | pgsql-01",
                "GROUP asterisk BACKUP 150 | master down timer expired | pgsql-01",
                "GROUP asterisk STOP 150 | master down timer expired | pgsql-01"), Files.readAllLines(out));
    }

    @Test
    void aFailingScriptIsRetriedAndAHungOneKilled() throws Exception {
        Path attempts = dir.resolve("attempts.txt");
        Path script = script("echo x >> " + attempts + "; [ $(wc -l < " + attempts + ") -ge 2 ]");
        try (Notifications notifier = new Notifications(List.of(new ExecDelivery(script.toString(), Duration.ofSeconds(5))), 3,
                Duration.ofMillis(10))) {
            notifier.notify(event("web", "MASTER", 100));
            awaitLines(attempts, 2);
        }
        assertEquals(2, Files.readAllLines(attempts).size(), "failed once, succeeded on the second attempt, not called again");

        Path hung = script("sleep 30");
        ExecDelivery slow = new ExecDelivery(hung.toString(), Duration.ofMillis(200));
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> slow.deliver(event("web", "MASTER", 100)));
        assertTrue(e.getMessage().contains("timed out after 200 ms, killed"), e.getMessage());
    }

    @Test
    void anEmailWithTenantNodeGroupAndStateInTheSubjectReachesTheRelay() throws Exception {
        GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        try {
            String relay = "127.0.0.1:" + smtp.getSmtp().getPort();
            NotifyConfig config = new NotifyConfig(Optional.of(new EmailNotify(List.of("notifications@domain.com"), "omlha@example.com", relay)),
                    Optional.empty());
            try (Notifier notifier = Notifications.from(config)) {
                notifier.notify(event("pgsql-rw", "STALE_PRIMARY", 150));
                assertTrue(smtp.waitForIncomingEmail(10_000, 1), "the mail arrived");
            }
            MimeMessage mail = smtp.getReceivedMessages()[0];
            assertEquals("[omnileads.example] pgsql-01: group pgsql-rw is STALE_PRIMARY", mail.getSubject());
            assertEquals("notifications@domain.com", mail.getAllRecipients()[0].toString());
            assertTrue(((String) mail.getContent()).contains("reason:   master down timer expired"));
        } finally {
            smtp.stop();
        }
    }

    @SuppressWarnings("try") // the socket is closed at once on purpose: its port then refuses connections
    @Test
    void aDeadMailServerChangesNothingElse() throws Exception {
        Path out = dir.resolve("calls.txt");
        Path script = script("echo \"$3\" >> " + out);
        try (java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
            int port = closed.getLocalPort();
            closed.close();
            NotifyConfig config = new NotifyConfig(Optional.of(new EmailNotify(List.of("a@b.c"), "o@b.c", "127.0.0.1:" + port)),
                    Optional.of(script.toString()));
            try (Notifier notifier = Notifications.from(config)) {
                notifier.notify(event("web", "MASTER", 100));
                awaitLines(out, 1);
            }
        }
        assertEquals(List.of("MASTER"), Files.readAllLines(out), "the script ran although the mail could not be sent");
    }

    /** A delivery that never finishes until interrupted (a mail relay that accepts and then says nothing). */
    private static final class HungDelivery implements Delivery {
        final java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        volatile boolean interrupted;

        @Override
        public String name() {
            return "email";
        }

        @Override
        public void deliver(Notification notification) throws Exception {
            calls.incrementAndGet();
            entered.countDown();
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                interrupted = true;
                throw e;
            }
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(30) // a guard against a hang, not a measurement
    void aStopGivesUpOnAHungDeliveryAndDropsWhatIsLeftInsteadOfWaitingForIt() throws Exception {
        HungDelivery hung = new HungDelivery();
        Notifications notifier = new Notifications(List.of(hung), 3, Duration.ofSeconds(2), Duration.ofMillis(200));
        notifier.notify(event("web", "MASTER", 100));
        notifier.notify(event("web", "STOP", 100));
        assertTrue(hung.entered.await(10, java.util.concurrent.TimeUnit.SECONDS));
        notifier.close();
        assertTrue(hung.interrupted, "the hung delivery was abandoned, not waited for");
        assertEquals(1, hung.calls.get(), "the queued STOP was dropped, not attempted after the stop's wait");
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void atAStopAFailingChannelGetsOneLastAttemptAndNoRetry() throws Exception {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch failedOnce = new java.util.concurrent.CountDownLatch(1);
        Delivery failing = new Delivery() {
            @Override
            public String name() {
                return "email";
            }

            @Override
            public void deliver(Notification notification) throws Exception {
                calls.incrementAndGet();
                failedOnce.countDown();
                throw new java.io.IOException("connection refused by 127.0.0.1:25");
            }
        };
        // A retry delay of an hour: had the stop waited for the retries, the test would hit its guard.
        Notifications notifier = new Notifications(List.of(failing), 3, Duration.ofHours(1), Duration.ofSeconds(5));
        notifier.notify(event("web", "MASTER", 100));
        assertTrue(failedOnce.await(10, java.util.concurrent.TimeUnit.SECONDS));
        notifier.notify(event("web", "STOP", 100));
        notifier.close();
        assertEquals(2, calls.get(), "MASTER's first attempt, then STOP's last one; no retry of either");
    }
}
