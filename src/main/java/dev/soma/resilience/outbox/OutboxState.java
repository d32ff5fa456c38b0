package dev.soma.resilience.outbox;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What an operator sees of an outbox row. {@link #PENDING} is every row the relay still has to send
 * (the backlog); {@link #RETRYING} is the part of it that failed at least once or waits for a later
 * attempt ({@code attempts > 0 OR next_attempt_at > now()}), not counting rows put back by a
 * replay, which wait for their paced time; {@link #DEAD} rows were dead-lettered; {@link
 * #PUBLISHED} rows were acknowledged by Kafka and wait for retention.
 */
public enum OutboxState {
  PENDING("o.status = 'pending'"),
  RETRYING("o.status = 'pending' AND " + OutboxState.RETRYING_RULE),
  DEAD("o.status = 'dead'"),
  PUBLISHED("o.status = 'published'");

  /** The one definition of "retrying", for a pending row {@code o}. */
  static final String RETRYING_RULE =
      "(o.attempts > 0 OR o.next_attempt_at > now()) AND NOT o.replayed";

  /** The state of row {@code o}, as SQL (the list's {@code state} column). */
  static final String OF_ROW =
      "CASE WHEN o.status = 'pending' AND " + RETRYING_RULE + " THEN 'retrying' ELSE o.status END";

  private final String predicate;

  OutboxState(String predicate) {
    this.predicate = predicate;
  }

  /** The SQL condition on row {@code o} (a constant: no caller input). */
  String predicate() {
    return predicate;
  }

  /** The wire name: {@code pending}, {@code retrying}, {@code dead}, {@code published}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The state named {@code name}.
   *
   * @throws IllegalArgumentException naming the allowed values when there is none
   */
  public static OutboxState parse(String name) {
    return Arrays.stream(values())
        .filter(s -> s.wireName().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "'status' must be one of "
                        + Arrays.stream(values())
                            .map(OutboxState::wireName)
                            .collect(Collectors.joining(", "))));
  }
}
