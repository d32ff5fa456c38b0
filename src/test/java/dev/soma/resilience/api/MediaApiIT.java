package dev.soma.resilience.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.testing.FreePort;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TenantKeys;
import dev.soma.resilience.testing.TestServices;
import dev.soma.resilience.testing.providers.ElevenLabsDouble;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Text-to-speech, speech-to-text and uploads over HTTP. Only ElevenLabs is configured (a double);
 * storage has no S3, a local directory that cannot be written and a Redis that is down, so an
 * upload can only be queued.
 */
@ExtendWith(TestServices.class)
class MediaApiIT {

  private static final HttpClient http = HttpClient.newHttpClient();
  private static final Vertx doubles = Vertx.vertx();
  private static ElevenLabsDouble elevenlabs;
  private static Application app;
  private static String key;
  private static String idemKey;
  private static Path spool;

  @BeforeAll
  static void start() throws Exception {
    elevenlabs = new ElevenLabsDouble(doubles, "el-key");
    Path dir = TestServices.tempDir("media-api");
    Path blocker = dir.resolve("blocker");
    Files.write(blocker, new byte[0]);
    ServiceConfig config =
        OutboxFixture.config(
            Map.ofEntries(
                Map.entry(
                    "SA01_DATABASE_URL",
                    TestServices.databaseUrlSetting(TestServices.freshDatabase())),
                Map.entry("SA01_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap()),
                Map.entry("SA01_REDIS_URL", "redis://127.0.0.1:" + FreePort.find()),
                Map.entry("SA01_HTTP_PORT", "0"),
                Map.entry("SA01_DATA_DIR", dir.toString()),
                Map.entry("SA01_AUDIO_ELEVENLABS_BASE_URL", elevenlabs.baseUrl()),
                Map.entry("SA01_AUDIO_ELEVENLABS_API_KEY", "el-key"),
                Map.entry("SA01_AUDIO_TIMEOUT_MS", "2500"),
                Map.entry("SA01_AUDIO_BREAKER_RESET_MS", "300"),
                Map.entry("SA01_STORAGE_LOCAL_DIR", blocker.resolve("objects").toString()),
                Map.entry("SA01_STORAGE_SPOOL_DIR", dir.resolve("spool").toString()),
                Map.entry("SA01_STORAGE_TIMEOUT_MS", "1000"),
                Map.entry("SA01_STORAGE_RETRY_INTERVAL_MS", "600000")));
    app = Application.start(config, Application.Role.SERVICE);
    key = TenantKeys.create(app.pool(), "media");
    idemKey = TenantKeys.create(app.pool(), "media-idem");
    spool = dir.resolve("spool");
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) {
      app.close();
    }
    Blocking.await(doubles.close(), Duration.ofSeconds(10));
  }

  @Test
  void speechSaysWhichProviderServedIt() throws Exception {
    elevenlabs.up();

    // (another test may have opened elevenlabs' breaker: it closes after 300 ms)
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                new JsonObject(
                        post("/v1/speech", "application/json", "{\"text\":\"hello there\"}").body())
                    .getString("provider")
                    .equals("elevenlabs"));
    HttpResponse<String> response =
        post("/v1/speech", "application/json", "{\"text\":\"hello there\"}");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getString("provider")).isEqualTo("elevenlabs");
    assertThat(Base64.getDecoder().decode(body.getString("audio")))
        .isEqualTo(ElevenLabsDouble.audioFor("hello there"));
  }

  @Test
  void withEveryAudioProviderDownTheClientIsToldVoiceIsInFallbackMode() throws Exception {
    elevenlabs.down();
    try {
      HttpResponse<String> response =
          post("/v1/speech", "application/json", "{\"text\":\"hello there\"}");

      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      JsonObject body = new JsonObject(response.body());
      assertThat(body.getString("provider")).isEqualTo("browser/native");
      assertThat(body.getString("message")).isEqualTo("voice in fallback mode");
    } finally {
      elevenlabs.up();
    }
  }

  @Test
  void theDegradationMonitorLearnsOfAudioFailuresFromRealCalls() throws Exception {
    elevenlabs.down();
    try {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                post("/v1/speech", "application/json", "{\"text\":\"are you there\"}");
                JsonObject status =
                    new JsonObject(
                        http.send(
                                HttpRequest.newBuilder(uri("/v1/status")).GET().build(),
                                HttpResponse.BodyHandlers.ofString())
                            .body());
                JsonObject tts = status.getJsonObject("services").getJsonObject("tts.elevenlabs");
                return tts != null && tts.getString("state").equals("unavailable");
              });
    } finally {
      elevenlabs.up();
    }
  }

  @Test
  void transcriptionWithNoSttProviderConfiguredFallsBackToTheBrowser() throws Exception {
    HttpResponse<String> response = post("/v1/transcriptions", "audio/wav", "RIFF....WAVE");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(new JsonObject(response.body()).getString("message"))
        .isEqualTo("voice in fallback mode");
  }

  @Test
  void anUploadNoStorageCanTakeIsQueuedAndSaysSo() throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(uri("/v1/uploads/notes.txt"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "text/plain")
                .PUT(HttpRequest.BodyPublishers.ofString("remember the milk"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    assertThat(response.body()).contains("upload queued");
    long queued =
        Blocking.await(
            app.pool()
                .query(
                    "SELECT count(*) FROM outbox_messages"
                        + " WHERE topic = 'upload.retry' AND tenant_id = 'media'")
                .execute()
                .map(rows -> rows.iterator().next().getLong(0)),
            Duration.ofSeconds(10));
    assertThat(queued).isEqualTo(1);
  }

  @Test
  void anIdempotencyKeyReusedForAnotherUploadIs422AndTheFirstUploadStaysQueued() throws Exception {
    HttpResponse<String> first = upload("lostA", "K3", "AAA");
    HttpResponse<String> otherKey = upload("lostB", "K3", "BBB");
    HttpResponse<String> otherBytes = upload("lostA", "K3", "CCC");

    assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
    assertThat(otherKey.statusCode()).as(otherKey.body()).isEqualTo(422);
    assertThat(otherKey.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(otherBytes.statusCode()).as(otherBytes.body()).isEqualTo(422);
    String uploadId = new JsonObject(first.body()).getString("uploadId");
    JsonObject marker =
        new JsonObject(Files.readString(spool.resolve("queued/" + uploadId + ".json")));
    assertThat(marker.getString("key")).isEqualTo("lostA");
    assertThat(Files.readString(spool.resolve(marker.getString("bytes")))).isEqualTo("AAA");
    assertThat(queuedKeysOf("media-idem")).contains("lostA").doesNotContain("lostB");
  }

  @Test
  void theSameUploadAgainUnderItsIdempotencyKeyReplaysTheFirstAnswer() throws Exception {
    HttpResponse<String> first = upload("same.txt", "K4", "DDD");
    HttpResponse<String> again = upload("same.txt", "K4", "DDD");

    assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
    assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
    assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    assertThat(new JsonObject(again.body())).isEqualTo(new JsonObject(first.body()));
    assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
    assertThat(queuedKeysOf("media-idem").stream().filter("same.txt"::equals)).hasSize(1);
  }

  private static HttpResponse<String> upload(String path, String idempotencyKey, String body)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri("/v1/uploads/" + path))
            .header("Authorization", "Bearer " + idemKey)
            .header("Content-Type", "text/plain")
            .header("Idempotency-Key", idempotencyKey)
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The keys of the tenant's uploads waiting in the spool, one per marker. */
  private static java.util.List<String> queuedKeysOf(String tenant) throws Exception {
    try (var markers = Files.list(spool.resolve("queued"))) {
      return markers
          .filter(f -> f.getFileName().toString().endsWith(".json"))
          .map(
              f -> {
                try {
                  return new JsonObject(Files.readString(f));
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              })
          .filter(m -> tenant.equals(m.getString("tenantId")))
          .map(m -> m.getString("key"))
          .toList();
    }
  }

  @Test
  void badMediaRequestsAreProblems() throws Exception {
    assertThat(post("/v1/speech", "application/json", "{\"text\":\"\"}").statusCode())
        .isEqualTo(400);
    assertThat(post("/v1/transcriptions", "text/plain", "not audio").statusCode()).isEqualTo(415);
    HttpResponse<String> emptyUpload =
        http.send(
            HttpRequest.newBuilder(uri("/v1/uploads/x"))
                .header("Authorization", "Bearer " + key)
                .PUT(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(emptyUpload.statusCode()).isEqualTo(400);
    assertThat(emptyUpload.headers().firstValue("Content-Type"))
        .hasValue("application/problem+json");
  }

  private static HttpResponse<String> post(String path, String type, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", type)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + app.httpPort() + path);
  }
}
