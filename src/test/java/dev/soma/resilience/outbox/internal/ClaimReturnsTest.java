package dev.soma.resilience.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClaimReturnsTest {

  private final ClaimReturns returns = new ClaimReturns();
  private final List<Long> handedOn = new ArrayList<>();

  @Test
  void aClaimThatComesBackFirstIsHandedOnAtOnce() {
    returns.started(1);
    returns.returned(1, () -> handedOn.add(1L));

    assertThat(handedOn).containsExactly(1L);
  }

  @Test
  void aLaterClaimThatComesBackEarlyWaitsForTheEarlierOne() {
    returns.started(1);
    returns.started(2);
    returns.started(3);

    returns.returned(3, () -> handedOn.add(3L));
    returns.returned(2, () -> handedOn.add(2L));
    assertThat(handedOn).as("claim 1 is still out").isEmpty();

    returns.returned(1, () -> handedOn.add(1L));
    assertThat(handedOn).containsExactly(1L, 2L, 3L);
  }

  @Test
  void aClaimStartedAfterTheOthersCameBackIsNotHeldByThem() {
    returns.started(1);
    returns.returned(1, () -> handedOn.add(1L));
    returns.started(2);
    returns.started(3);
    returns.returned(2, () -> handedOn.add(2L));

    assertThat(handedOn).containsExactly(1L, 2L);
  }
}
