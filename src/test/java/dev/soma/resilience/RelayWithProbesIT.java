package dev.soma.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A relay on its own ({@code publish-outbox --http-port}) serves its probes and its metrics. */
@ExtendWith(TestServices.class)
class RelayWithProbesIT {

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aRelayOnItsOwnServesHealthAndItsPublishMetrics() throws Exception {
    try (OutboxFixture fx = new OutboxFixture()) {
      String topic = TestServices.topic("relay-probes");
      fx.query(
          "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, partition_key, payload)"
              + " VALUES ('t1', 'd1', $1, 'k', '{}')",
          topic);
      try (Application relay =
          Application.start(fx.serviceConfig("relay-probes"), Application.Role.RELAY_WITH_PROBES)) {
        assertThat(get(relay, "/health/live").statusCode()).isEqualTo(200);
        assertThat(get(relay, "/health/ready").statusCode()).isEqualTo(200);
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () ->
                    assertThat(get(relay, "/metrics").body())
                        .contains("outbox_messages_published_total{topic=\"" + topic + "\"} 1.0"));
        assertThat(get(relay, "/v1/conversations").statusCode())
            .as("no agent API on a relay")
            .isEqualTo(404);
        assertThat(get(relay, "/v1/status").statusCode())
            .as("no degradation monitor on a relay")
            .isEqualTo(404);
      }
    }
  }

  private HttpResponse<String> get(Application app, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
