package dev.soma.resilience.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.outbox.internal.RelayPacing.Event;
import dev.soma.resilience.outbox.internal.RelayPacing.Phase;
import dev.soma.resilience.outbox.internal.RelayPacing.Step;
import dev.soma.resilience.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RelayPacingTest {

  private static final int PIPELINE = 4;
  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-06T12:00:00Z"));
  private final RelayPacing pacing = new RelayPacing(PIPELINE, Duration.ofSeconds(3), clock);

  @Test
  void aFlowingRelayClaimsUntilItsPipelineIsFull() {
    assertThat(pacing.mayClaim(0)).isTrue();
    assertThat(pacing.mayClaim(PIPELINE - 1)).isTrue();
    assertThat(pacing.mayClaim(PIPELINE)).isFalse();
  }

  @Test
  void aBatchTheBrokerCouldNotTakeStartsAnOutageOfOneBatchAtATime() {
    Step step = pacing.apply(Event.BROKER_UNAVAILABLE);

    assertThat(step.outageBegan()).isTrue();
    assertThat(pacing.state().phase()).isEqualTo(Phase.OUTAGE);
    assertThat(pacing.maxInFlight()).isEqualTo(1);
    clock.advance(step.pause());
    assertThat(pacing.mayClaim(0)).isTrue();
    assertThat(pacing.mayClaim(1)).isFalse();
  }

  @Test
  void noClaimStartsBeforeAnOutagePauseIsOver() {
    Step step = pacing.apply(Event.BROKER_UNAVAILABLE);

    clock.advance(step.pause().minusMillis(1));
    assertThat(pacing.mayClaim(0)).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(pacing.mayClaim(0)).isTrue();
  }

  @Test
  void eachFailedRoundDoublesThePauseUpToTheMaximum() {
    List<Long> pauses = new ArrayList<>();
    for (int round = 0; round < 40; round++) {
      pauses.add(pacing.apply(Event.BROKER_UNAVAILABLE).pause().toMillis());
    }

    assertThat(pauses.subList(0, 4)).containsExactly(500L, 1000L, 2000L, 3000L);
    assertThat(pauses.subList(4, 40)).containsOnly(3000L);
    assertThat(pacing.state().outageRounds()).isEqualTo(40);
  }

  @Test
  void onlyTheFirstFailedRoundBeginsTheOutage() {
    pacing.apply(Event.BROKER_UNAVAILABLE);

    assertThat(pacing.apply(Event.BROKER_UNAVAILABLE).outageBegan()).isFalse();
  }

  @Test
  void aPublishedBatchEndsTheOutageAndItsPauseAndRestoresThePipeline() {
    pacing.apply(Event.BROKER_UNAVAILABLE);
    pacing.apply(Event.BROKER_UNAVAILABLE);

    Step step = pacing.apply(Event.PUBLISHED);

    assertThat(step.outageEnded()).isTrue();
    assertThat(step.from().outageRounds()).isEqualTo(2);
    assertThat(pacing.state()).isEqualTo(RelayPacing.State.START);
    assertThat(pacing.mayClaim(PIPELINE - 1)).isTrue();
  }

  @Test
  void aBatchThatPublishedNothingWithoutFindingTheBrokerDownChangesNothing() {
    pacing.apply(Event.BROKER_UNAVAILABLE);
    RelayPacing.State during = pacing.state();

    Step step = pacing.apply(Event.NOTHING_PUBLISHED);

    assertThat(step.to()).isEqualTo(during);
    assertThat(step.pause()).isZero();
  }

  @Test
  void aFailedClaimPausesClaimsForOneSecondWithoutStartingAnOutage() {
    Step step = pacing.apply(Event.CLAIM_FAILED);

    assertThat(step.pause()).isEqualTo(Duration.ofSeconds(1));
    assertThat(step.outageBegan()).isFalse();
    assertThat(pacing.maxInFlight()).isEqualTo(PIPELINE);
    assertThat(pacing.mayClaim(0)).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(pacing.mayClaim(0)).isTrue();
  }

  @Test
  void aFailedClaimDuringAnOutageKeepsItsRounds() {
    pacing.apply(Event.BROKER_UNAVAILABLE);
    pacing.apply(Event.BROKER_UNAVAILABLE);

    pacing.apply(Event.CLAIM_FAILED);

    assertThat(pacing.state().phase()).isEqualTo(Phase.OUTAGE);
    assertThat(pacing.state().outageRounds()).isEqualTo(2);
  }

  @Test
  void aPublishedBatchOutsideAnOutageLeavesAClaimPauseInPlace() {
    pacing.apply(Event.CLAIM_FAILED);

    pacing.apply(Event.PUBLISHED);

    assertThat(pacing.mayClaim(0)).isFalse();
  }

  @Test
  void aStoppingRelayClaimsNothingWhateverItHearsAfterwards() {
    pacing.apply(Event.STOP);

    for (Event event : Event.values()) {
      Step step = pacing.apply(event);
      assertThat(step.to()).isEqualTo(RelayPacing.State.STOPPED);
      assertThat(step.pause()).isZero();
    }
    assertThat(pacing.stopping()).isTrue();
    assertThat(pacing.mayClaim(0)).isFalse();
  }

  @Test
  void aSettledBatchIsReadAsBrokerDownFirstThenAsPublished() {
    assertThat(Event.of(new BatchPublisher.Outcome(0, 3, true)))
        .isEqualTo(Event.BROKER_UNAVAILABLE);
    assertThat(Event.of(new BatchPublisher.Outcome(2, 1, false))).isEqualTo(Event.PUBLISHED);
    assertThat(Event.of(new BatchPublisher.Outcome(0, 2, false)))
        .isEqualTo(Event.NOTHING_PUBLISHED);
  }
}
