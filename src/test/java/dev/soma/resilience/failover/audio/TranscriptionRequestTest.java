package dev.soma.resilience.failover.audio;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which media types the speech-to-text chain takes. */
class TranscriptionRequestTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "audio/wav",
        "Audio/WAV",
        "audio/ogg; codecs=opus",
        "video/mp4",
        "application/octet-stream",
        "application/octet-stream; x=1"
      })
  void audioVideoAndRawBytesAreTaken(String type) {
    assertThat(TranscriptionRequest.isAudioType(type)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"audio/", "video/", "audio/;x=1", "text/plain", "application/octet-streamx", ""})
  void aTypeWithoutASubtypeOrOfAnotherKindIsNot(String type) {
    assertThat(TranscriptionRequest.isAudioType(type)).isFalse();
  }
}
