package dev.soma.resilience.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.outbox.internal.PublishFailure.Kind;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

class PublishFailureTest {

  @Test
  void aRecordTooLargeIsPermanentWhetherOrNotTheBrokerIsReachable() {
    RecordTooLargeException error = new RecordTooLargeException("The message is 2000000 bytes");

    PublishFailure reachable = PublishFailure.classify(error, true);
    PublishFailure unreachable = PublishFailure.classify(error, false);

    assertThat(reachable.kind()).isEqualTo(Kind.PERMANENT);
    assertThat(unreachable.kind()).isEqualTo(Kind.PERMANENT);
    assertThat(reachable.errorClass()).isEqualTo(RecordTooLargeException.class.getName());
    assertThat(reachable.message()).isEqualTo("The message is 2000000 bytes");
  }

  @Test
  void recordsTheBrokerCanNeverAcceptArePermanent() {
    assertThat(PublishFailure.classify(new RecordBatchTooLargeException("batch"), true).kind())
        .isEqualTo(Kind.PERMANENT);
    assertThat(PublishFailure.classify(new InvalidTopicException("bad topic"), true).kind())
        .isEqualTo(Kind.PERMANENT);
    assertThat(PublishFailure.classify(new SerializationException("bytes"), false).kind())
        .isEqualTo(Kind.PERMANENT);
    assertThat(PublishFailure.classify(new InvalidRecordException("crc"), true).kind())
        .isEqualTo(Kind.PERMANENT);
  }

  @Test
  void aTimeoutWhileNothingReachedTheBrokerIsAnOutage() {
    PublishFailure failure =
        PublishFailure.classify(
            new TimeoutException("Expiring 1 record(s): 30000 ms has passed"), false);

    assertThat(failure.kind()).isEqualTo(Kind.UNAVAILABLE);
    assertThat(failure.errorClass()).isEqualTo(TimeoutException.class.getName());
  }

  @Test
  void aTimeoutWhileOtherRecordsWereAcknowledgedIsTransient() {
    // refused at once (no metadata for its topic in time) while the broker answers others
    PublishFailure failure =
        PublishFailure.classify(
            new TimeoutException("Topic t not present in metadata after 1500 ms."), true);

    assertThat(failure.kind()).isEqualTo(Kind.TRANSIENT);
  }

  @Test
  void aRecordTheProducerTookAndThatTimedOutIsAnOutageEvenWhenTheBrokerAnswersByThen() {
    // a broker restarted with records in flight: they expire after it is back
    PublishFailure failure =
        PublishFailure.classify(
            new TimeoutException("Expiring 1 record(s): 30000 ms has passed"), true, true);

    assertThat(failure.kind()).isEqualTo(Kind.UNAVAILABLE);
  }

  @Test
  void aRetriableBrokerErrorIsTransientWhenTheBrokerAnswers() {
    assertThat(PublishFailure.classify(new NotEnoughReplicasException("isr"), true).kind())
        .isEqualTo(Kind.TRANSIENT);
    assertThat(PublishFailure.classify(new NotEnoughReplicasException("isr"), false).kind())
        .isEqualTo(Kind.UNAVAILABLE);
  }

  @Test
  void aNonRetriableKafkaErrorIsTransientEvenWithoutAcknowledgements() {
    // it came from a broker that answered, so this is no outage: it uses up attempts
    PublishFailure failure =
        PublishFailure.classify(new TopicAuthorizationException("denied"), false);

    assertThat(failure.kind()).isEqualTo(Kind.TRANSIENT);
  }

  @Test
  void anErrorFromOutsideKafkaIsAnOutageOnlyWhenNothingGotThrough() {
    assertThat(PublishFailure.classify(new IOException("connection refused"), false).kind())
        .isEqualTo(Kind.UNAVAILABLE);
    assertThat(PublishFailure.classify(new IOException("connection refused"), true).kind())
        .isEqualTo(Kind.TRANSIENT);
  }

  @Test
  void executionAndCompletionWrappersAreLookedThrough() {
    Throwable wrapped =
        new CompletionException(new ExecutionException(new RecordTooLargeException("too large")));

    PublishFailure failure = PublishFailure.classify(wrapped, true);

    assertThat(failure.kind()).isEqualTo(Kind.PERMANENT);
    assertThat(failure.errorClass()).isEqualTo(RecordTooLargeException.class.getName());
    assertThat(failure.message()).isEqualTo("too large");
  }

  @Test
  void anErrorWithoutMessageIsDescribedByItsClass() {
    PublishFailure failure = PublishFailure.classify(new IllegalStateException(), true);

    assertThat(failure.message()).isEqualTo("java.lang.IllegalStateException");
  }

  @Test
  void aLongMessageIsCutTo2000Characters() {
    PublishFailure failure = PublishFailure.classify(new TimeoutException("x".repeat(5000)), true);

    assertThat(failure.message()).hasSize(2000);
  }
}
