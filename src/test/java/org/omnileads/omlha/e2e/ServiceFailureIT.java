package org.omnileads.omlha.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.lab.LabAgent;
import org.omnileads.omlha.labservices.LabHaproxy;
import org.omnileads.omlha.labservices.NamespaceHttpClient;
import org.omnileads.omlha.netns.NetnsLab;

/**
 * A node that stays up while its service dies (issue 3): both nodes run HAProxy and track it with an http probe
 * of weight 0; HAProxy on the master is SIGKILLed; the master goes FAULT and releases the VIP, the backup answers
 * the client through it; HAProxy returns and the master takes the VIP back. The client's outage is printed, not
 * asserted: timing belongs to {@code bench/service-failure}.
 */
@Tag("lab")
class ServiceFailureIT {
    private static final Duration LIMIT = Duration.ofSeconds(15);
    private static final Duration CLIENT_TIMEOUT = Duration.ofMillis(300);

    /** A probe of the local HAProxy and a group that tracks it with weight 0 (FAULT while it is down). */
    private static String node(int priority) {
        return "  probes { web { type = http, url = \"http://127.0.0.1:" + LabHaproxy.PORT + LabHaproxy.HEALTH_PATH
                + "\", interval = 1s, timeout = 500ms, rise = 1, fall = 1 } }\n"
                + Cluster.group("web", 51, priority, Cluster.VIP4 + "/24", "advert-interval = 100ms, track = [{ probe = web, weight = 0 }]");
    }

    @Test
    void aMasterWhoseHaproxyDiesGivesTheVipToTheBackupAndTakesItBackWhenHaproxyReturns() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            NetnsLab.Host host1 = c.hosts.get(0);
            NetnsLab.Host host2 = c.hosts.get(1);
            LabHaproxy haproxy1 = new LabHaproxy(c.lab, host1);
            LabHaproxy haproxy2 = new LabHaproxy(c.lab, host2);
            haproxy1.start();
            haproxy2.start();
            LabAgent n1 = c.agent(1, node(150));
            LabAgent n2 = c.agent(2, node(100));
            Await.until(LIMIT, "n1 MASTER with the VIP and n2 BACKUP, both probes up",
                    () -> n1.isMasterWithVips("web") && c.onlyHolderIs(host1, Cluster.VIP4) && inState(n2, "BACKUP")
                            && probeUp(n1) && probeUp(n2), c::diagnostics);

            InetSocketAddress vip = new InetSocketAddress(InetAddress.getByName(Cluster.VIP4), LabHaproxy.PORT);
            try (NamespaceHttpClient users = NamespaceHttpClient.start(c.client.namespace(), vip, "/", Duration.ofMillis(10),
                    CLIENT_TIMEOUT, Duration.ofMinutes(2))) {
                Await.until(LIMIT, "the client gets answers from n1 through the VIP",
                        () -> users.lastSuccess().map(e -> e.body().equals("n1")).orElse(false), () -> diagnostics(c, users));

                long killed = System.nanoTime();
                haproxy1.kill();

                Await.until(LIMIT, "the client gets answers from n2 through the VIP",
                        () -> users.firstSuccessSentAfter(killed, "n2"::equals).isPresent(), () -> diagnostics(c, users));
                Await.until(LIMIT, "n1 FAULT without the VIP",
                        () -> n1.group("web").map(g -> g.state().equals("FAULT") && !g.vipsAttached()).orElse(false),
                        () -> diagnostics(c, users));
                assertFalse(probeUp(n1), "n1's probe reports HAProxy down\n" + c.diagnostics());
                assertTrue(n2.isMasterWithVips("web") && c.onlyHolderIs(host2, Cluster.VIP4), "n2 alone holds the VIP\n" + c.diagnostics());
                Await.sleep(CLIENT_TIMEOUT.toMillis() + 50); // the requests still open in the gap end, so they are counted
                NamespaceHttpClient.Outage failover = users.longestOutage(killed).orElseThrow();
                assertEquals("n1", failover.before().body(), failover.toString());
                assertEquals("n2", failover.after().body(), failover.toString());
                System.out.printf("ServiceFailureIT: HAProxy killed on the master: %s; first answer from n2 %.1f ms after the kill%n",
                        failover, (users.firstSuccessSentAfter(killed, "n2"::equals).orElseThrow().endedNanos() - killed) / 1e6);

                long restarted = System.nanoTime();
                haproxy1.start();

                Await.until(LIMIT, "n1 takes the VIP back (preempt)",
                        () -> n1.isMasterWithVips("web") && c.onlyHolderIs(host1, Cluster.VIP4), () -> diagnostics(c, users));
                Await.until(LIMIT, "the client gets answers from n1 again",
                        () -> users.firstSuccessSentAfter(restarted, "n1"::equals).isPresent(), () -> diagnostics(c, users));
                Await.until(LIMIT, "n2 back to BACKUP without the VIP",
                        () -> n2.group("web").map(g -> g.state().equals("BACKUP") && !g.vipsAttached()).orElse(false),
                        () -> diagnostics(c, users));
                users.longestOutage(restarted).ifPresent(gap -> System.out.println("ServiceFailureIT: longest gap while n1 took the VIP back: " + gap));
            }
        }
    }

    private static boolean inState(LabAgent agent, String state) {
        return agent.group("web").map(g -> g.state().equals(state)).orElse(false);
    }

    private static boolean probeUp(LabAgent agent) {
        return agent.status().map(s -> s.probes().stream().anyMatch(p -> p.name().equals("web") && p.up())).orElse(false);
    }

    private static String diagnostics(Cluster c, NamespaceHttpClient users) {
        List<NamespaceHttpClient.Exchange> exchanges = users.exchanges();
        return c.diagnostics() + "---- client: " + exchanges.size() + " requests, the last ones: "
                + exchanges.stream().skip(Math.max(0, exchanges.size() - 10)).map(Object::toString).collect(Collectors.joining(", "));
    }
}
