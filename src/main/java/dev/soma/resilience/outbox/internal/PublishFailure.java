package dev.soma.resilience.outbox.internal;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Why one record was not acknowledged, and what that means for its row.
 *
 * <ul>
 *   <li>{@link Kind#PERMANENT}: the record itself can never be accepted (too large, invalid topic,
 *       not serializable): dead-letter at once, no retries.
 *   <li>{@link Kind#TRANSIENT}: might succeed later: retried with backoff and counted against
 *       {@code max_attempts}.
 *   <li>{@link Kind#UNAVAILABLE}: the broker could not be reached at all, or did not answer within
 *       the producer's delivery timeout: the row waits and the attempt is not counted, so an outage
 *       never dead-letters anything, even when the broker is back by the time the record's timeout
 *       is reported.
 * </ul>
 */
public record PublishFailure(Kind kind, String errorClass, String message) {

  public enum Kind {
    PERMANENT,
    TRANSIENT,
    UNAVAILABLE
  }

  /**
   * Classifies {@code error}. {@code brokerReachable} says whether the broker acknowledged anything
   * since this record was sent: a retriable error while nothing at all got through is an outage,
   * while the same error next to successful sends is this record's (or topic's) own problem.
   */
  public static PublishFailure classify(Throwable error, boolean brokerReachable) {
    return classify(error, brokerReachable, false);
  }

  /**
   * The same for a record the producer took into its buffer ({@code handedOver}) or refused at
   * once: a record taken and then timed out waited for a broker that did not answer, which is an
   * outage whatever the broker says by now.
   */
  public static PublishFailure classify(
      Throwable error, boolean brokerReachable, boolean handedOver) {
    Throwable cause = unwrap(error);
    String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
    String errorClass = cause.getClass().getName();
    Kind kind;
    if (permanent(cause)) {
      kind = Kind.PERMANENT;
    } else if (handedOver && cause instanceof TimeoutException) {
      // taken by the producer and not answered within its delivery timeout: an outage (perhaps
      // over by the time this is reported), never the record's own fault
      kind = Kind.UNAVAILABLE;
    } else if ((cause instanceof RetriableException || !(cause instanceof KafkaException))
        && !brokerReachable) {
      kind = Kind.UNAVAILABLE;
    } else {
      kind = Kind.TRANSIENT;
    }
    return new PublishFailure(kind, errorClass, truncate(message));
  }

  /** Whether {@code error} says the record itself can never be accepted (see {@link Kind}). */
  static boolean permanent(Throwable error) {
    Throwable cause = unwrap(error);
    return cause instanceof RecordTooLargeException
        || cause instanceof RecordBatchTooLargeException
        || cause instanceof InvalidTopicException
        || cause instanceof SerializationException
        || cause instanceof InvalidRecordException;
  }

  private static Throwable unwrap(Throwable error) {
    Throwable current = error;
    while ((current instanceof java.util.concurrent.ExecutionException
            || current instanceof java.util.concurrent.CompletionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }

  private static String truncate(String message) {
    return message.length() <= 2000 ? message : message.substring(0, 2000);
  }
}
