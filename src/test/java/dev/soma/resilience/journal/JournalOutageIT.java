package dev.soma.resilience.journal;

import static dev.soma.resilience.testing.KafkaReader.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.Application;
import dev.soma.resilience.chat.Conversations;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.testing.KafkaReader;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 16's proof: three tenants write steadily (messages in two conversations each, tool results,
 * memories) while the service's PostgreSQL is cut for 60 s; every request is answered 2xx, and
 * afterwards every accepted write is in its table once and every message's event reaches Kafka,
 * each conversation's first deliveries in the order its messages were sent, the events written
 * during the replay included. The service reaches a real PostgreSQL through a {@link TcpProxy} the
 * test cuts (the relay's connections too).
 */
@ExtendWith(TestServices.class)
class JournalOutageIT {

  private static final Duration OUTAGE = Duration.ofSeconds(60);
  private static final HttpClient http = HttpClient.newHttpClient();
  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final List<String> TENANTS = List.of("ja-" + RUN, "jb-" + RUN, "jc-" + RUN);

  private static ServiceBehindProxy service;
  private static OutboxFixture fx;
  private static TcpProxy proxy;
  private static Application app;
  private static final Map<String, String> keys = new HashMap<>();

  /** One answered request: what it wrote and how it was answered. */
  private record Sent(
      String tenant, String kind, String id, String conversation, int status, boolean journaled) {}

  @BeforeAll
  static void start() throws Exception {
    service =
        ServiceBehindProxy.start(
            "journal-outage", Map.of("SA01_JOURNAL_REPLAY_INTERVAL_MS", "200"));
    fx = service.fx;
    proxy = service.proxy;
    app = service.app;
    for (String tenant : TENANTS) {
      keys.put(tenant, TenantKeys.create(fx.pool, tenant));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void aMinuteWithoutPostgresqlUnderSteadyLoadIsAnsweredAndLosesNothing() throws Exception {
    ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
    AtomicBoolean writing = new AtomicBoolean(true);
    List<Thread> writers = new ArrayList<>();
    for (String tenant : TENANTS) {
      Thread writer = new Thread(() -> write(tenant, writing, sent), "writer-" + tenant);
      writer.start();
      writers.add(writer);
    }

    Thread.sleep(5_000); // the load's pace: before the outage
    proxy.cut();
    Thread.sleep(OUTAGE.toMillis());
    proxy.restore();
    Thread.sleep(15_000); // after: new writes while the journal is replayed
    writing.set(false);
    for (Thread writer : writers) {
      writer.join(60_000);
    }

    assertThat(sent).allSatisfy(s -> assertThat(s.status()).as(s.toString()).isBetween(200, 299));
    List<Sent> messages = sent.stream().filter(s -> s.kind().equals("message")).toList();
    assertThat(messages).hasSizeGreaterThan(300);
    assertThat(sent.stream().filter(Sent::journaled).map(Sent::kind).distinct())
        .as("the outage's writes of every kind were journaled")
        .containsExactlyInAnyOrder("message", "tool", "memory");
    await()
        .atMost(Duration.ofSeconds(120))
        .untilAsserted(
            () -> {
              assertThat(stored("SELECT tenant_id, message_id FROM conversation_messages"))
                  .containsExactlyInAnyOrderElementsOf(ids(sent, "message"));
              assertThat(stored("SELECT tenant_id, execution_id FROM tool_executions"))
                  .containsExactlyInAnyOrderElementsOf(ids(sent, "tool"));
              assertThat(stored("SELECT tenant_id, memory_key FROM pending_memories"))
                  .containsExactlyInAnyOrderElementsOf(ids(sent, "memory"));
            });
    assertFirstDeliveriesInOrder(messages);
  }

  /** Writes for {@code tenant} until told to stop, about ten requests a second. */
  private static void write(
      String tenant, AtomicBoolean writing, ConcurrentLinkedQueue<Sent> sent) {
    for (int n = 1; writing.get(); n++) {
      String conversation = "c" + (n % 2);
      String id = String.format("m%05d", n);
      try {
        sent.add(
            post(
                tenant,
                "message",
                id,
                conversation,
                "/v1/conversations/" + conversation + "/messages",
                "{\"messageId\":\"" + id + "\",\"content\":\"hello " + id + "\"}"));
        if (n % 5 == 0) {
          sent.add(
              post(
                  tenant,
                  "tool",
                  "x" + id,
                  conversation,
                  "/v1/conversations/" + conversation + "/tool-results",
                  "{\"executionId\":\"x"
                      + id
                      + "\",\"toolName\":\"search\",\"result\":{\"hits\":3}}"));
        }
        if (n % 7 == 0) {
          sent.add(
              post(
                  tenant,
                  "memory",
                  "k" + id,
                  null,
                  "/v1/memories",
                  "{\"key\":\"k" + id + "\",\"value\":{\"n\":1}}"));
        }
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        sent.add(new Sent(tenant, "failed", id, conversation, -1, false));
      }
    }
  }

  /**
   * Every message's event is in Kafka; per conversation, first deliveries (deduplicated by {@code
   * event-id}, as a consumer does) come in the order the messages were sent.
   */
  private static void assertFirstDeliveriesInOrder(List<Sent> messages) {
    List<ConsumerRecord<String, String>> records =
        KafkaReader.read(
            TestServices.kafkaBootstrap(),
            Conversations.INBOUND,
            all -> firstDeliveries(all).size() >= messages.size(),
            Duration.ofSeconds(120));
    Map<String, List<String>> delivered = new HashMap<>();
    for (ConsumerRecord<String, String> record : firstDeliveries(records)) {
      delivered
          .computeIfAbsent(record.key(), k -> new ArrayList<>())
          .add(header(record, "dedupe-key"));
    }
    Map<String, List<String>> sentInOrder = new HashMap<>();
    for (Sent m : messages) {
      sentInOrder
          .computeIfAbsent(m.tenant() + ":conv:" + m.conversation(), k -> new ArrayList<>())
          .add("conv:" + m.conversation() + ":" + m.id());
    }
    assertThat(delivered).isEqualTo(sentInOrder);
  }

  /** Our tenants' records, each event's first delivery only. */
  private static List<ConsumerRecord<String, String>> firstDeliveries(
      List<ConsumerRecord<String, String>> records) {
    Set<String> seen = new HashSet<>();
    List<ConsumerRecord<String, String>> first = new ArrayList<>();
    for (ConsumerRecord<String, String> record : records) {
      if (record.key() != null
          && TENANTS.stream().anyMatch(t -> record.key().startsWith(t + ":"))
          && seen.add(header(record, "event-id"))) {
        first.add(record);
      }
    }
    return first;
  }

  private static List<String> ids(Iterable<Sent> sent, String kind) {
    List<String> ids = new ArrayList<>();
    sent.forEach(
        s -> {
          if (s.kind().equals(kind)) {
            ids.add(s.tenant() + "/" + s.id());
          }
        });
    return ids;
  }

  /** {@code sql}'s rows ({@code tenant, id}) of our tenants, as {@code tenant/id}. */
  private static List<String> stored(String sql) throws Exception {
    List<String> rows = new ArrayList<>();
    Blocking.await(
            fx.pool
                .preparedQuery(sql + " WHERE tenant_id = ANY($1::text[])")
                .execute(Tuple.of(TENANTS.toArray(String[]::new))),
            Duration.ofSeconds(10))
        .forEach(row -> rows.add(row.getString(0) + "/" + row.getString(1)));
    return rows;
  }

  private static Sent post(
      String tenant, String kind, String id, String conversation, String path, String json)
      throws Exception {
    HttpResponse<String> answer =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
                .header("Authorization", "Bearer " + keys.get(tenant))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    boolean journaled =
        answer.statusCode() == 202
            && "journaled".equals(new JsonObject(answer.body()).getString("status"));
    return new Sent(tenant, kind, id, conversation, answer.statusCode(), journaled);
  }
}
