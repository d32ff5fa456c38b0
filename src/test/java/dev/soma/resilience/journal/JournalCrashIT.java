package dev.soma.resilience.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.DatabaseUrl;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.RelayProcess;
import dev.soma.resilience.testing.RelayProcesses;
import dev.soma.resilience.testing.TcpProxy;
import dev.soma.resilience.testing.TenantKeys;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole service in a child JVM, killed with SIGKILL while it journals (PostgreSQL cut off by a
 * {@link TcpProxy}) and while it replays, then started again on the same data directory: every
 * message it answered {@code 202} is in the real database once, with its event once, in order.
 */
@ExtendWith(TestServices.class)
class JournalCrashIT {

  private static final HttpClient http = HttpClient.newHttpClient();

  @RegisterExtension final RelayProcesses processes = new RelayProcesses();

  private OutboxFixture fx;
  private TcpProxy proxy;
  private DatabaseUrl proxied;
  private Path dataDir;
  private String key;

  @BeforeEach
  void setUp() throws Exception {
    fx = new OutboxFixture();
    proxy = TcpProxy.before(fx.databaseUrl);
    proxied = proxy.through(fx.databaseUrl);
    dataDir = TestServices.tempDir("journal-crash");
    key = TenantKeys.create(fx.pool, "acme");
  }

  @AfterEach
  void tearDown() throws Exception {
    proxy.close();
    fx.close();
  }

  @Test
  void aServiceKilledWhileJournalingLosesNoAnsweredMessage() throws Exception {
    RelayProcess service = start("first");
    assertThat(post(service, "m0")).isEqualTo(202);

    proxy.cut();
    int answered = 0;
    for (int i = 1; i <= 200; i++) {
      assertThat(post(service, "m" + i)).isEqualTo(202);
      answered++;
    }
    service.kill();
    proxy.restore();
    start("second");

    awaitStored(answered + 1);
  }

  @Test
  void aServiceKilledWhileReplayingLosesAndDuplicatesNothing() throws Exception {
    RelayProcess service = start("first");
    assertThat(post(service, "m0")).isEqualTo(202);
    proxy.cut();
    int total = 3000;
    for (int i = 1; i <= total; i++) {
      assertThat(post(service, "m" + i)).isEqualTo(202);
    }

    proxy.restore();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> count("SELECT count(*) FROM conversation_messages") > 1);
    service.kill();
    long atKill = count("SELECT count(*) FROM conversation_messages");
    start("second");

    assertThat(atKill).as("killed mid-replay").isLessThan(total + 1);
    awaitStored(total + 1);
  }

  private void awaitStored(int messages) {
    List<String> expected = IntStream.range(0, messages).mapToObj(i -> "conv:c:m" + i).toList();
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              assertThat(count("SELECT count(*) FROM conversation_messages")).isEqualTo(messages);
              assertThat(events()).containsExactlyElementsOf(expected);
            });
  }

  private RelayProcess start(String name) {
    return processes
        .start(
            name,
            Application.Role.SERVICE,
            proxied,
            Map.of(
                "SA01_DATA_DIR", dataDir.toString(),
                "SA01_JOURNAL_REPLAY_INTERVAL_MS", "100",
                "SA01_API_RATE_LIMIT_PER_SECOND", "100000",
                "SA01_API_RATE_LIMIT_BURST", "100000"))
        .awaitStarted(Duration.ofSeconds(90));
  }

  private long count(String sql) throws Exception {
    return Blocking.await(fx.pool.query(sql).execute(), Duration.ofSeconds(10))
        .iterator()
        .next()
        .getLong(0);
  }

  private List<String> events() throws Exception {
    List<String> keys = new ArrayList<>();
    for (Row row :
        Blocking.await(
            fx.pool
                .query(
                    "SELECT dedupe_key FROM outbox_messages WHERE partition_key = 'conv:c' ORDER"
                        + " BY id")
                .execute(),
            Duration.ofSeconds(10))) {
      keys.add(row.getString(0));
    }
    return keys;
  }

  private int post(RelayProcess service, String message) throws Exception {
    HttpResponse<String> answer =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:" + service.httpPort() + "/v1/conversations/c/messages"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        new JsonObject()
                            .put("messageId", message)
                            .put("content", "hello " + message)
                            .encode()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return answer.statusCode();
  }
}
