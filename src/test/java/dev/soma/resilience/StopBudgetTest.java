package dev.soma.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StopBudgetTest {

  @Test
  void aServingNodeDrainsForAThirdClosesWithinTheRestAndKeepsATenthForItsExit() {
    StopBudget budget = StopBudget.of(Duration.ofSeconds(6), true);

    assertThat(budget.drain()).isEqualTo(Duration.ofSeconds(2));
    assertThat(budget.close()).isEqualTo(Duration.ofMillis(3_400));
  }

  @Test
  void theDrainAndTheExitReserveHaveTheirCaps() {
    StopBudget budget = StopBudget.of(Duration.ofSeconds(30), true);

    assertThat(budget.drain()).isEqualTo(StopBudget.DRAIN_AT_MOST);
    assertThat(budget.close()).isEqualTo(Duration.ofSeconds(24));
  }

  @Test
  void aProcessWithoutReadinessDoesNotDrain() {
    StopBudget budget = StopBudget.of(Duration.ofSeconds(10), false);

    assertThat(budget.drain()).isZero();
    assertThat(budget.close()).isEqualTo(Duration.ofSeconds(9));
  }
}
