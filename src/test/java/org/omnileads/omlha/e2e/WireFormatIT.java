package org.omnileads.omlha.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** tshark (Wireshark's dissector, an independent decoder) reads the agent's adverts as VRRP with a good checksum. */
@Tag("lab")
class WireFormatIT {

    @Test
    void tsharkDecodesV3AndV2AdvertsWithAGoodChecksum() throws Exception {
        try (Cluster c = Cluster.create(2)) {
            c.agent(1, "  groups {\n"
                    + "    v3 { vrid = 51, priority = 150, vips = [\"192.0.2.100/24\"], advert-interval = 100ms }\n"
                    + "    v2 { vrid = 52, priority = 150, vips = [\"192.0.2.101/24\"], version = 2, advert-interval = 1s, auth-pass = \"secret\" }\n"
                    + "    v6 { vrid = 53, priority = 150, vips = [\"2001:db8::100/64\"], advert-interval = 100ms }\n"
                    + "  }");
            Await.until(Duration.ofSeconds(15), "n1 holds its VIPs", () -> c.holders("192.0.2.101").size() == 1, c::diagnostics);
            Path out = c.lab.workDir().resolve("tshark.txt");
            Process tshark = c.lab.start(c.hosts.get(1), List.of("tshark", "-l", "-n", "-i", "eth0", "-a", "duration:3",
                    "-f", "ip proto 112 or ip6 proto 112", "-o", "vrrp.v3_checksum_as_in_v2:FALSE",
                    "-T", "fields", "-E", "separator=,", "-e", "vrrp.version", "-e", "vrrp.virt_rtr_id", "-e", "vrrp.prio",
                    "-e", "vrrp.checksum.status", "-e", "vrrp.auth_string", "-e", "ip.ttl", "-e", "ipv6.hlim"), out);
            assertTrue(tshark.waitFor(20, TimeUnit.SECONDS), "tshark ends after its 3 s capture");
            List<String> lines = Files.readAllLines(out).stream().filter(l -> l.matches("^[23],.*")).toList();
            String all = String.join("\n", Files.readAllLines(out));
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("3,51,150,1,,255")), "a good VRRPv3 IPv4 advert\n" + all);
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("2,52,150,1,secret,255")), "a good VRRPv2 PASS advert\n" + all);
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("3,53,150,1,,,255")), "a good VRRPv3 IPv6 advert\n" + all);
            assertFalse(lines.stream().anyMatch(l -> l.split(",").length > 3 && l.split(",")[3].equals("0")), "no bad checksum\n" + all);
        }
    }
}
