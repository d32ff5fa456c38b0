package dev.soma.resilience.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import dev.soma.resilience.config.NodeRole;
import java.util.Arrays;
import java.util.Optional;

/** {@link Leadership} in a Hazelcast cluster: the oldest member that runs {@code role}. */
final class OldestMember implements Leadership {

  /**
   * The member attribute that lists a member's roles ({@link NodeRole#wire()}, comma-separated).
   */
  static final String ROLES = "soma.roles";

  private final HazelcastInstance hazelcast;
  private final NodeRole role;

  OldestMember(HazelcastInstance hazelcast, NodeRole role) {
    this.hazelcast = hazelcast;
    this.role = role;
  }

  @Override
  public boolean isLeader() {
    return current().map(m -> m.localMember()).orElse(false);
  }

  @Override
  public long epoch() {
    return hazelcast.getCluster().getClusterTime();
  }

  @Override
  public String leader() {
    return current().map(m -> m.getAddress().toString()).orElse("none");
  }

  @Override
  public void onChange(Runnable listener) {
    MembershipChanges.listen(hazelcast, added -> listener.run(), removed -> listener.run());
  }

  /** Members are listed oldest first, in the same order on every member. */
  private Optional<Member> current() {
    if (!hazelcast.getLifecycleService().isRunning()) {
      return Optional.empty();
    }
    return hazelcast.getCluster().getMembers().stream()
        .filter(member -> runs(member, role))
        .findFirst();
  }

  static boolean runs(Member member, NodeRole role) {
    String roles = member.getAttribute(ROLES);
    return roles != null && Arrays.asList(roles.split(",")).contains(role.wire());
  }
}
