package org.omnileads.omlha.agent.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON of {@code status --json} carries CONTRACT.md's field names, and reads back into the same records. */
class StatusJsonTest {
    private static AgentStatus sample() {
        GroupStatus group = new GroupStatus("asterisk", 51, "eth0", 3, "MASTER", 150, 140, 1000, List.of("192.0.2.100/24"), true, List.of("192.0.2.100/24"), null,
                true, false, "192.0.2.1", 140, List.of(new GroupStatus.PeerStatus("192.0.2.2", 100, 230)), 10, 20, 0, Map.of("MASTER", 1L),
                List.of(new GroupStatus.TransitionRecord("2026-01-01T00:00:00Z", "BACKUP", "MASTER", "master down timer expired")),
                new GroupStatus.DatabaseStatus("pg", "primary", "primary", "2", null, false, "ok"),
                new GroupStatus.RedisStatus("redis", "master", "192.0.2.11:6379", true, 2, 2, 3, true, false, "PONG"));
        return new AgentStatus("n1", "omnileads.example", 42, 1000, List.of(group),
                List.of(new AgentStatus.ProbeStatus("asterisk", "sip-options", true, false, "no SIP response in 500 ms", 500.2,
                        "no SIP response in 500 ms", "2026-01-01T00:00:01Z", 12, 3, 42_300L)), Map.of("bad_checksum", 3L), 0,
                new AgentStatus.LoopStatus("SCHED_FIFO", 10, null, 1234));
    }

    @Test
    void fieldNamesAreTheContracts() throws Exception {
        JsonNode root = new ObjectMapper().readTree(StatusJson.write(sample()));
        assertEquals("n1", root.get("node").asText());
        JsonNode group = root.get("groups").get(0);
        for (String field : List.of("name", "vrid", "state", "priority", "effective_priority", "vips", "vips_attached", "master", "peers",
                "maintenance")) {
            assertTrue(group.has(field), "group field " + field + " in " + group);
        }
        assertEquals(140, group.get("effective_priority").asInt());
        assertTrue(group.get("maintenance").asBoolean(), "CONTRACT: a group in maintenance has \"maintenance\": true");
        assertEquals("192.0.2.100/24", group.get("vips").get(0).asText());
        JsonNode peer = group.get("peers").get(0);
        assertEquals("192.0.2.2", peer.get("address").asText());
        assertEquals(100, peer.get("priority").asInt());
        assertEquals(230, peer.get("last_advert_ms_ago").asLong());
        JsonNode redis = group.get("redis");
        assertEquals("192.0.2.11:6379", redis.get("sentinel_master").asText());
        assertEquals(2, redis.get("sentinels_agreeing").asInt());
        assertEquals(3, redis.get("sentinels_configured").asInt());
        assertTrue(redis.get("elected").asBoolean());
        JsonNode probe = root.get("probes").get(0);
        assertEquals("asterisk", probe.get("name").asText());
        assertTrue(probe.has("up"));
        assertEquals(42_300, probe.get("watch_closely_ms").asLong(), "how long the probe is still watched closely");
        assertEquals(3, root.get("packets_dropped").get("bad_checksum").asLong());
        JsonNode loop = root.get("loop");
        assertEquals("SCHED_FIFO", loop.get("scheduling").asText());
        assertEquals(10, loop.get("realtime_priority").asInt());
        assertEquals(1234, loop.get("vrrp_allocated_bytes").asLong());
    }

    @Test
    void readsBackWhatItWrites() throws Exception {
        assertEquals(sample(), StatusJson.read(StatusJson.write(sample())));
    }

    @Test
    void theTableShowsEachGroupItsPeersAndTransitions() {
        String table = StatusTable.format(sample());
        assertTrue(table.contains("asterisk") && table.contains("MASTER") && table.contains("140/150"), table);
        assertTrue(table.contains("peer 192.0.2.2") && table.contains("230 ms ago"), table);
        assertTrue(table.contains("watched closely for a promotion, 43 s left"), table);
        assertTrue(table.contains("BACKUP -> MASTER: master down timer expired"), table);
        assertTrue(table.contains("DOWN") && table.contains("no SIP response in 500 ms"), table);
        assertTrue(table.contains("VRRP loop: SCHED_FIFO priority 10\n"), table);
        assertTrue(table.contains("redis (redis, follows the master Sentinel elected): master; sentinels name 192.0.2.11:6379 "
                + "(this node): 2 of 3 agree, majority 2, 2 answered"), table);
    }

    @Test
    void theTableShowsWhyTheLoopIsNotRealtimeOnALineOfItsOwn() {
        AgentStatus realtime = sample();
        String problem = "SCHED_FIFO 10 refused: RLIMIT_RTPRIO is 0 (hard 0), no CAP_SYS_NICE: run it with LimitRTPRIO=99";
        AgentStatus refused = new AgentStatus(realtime.node(), realtime.tenant(), realtime.pid(), realtime.uptimeMs(), realtime.groups(),
                realtime.probes(), realtime.packetsDropped(), realtime.loopErrors(), new AgentStatus.LoopStatus("SCHED_OTHER", 0, problem, 1234));
        assertTrue(StatusTable.format(refused).endsWith("\nVRRP loop: SCHED_OTHER\n    " + problem + "\n\ndropped packets: {bad_checksum=3}\n"),
                StatusTable.format(refused));
    }
}
