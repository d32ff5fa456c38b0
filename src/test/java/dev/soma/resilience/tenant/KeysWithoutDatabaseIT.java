package dev.soma.resilience.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.http.ProblemHandler;
import dev.soma.resilience.testing.LogCapture;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.ServiceBehindProxy;
import dev.soma.resilience.testing.TcpProxy;
import dev.soma.resilience.testing.TenantKeys;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * API keys while the service cannot reach PostgreSQL: the service reaches its (real) database
 * through a {@link TcpProxy} that the tests cut, while the tests still write to the database
 * directly (as an operator on another node would). Keys seen valid keep passing the gate; keys
 * never seen get 503, not 401; revocations take effect within 5 s whenever the database answers;
 * requests that need the database answer 503 with Retry-After, and the log does not flood.
 */
@ExtendWith(TestServices.class)
class KeysWithoutDatabaseIT {

  /** An empty conversation's history: the key was accepted. */
  private static final int PAST_THE_GATE = 404;

  private static final HttpClient http = HttpClient.newHttpClient();
  private static ServiceBehindProxy service;
  private static OutboxFixture fx;
  private static TcpProxy proxy;
  private static Application app;

  @BeforeAll
  static void start() throws Exception {
    service = ServiceBehindProxy.start("keys-no-db", Map.of("SA01_API_KEY_RECHECK_MS", "500"));
    fx = service.fx;
    proxy = service.proxy;
    app = service.app;
  }

  @AfterEach
  void databaseBack() throws Exception {
    proxy.restore();
  }

  @AfterAll
  static void stop() throws Exception {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void aKeySeenValidStillPassesWhileTheDatabaseIsUnreachable() throws Exception {
    String key = TenantKeys.create(fx.pool, "seen");
    assertThat(history(key).statusCode()).isEqualTo(PAST_THE_GATE);

    proxy.cut();
    HttpResponse<String> during = history(key);

    // past the gate: the history itself needs the database, which says so
    assertThat(during.statusCode()).isEqualTo(503);
    assertThat(during.headers().firstValue("Retry-After")).hasValue("5");
    assertThat(during.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(new JsonObject(during.body()).getString("detail"))
        .startsWith("the database is unreachable");
  }

  @Test
  void aKeyNeverSeenGets503NotA401WhileTheDatabaseIsUnreachable() throws Exception {
    String key = TenantKeys.create(fx.pool, "unseen");

    proxy.cut();
    HttpResponse<String> unknown = history(key);
    HttpResponse<String> malformed = history("not-a-key");

    assertThat(unknown.statusCode()).isEqualTo(503);
    assertThat(unknown.headers().firstValue("Retry-After")).hasValue("5");
    assertThat(new JsonObject(unknown.body()).getString("detail"))
        .startsWith("the API key cannot be checked now");
    assertThat(malformed.statusCode()).isEqualTo(401);
  }

  @Test
  void aKeyRevokedDuringTheOutageIsRefusedWithinFiveSecondsOfTheDatabaseComingBack()
      throws Exception {
    String key = TenantKeys.create(fx.pool, "revoked-late");
    assertThat(history(key).statusCode()).isEqualTo(PAST_THE_GATE);

    proxy.cut();
    revokeDirectly("revoked-late");
    assertThat(history(key).statusCode()).as("not known to be revoked yet").isEqualTo(503);
    proxy.restore();
    long back = System.nanoTime();

    await().atMost(Duration.ofSeconds(5)).until(() -> history(key).statusCode() == 401);
    assertThat(Duration.ofNanos(System.nanoTime() - back)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void aKeyRevokedElsewhereIsRefusedWithinFiveSeconds() throws Exception {
    String key = TenantKeys.create(fx.pool, "revoked-elsewhere");
    assertThat(history(key).statusCode()).isEqualTo(PAST_THE_GATE);

    revokeDirectly("revoked-elsewhere");

    await().atMost(Duration.ofSeconds(5)).until(() -> history(key).statusCode() == 401);
  }

  @Test
  void anOutageIsLoggedOnceThenCountedNotOnceARequest() throws Exception {
    String key = TenantKeys.create(fx.pool, "noisy");
    assertThat(history(key).statusCode()).isEqualTo(PAST_THE_GATE);

    try (LogCapture log = LogCapture.of(ProblemHandler.class)) {
      proxy.cut();
      for (int i = 0; i < 40; i++) {
        assertThat(history(key).statusCode()).isEqualTo(503);
      }

      // a few distinct causes at most (refused, closed), each once: not 40 lines
      assertThat(log.messages()).hasSizeLessThanOrEqualTo(4);
    }
  }

  private static void revokeDirectly(String tenant) throws Exception {
    Blocking.await(
        fx.pool
            .preparedQuery(
                "UPDATE api_keys SET revoked_at = now(), revoked_by = 'ops' WHERE tenant_id = $1")
            .execute(Tuple.of(tenant)),
        Duration.ofSeconds(10));
  }

  private static HttpResponse<String> history(String key) throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + app.httpPort() + "/v1/conversations/c/messages"))
            .header("Authorization", "Bearer " + key)
            .timeout(Duration.ofSeconds(30))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
