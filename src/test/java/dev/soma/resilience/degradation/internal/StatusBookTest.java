package dev.soma.resilience.degradation.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.degradation.DegradationLevel;
import dev.soma.resilience.degradation.DependencyStatus;
import dev.soma.resilience.degradation.DependencyStatus.Kind;
import dev.soma.resilience.degradation.HealthState;
import dev.soma.resilience.degradation.StatusChange;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusBookTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final long EPOCH = 1_000;

  static DependencyStatus status(
      String service, HealthState state, DegradationLevel level, boolean critical, Instant since) {
    return new DependencyStatus(
        service, Kind.DEPENDENCY, state, level, "why", since, critical, 0.0, 5, 1, List.of());
  }

  @Test
  void theFirstSightingOfEachServiceIsAChange() {
    StatusBook book = new StatusBook(10, EPOCH);

    List<StatusChange> changes =
        book.apply(
            List.of(
                status("postgresql", HealthState.HEALTHY, DegradationLevel.NONE, true, T0),
                status("somabrain", HealthState.UNKNOWN, DegradationLevel.NONE, false, T0)),
            T0);

    assertThat(changes).extracting(StatusChange::sequence).containsExactly(1L, 2L);
    assertThat(changes.get(0).previous()).isEmpty();
    assertThat(book.snapshot().sequence()).isEqualTo(2);
  }

  @Test
  void sameHealthIsNoChangeAndKeepsSince() {
    StatusBook book = new StatusBook(10, EPOCH);
    book.apply(List.of(status("redis", HealthState.HEALTHY, DegradationLevel.NONE, false, T0)), T0);

    List<StatusChange> changes =
        book.apply(
            List.of(
                status(
                    "redis", HealthState.HEALTHY, DegradationLevel.NONE, false, T0.plusSeconds(5))),
            T0.plusSeconds(5));

    assertThat(changes).isEmpty();
    assertThat(book.snapshot().services().get("redis").since()).isEqualTo(T0);
    assertThat(book.snapshot().at()).isEqualTo(T0.plusSeconds(5));
  }

  @Test
  void aLevelChangeIsNumberedAndCarriesThePreviousStatus() {
    StatusBook book = new StatusBook(10, EPOCH);
    book.apply(List.of(status("redis", HealthState.HEALTHY, DegradationLevel.NONE, false, T0)), T0);

    StatusChange change =
        book.apply(
                List.of(
                    status(
                        "redis",
                        HealthState.UNAVAILABLE,
                        DegradationLevel.CRITICAL,
                        false,
                        T0.plusSeconds(5))),
                T0.plusSeconds(5))
            .get(0);

    assertThat(change.sequence()).isEqualTo(2);
    assertThat(change.fromLevel()).isEqualTo(DegradationLevel.NONE);
    assertThat(change.current().since()).isEqualTo(T0.plusSeconds(5));
  }

  @Test
  void theHistoryIsBounded() {
    StatusBook book = new StatusBook(2, EPOCH);
    for (int i = 0; i < 5; i++) {
      book.apply(
          List.of(
              status(
                  "redis",
                  i % 2 == 0 ? HealthState.HEALTHY : HealthState.DEGRADED,
                  i % 2 == 0 ? DegradationLevel.NONE : DegradationLevel.MINOR,
                  false,
                  T0)),
          T0);
    }

    assertThat(book.history()).extracting(StatusChange::sequence).containsExactly(4L, 5L);
  }

  @Test
  void onlyACriticalServiceMakesTheAgentCritical() {
    assertThat(
            StatusBook.overallOf(
                List.of(
                    status(
                        "somabrain", HealthState.UNAVAILABLE, DegradationLevel.CRITICAL, false, T0),
                    status("postgresql", HealthState.HEALTHY, DegradationLevel.NONE, true, T0))))
        .isEqualTo(DegradationLevel.SEVERE);
    assertThat(
            StatusBook.overallOf(
                List.of(
                    status(
                        "postgresql",
                        HealthState.UNAVAILABLE,
                        DegradationLevel.CRITICAL,
                        true,
                        T0))))
        .isEqualTo(DegradationLevel.CRITICAL);
  }

  @Test
  void aBookContinuingAnEarlierMonitorKeepsItsStatusesUntilTheyAreObserved() {
    StatusBook earlier = new StatusBook(10, EPOCH);
    earlier.apply(
        List.of(
            status("postgresql", HealthState.HEALTHY, DegradationLevel.NONE, true, T0),
            status("somabrain", HealthState.UNAVAILABLE, DegradationLevel.SEVERE, false, T0)),
        T0);
    StatusBook book = StatusBook.continuing(earlier.snapshot(), 10, EPOCH + 1);
    Instant later = T0.plusSeconds(30);

    // the new monitor has observed nothing yet: every service unknown, which is no change
    List<StatusChange> beforeProbing =
        book.apply(
            List.of(
                status("postgresql", HealthState.UNKNOWN, DegradationLevel.NONE, true, later),
                status("somabrain", HealthState.UNKNOWN, DegradationLevel.NONE, false, later)),
            later);
    // then its probes answer: PostgreSQL as before (no change), SomaBrain back
    List<StatusChange> probed =
        book.apply(
            List.of(
                status("postgresql", HealthState.HEALTHY, DegradationLevel.NONE, true, later),
                status("somabrain", HealthState.HEALTHY, DegradationLevel.NONE, false, later)),
            later);

    assertThat(beforeProbing).isEmpty();
    assertThat(probed).extracting(StatusChange::service).containsExactly("somabrain");
    assertThat(probed.get(0).epoch()).isEqualTo(EPOCH + 1);
    assertThat(probed.get(0).sequence()).isEqualTo(1);
    assertThat(probed.get(0).previous().orElseThrow().state()).isEqualTo(HealthState.UNAVAILABLE);
    assertThat(book.snapshot().services().get("postgresql").since()).isEqualTo(T0);
  }

  @Test
  void onceObservedAServiceThatBecomesUnknownIsAChange() {
    StatusBook earlier = new StatusBook(10, EPOCH);
    earlier.apply(
        List.of(status("redis", HealthState.HEALTHY, DegradationLevel.NONE, false, T0)), T0);
    StatusBook book = StatusBook.continuing(earlier.snapshot(), 10, EPOCH + 1);
    book.apply(
        List.of(status("redis", HealthState.DEGRADED, DegradationLevel.MINOR, false, T0)), T0);

    List<StatusChange> changes =
        book.apply(
            List.of(status("redis", HealthState.UNKNOWN, DegradationLevel.NONE, false, T0)), T0);

    assertThat(changes).hasSize(1);
  }
}
