package dev.soma.resilience.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class OrderFencesTest {

  private final OrderFences fences = new OrderFences();

  @Test
  void nothingIsFencedBeforeAFailure() {
    assertThat(fences.fenced("t:a", 10, 1)).isFalse();
  }

  @Test
  void aFailureFencesTheLaterEventsOfItsAggregateOnly() {
    fences.failed("t:a", 10);

    assertThat(fences.fenced("t:a", 11, 1)).as("later, same aggregate").isTrue();
    assertThat(fences.fenced("t:a", 10, 1)).as("the failed event itself").isFalse();
    assertThat(fences.fenced("t:a", 9, 1)).as("earlier").isFalse();
    assertThat(fences.fenced("t:b", 11, 1)).as("another aggregate").isFalse();
  }

  @Test
  void anUnsettledFenceHoldsForEveryClaim() {
    fences.failed("t:a", 10);

    assertThat(fences.fenced("t:a", 5_000, Long.MAX_VALUE - 1)).isTrue();
  }

  @Test
  void onceSettledItHoldsForTheClaimsStartedUntilThenOnly() {
    fences.failed("t:a", 10);
    fences.settled(List.of("t:a"), 7, 5);

    assertThat(fences.fenced("t:a", 11, 7)).as("a claim started before the settlement").isTrue();
    assertThat(fences.fenced("t:a", 11, 8)).as("a claim started after it").isFalse();
    assertThat(fences.size()).as("forgotten once a later claim met it").isZero();
  }

  @Test
  void theEarliestFailureOfAnAggregateIsTheFence() {
    fences.failed("t:a", 20);
    fences.failed("t:a", 10);
    fences.failed("t:a", 30);

    assertThat(fences.fenced("t:a", 15, 1)).isTrue();
  }

  @Test
  void aNewFailureReopensASettledFence() {
    fences.failed("t:a", 10);
    fences.settled(List.of("t:a"), 3, 1);
    fences.failed("t:a", 12);

    assertThat(fences.fenced("t:a", 11, 9)).isTrue();
  }

  @Test
  void settledFencesNoOpenClaimCanMeetAreForgotten() {
    fences.failed("t:a", 10);
    fences.failed("t:b", 10);
    fences.settled(List.of("t:a"), 4, 2);
    assertThat(fences.size()).isEqualTo(2);

    fences.settled(List.of(), 6, 5);

    assertThat(fences.size()).as("t:a's claims are all settled; t:b is not settled yet").isOne();
    assertThat(fences.fenced("t:b", 11, 6)).isTrue();
  }
}
