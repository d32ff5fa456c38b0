package dev.soma.resilience.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import java.util.function.Consumer;

/**
 * Hazelcast's membership listener as two functions: one for a member that joins, one that leaves.
 */
final class MembershipChanges implements MembershipListener {

  private final Consumer<MembershipEvent> added;
  private final Consumer<MembershipEvent> removed;

  private MembershipChanges(Consumer<MembershipEvent> added, Consumer<MembershipEvent> removed) {
    this.added = added;
    this.removed = removed;
  }

  /**
   * Calls {@code added} for each member that joins {@code hazelcast}'s cluster, {@code removed} for
   * each that leaves.
   */
  static void listen(
      HazelcastInstance hazelcast,
      Consumer<MembershipEvent> added,
      Consumer<MembershipEvent> removed) {
    hazelcast.getCluster().addMembershipListener(new MembershipChanges(added, removed));
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    added.accept(event);
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    removed.accept(event);
  }
}
