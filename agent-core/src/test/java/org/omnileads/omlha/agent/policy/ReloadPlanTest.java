package org.omnileads.omlha.agent.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.config.AgentConfig;
import org.omnileads.omlha.agent.config.ConfigException;
import org.omnileads.omlha.agent.config.ConfigLoader;

class ReloadPlanTest {
    private static AgentConfig config(String node, String groups, String probes) throws ConfigException {
        return ConfigLoader.parse("omlha {\n  node = " + node + "\n  interface = eth0\n  probes { " + probes + " }\n  groups {\n"
                + groups + "\n  }\n}\n", "agent.conf");
    }

    private static String group(String name, int vrid, int priority) {
        return "    " + name + " { vrid = " + vrid + ", vips = [\"192.0.2." + vrid + "/24\"], priority = " + priority + " }\n";
    }

    private static final String TCP = "svc { type = tcp, target = \"127.0.0.1:80\" }";

    @Test
    void keepsWhatIsEqualRestartsWhatChangedAndListsAdditionsAndRemovalsInFileOrder() throws Exception {
        AgentConfig running = config("n1", group("a", 51, 150) + group("b", 52, 150) + group("gone", 54, 150),
                TCP + ", web { type = http, url = \"http://127.0.0.1/\" }");
        AgentConfig next = config("n1", group("new", 55, 150) + group("b", 52, 50) + group("a", 51, 150),
                "svc { type = tcp, target = \"127.0.0.1:81\" }, extra { type = tcp, target = \"127.0.0.1:82\" }");

        ReloadPlan plan = ReloadPlan.between(running, next);

        assertEquals(new ReloadPlan.Changes(List.of("a"), List.of("b"), List.of("new"), List.of("gone"), List.of("b", "gone")),
                plan.groups());
        assertEquals(List.of("b", "new"), plan.groups().starting());
        assertEquals(new ReloadPlan.Changes(List.of(), List.of("svc"), List.of("extra"), List.of("web"), List.of("svc", "web")),
                plan.probes());
        assertEquals("restarted b, removed gone, added new", plan.groupSummary());
        assertEquals(List.of(), plan.restartOnly());
    }

    @Test
    void theSameFileChangesNothing() throws Exception {
        AgentConfig running = config("n1", group("a", 51, 150), TCP);
        ReloadPlan plan = ReloadPlan.between(running, config("n1", group("a", 51, 150), TCP));
        assertEquals(false, plan.groups().any());
        assertEquals(false, plan.probes().any());
        assertEquals("no group changed", plan.groupSummary());
    }

    @Test
    void settingsThatOnlyARestartAppliesAreListed() throws Exception {
        ReloadPlan plan = ReloadPlan.between(config("n1", group("a", 51, 150), TCP), config("n2", group("a", 51, 150), TCP));
        assertEquals(List.of("node"), plan.restartOnly());
        assertEquals(false, plan.groups().any(), "a group does not restart for it");
    }
}
