package org.omnileads.omlha.agent.policy;

import java.util.List;
import java.util.Optional;
import org.omnileads.omlha.agent.config.Follow;
import org.omnileads.omlha.agent.config.GroupConfig;
import org.omnileads.omlha.agent.config.Track;

/**
 * What the policy needs to know of one group: its configured priority, the probes it tracks, the database role it
 * follows, and the interface whose link it needs ({@code ifIndex} as the kernel numbers it on this node).
 */
public record GroupRules(String name, String interfaceName, int ifIndex, int basePriority, List<Track> tracks,
        Optional<Follow> follow) {

    public GroupRules {
        tracks = List.copyOf(tracks);
    }

    public static GroupRules of(GroupConfig group, int ifIndex) {
        return new GroupRules(group.name(), group.interfaceName(), ifIndex, group.priority(), group.track(), group.follow());
    }
}
