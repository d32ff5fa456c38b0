package dev.soma.resilience.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which {@code Accept} headers the status stream answers, and which it refuses with 406. */
class StatusPageTest {

  @Test
  void noAcceptHeaderTakesTheStream() {
    assertThat(StatusPage.acceptsEventStream(null)).isTrue();
    assertThat(StatusPage.acceptsEventStream(" ")).isTrue();
  }

  @Test
  void theEventStreamTypeOrAWildcardCoveringItTakesTheStream() {
    assertThat(StatusPage.acceptsEventStream("text/event-stream")).isTrue();
    assertThat(StatusPage.acceptsEventStream("application/json, TEXT/Event-Stream;q=0.5")).isTrue();
    assertThat(StatusPage.acceptsEventStream("text/*")).isTrue();
    assertThat(StatusPage.acceptsEventStream("*/*;q=0.1")).isTrue();
  }

  @Test
  void otherTypesAreRefused() {
    assertThat(StatusPage.acceptsEventStream("application/json")).isFalse();
    assertThat(StatusPage.acceptsEventStream("text/html, application/*")).isFalse();
    assertThat(StatusPage.acceptsEventStream("text/event-streams")).isFalse();
  }

  @Test
  void aRangeOfQualityZeroSaysNotThisOne() {
    assertThat(StatusPage.acceptsEventStream("text/event-stream;q=0")).isFalse();
    assertThat(StatusPage.acceptsEventStream("text/event-stream; q=0.000, application/json"))
        .isFalse();
    assertThat(StatusPage.acceptsEventStream("*/*;q=0")).isFalse();
    assertThat(StatusPage.acceptsEventStream("text/event-stream;q=0, text/*;q=0.5")).isFalse();
    assertThat(StatusPage.acceptsEventStream("*/*;q=0, text/event-stream")).isTrue();
    assertThat(StatusPage.acceptsEventStream("text/event-stream;q=0.01")).isTrue();
  }
}
