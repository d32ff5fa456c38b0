package dev.soma.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.embedded.EmbeddedPostgresServer;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Readiness follows PostgreSQL, liveness does not: with its database stopped the process is not
 * ready (503, so a load balancer stops sending it work) but alive (200, so it is not restarted for
 * an outage it cannot fix); ready again once the database is back. The database is a PostgreSQL of
 * this test's own, so stopping it disturbs no other test.
 */
@ExtendWith(TestServices.class)
class ReadinessIT {

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void withPostgresqlStoppedReadinessIs503AndLivenessStays200() throws Exception {
    Path dataDir = TestServices.tempDir("readiness-pg");
    EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dataDir, 0);
    int port = postgres.url().port();
    try (Application app =
        Application.start(
            OutboxFixture.config(
                Map.of(
                    "SA01_DATABASE_URL", TestServices.databaseUrlSetting(postgres.url()),
                    "SA01_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap(),
                    "SA01_HTTP_PORT", "0",
                    "SA01_DATA_DIR", TestServices.tempDir("readiness").toString())),
            Application.Role.RELAY_WITH_PROBES)) {
      assertThat(status(app, "/health/ready")).isEqualTo(200);

      postgres.close();

      await().atMost(Duration.ofSeconds(20)).until(() -> status(app, "/health/ready") == 503);
      assertThat(status(app, "/health/live")).isEqualTo(200);
      // public: why, by kind, never the database's address
      assertThat(body(app, "/health/ready")).contains("postgresql").doesNotContain(":" + port);

      postgres = EmbeddedPostgresServer.start(dataDir, port);
      await().atMost(Duration.ofSeconds(30)).until(() -> status(app, "/health/ready") == 200);
    } finally {
      postgres.close();
    }
  }

  private String body(Application app, String path) throws Exception {
    return get(app, path).body();
  }

  private int status(Application app, String path) throws Exception {
    return get(app, path).statusCode();
  }

  private HttpResponse<String> get(Application app, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
