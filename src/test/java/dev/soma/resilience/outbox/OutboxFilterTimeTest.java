package dev.soma.resilience.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The times of the outbox's and dead letters' filters: RFC 3339 with an offset, nothing else. */
class OutboxFilterTimeTest {

  @Test
  void anRfc3339TimeWithAnOffsetIsTaken() {
    assertThat(OutboxFilter.time("from", "2026-12-01T11:00:00+01:00"))
        .isEqualTo(Instant.parse("2026-12-01T10:00:00Z"));
    assertThat(OutboxFilter.time("from", "0001-01-01T00:00:00Z"))
        .isEqualTo(Instant.parse("0001-01-01T00:00:00Z"));
    assertThat(OutboxFilter.time("from", null)).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "-999999999-01-01T00:00:00Z", // Java's own extended years: not RFC 3339
        "+999999999-12-31T23:59:59Z",
        "+2026-12-01T10:00:00Z",
        "12026-12-01T10:00:00Z",
        "2026-12-01T10:00:00", // no offset
        "2026-12-01",
        "yesterday",
        ""
      })
  void anythingElseIsRefusedNamingTheField(String value) {
    assertThatThrownBy(() -> OutboxFilter.time("from", value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("'from' must be an RFC 3339 time");
  }
}
