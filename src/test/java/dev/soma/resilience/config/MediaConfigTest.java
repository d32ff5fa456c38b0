package dev.soma.resilience.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MediaConfigTest {

  @Test
  void byDefaultOnlyTheLocalFilesystemIsConfiguredAndItLivesUnderTheDataDir() {
    ServiceConfig config = ServiceConfig.load(Map.of("SA01_DATA_DIR", "/var/lib/soma"));

    assertThat(config.audio().elevenlabs().apiKey().isSet()).isFalse();
    assertThat(config.audio().openai().ttsModel()).isEqualTo("tts-1");
    assertThat(config.audio().openai().sttModel()).isEqualTo("whisper-1");
    assertThat(config.audio().kokoro().baseUrl()).isEmpty();
    assertThat(config.storage().s3().configured()).isFalse();
    assertThat(config.storage().local().enabled()).isTrue();
    assertThat(config.storage().local().dir()).isEqualTo(Path.of("/var/lib/soma/objects"));
    assertThat(config.storage().spoolDir()).isEqualTo(Path.of("/var/lib/soma/upload-spool"));
    assertThat(config.storage().redis().url()).isEmpty();
  }

  @Test
  void providersComeFromSa01VariablesAndSecretsNeverPrint() {
    ServiceConfig config =
        ServiceConfig.load(
            Map.of(
                "SA01_AUDIO_OPENAI_BASE_URL", "http://gateway:8000/openai",
                "SA01_AUDIO_OPENAI_API_KEY", "sk-secret",
                "SA01_AUDIO_KOKORO_BASE_URL", "http://kokoro:8880",
                "SA01_STORAGE_S3_ENDPOINT", "http://minio:9000",
                "SA01_STORAGE_S3_BUCKET", "media",
                "SA01_STORAGE_S3_ACCESS_KEY_ID", "AKID",
                "SA01_STORAGE_S3_SECRET_ACCESS_KEY", "s3-secret",
                "SA01_REDIS_URL", "redis://cache:6379",
                "SA01_STORAGE_REDIS_TTL_SECONDS", "120"));

    assertThat(config.audio().openai().baseUrl())
        .isEqualTo(URI.create("http://gateway:8000/openai"));
    assertThat(config.audio().kokoro().baseUrl()).contains(URI.create("http://kokoro:8880"));
    assertThat(config.storage().s3().configured()).isTrue();
    assertThat(config.storage().s3().endpoint()).contains(URI.create("http://minio:9000"));
    assertThat(config.storage().redis().url()).contains(URI.create("redis://cache:6379"));
    assertThat(config.storage().redis().ttl()).isEqualTo(Duration.ofSeconds(120));
    assertThat(config.toString()).doesNotContain("sk-secret", "s3-secret");
  }

  @Test
  void aBadValueFailsNamingItsVariable() {
    assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_AUDIO_KOKORO_SPEED", "3")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("SA01_AUDIO_KOKORO_SPEED must be a number from 0.5 to 2.0, but was '3'");
    assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_STORAGE_S3_ENDPOINT", "minio:9000")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("SA01_STORAGE_S3_ENDPOINT must be a URL");
  }
}
