package dev.soma.resilience.cluster;

import static dev.soma.resilience.testing.KafkaReader.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.chat.Conversations;
import dev.soma.resilience.testing.ClusterNodes;
import dev.soma.resilience.testing.KafkaReader;
import dev.soma.resilience.testing.LoadBalancer;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.RelayProcess;
import dev.soma.resilience.testing.RelayProcesses;
import dev.soma.resilience.testing.TenantKeys;
import dev.soma.resilience.testing.TestServices;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A rolling restart of three clustered nodes, each a separate JVM running every role, under a
 * steady load of conversation messages sent through a {@link LoadBalancer} (readiness checks, round
 * robin, retries of refused or reset connections): one node after another is stopped with SIGTERM,
 * as an orchestrator stops it, and started again as the same node once it exited; the next goes
 * only when it is ready and back in the cluster. No request may go unanswered or fail, and every
 * accepted message's event must reach Kafka once, in each conversation's order. No request may even
 * need the load balancer's retry: a stopping node's readiness answers 503 while it still serves, so
 * the health checks take it out of the rotation before it stops listening.
 */
@ExtendWith(TestServices.class)
class RollingRestartIT {

  private static final Duration GRACE = Duration.ofSeconds(6);
  private static final Duration START = Duration.ofSeconds(90);
  private static final int CONVERSATIONS = 4;

  @RegisterExtension final RelayProcesses processes = new RelayProcesses();
  private OutboxFixture fx;

  @BeforeEach
  void setUp() throws Exception {
    fx = new OutboxFixture();
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
  }

  /** A node's stop: its exit status and how long it took from SIGTERM. */
  private record Stop(int node, int exit, Duration took) {}

  @Test
  void aRollingRestartUnderLoadAnswersEveryRequestAndPublishesEveryMessageOnceInOrder()
      throws Exception {
    ClusterNodes cluster =
        new ClusterNodes(
            processes,
            fx.databaseUrl,
            3,
            Map.of(
                "SA01_SHUTDOWN_GRACE_SECONDS", Long.toString(GRACE.toSeconds()),
                "SA01_API_RATE_LIMIT_PER_SECOND", "10000",
                "SA01_API_RATE_LIMIT_BURST", "10000"));
    cluster.startAll(List.of(Map.of(), Map.of(), Map.of()), START);
    String tenant = "rolling-" + UUID.randomUUID().toString().substring(0, 8);
    String key = TenantKeys.create(fx.pool, tenant);

    List<Stop> stops = new ArrayList<>();
    List<ConversationLoad.Sent> sent;
    int refused;
    int reset;
    try (LoadBalancer balancer = new LoadBalancer(cluster.httpPorts())) {
      await("every node ready for the load balancer")
          .atMost(Duration.ofSeconds(10))
          .until(() -> cluster.httpPorts().stream().allMatch(balancer::isReadyNow));
      ConversationLoad load = ConversationLoad.start(balancer, key, CONVERSATIONS);
      Thread.sleep(3_000);
      for (int node = 0; node < cluster.size(); node++) {
        stops.add(roll(cluster, node));
      }
      Thread.sleep(3_000);
      sent = load.stop();
      refused = balancer.refusedRetries();
      reset = balancer.resetRetries();
    }

    Map<Integer, Long> byStatus =
        sent.stream()
            .collect(Collectors.groupingBy(s -> s.status(), TreeMap::new, Collectors.counting()));
    System.out.printf(
        "RollingRestartIT: %d requests, by status %s (-1: no answer); retried by the load"
            + " balancer: %d refused, %d reset before an answer; %d answered after a retry;"
            + " journaled by node port %s; stops %s%n",
        sent.size(),
        byStatus,
        refused,
        reset,
        sent.stream().filter(s -> s.retries() > 0 && s.answered()).count(),
        sent.stream()
            .filter(ConversationLoad.Sent::journaled)
            .collect(Collectors.groupingBy(s -> s.port(), TreeMap::new, Collectors.counting())),
        stops);

    assertThat(sent)
        .as("every request answered, none failed")
        .isNotEmpty()
        .allSatisfy(s -> assertThat(s.answered()).as(s.toString()).isTrue())
        .allSatisfy(s -> assertThat(s.status()).as(s.toString()).isLessThan(500))
        .as("every message accepted (a new one, or a retry's replay)")
        .allSatisfy(s -> assertThat(s.status()).as(s.toString()).isEqualTo(202));
    // the load balancer's retries would hide it: readiness must turn 503 while the node still
    // listens, long enough for health checks to stop the traffic before a connection is refused
    assertThat(refused + reset)
        .as("requests a stopping node refused or reset: its readiness said 503 too late")
        .isZero();
    assertThat(stops)
        .hasSize(3)
        .allSatisfy(
            stop -> {
              assertThat(stop.exit()).as("%s: exit status of a clean stop", stop).isZero();
              assertThat(stop.took()).as("%s: within the grace", stop).isLessThanOrEqualTo(GRACE);
            });
    assertEveryAcceptedMessagePublishedOnceInOrder(tenant, sent, fx);
  }

  /**
   * SIGTERM to {@code index}, waits for it to exit, starts it again with the same settings and
   * waits until it is ready and every node sees three.
   */
  private Stop roll(ClusterNodes cluster, int index) throws Exception {
    RelayProcess node = cluster.node(index);
    long signalled = System.nanoTime();
    node.terminate();
    int exit = node.awaitExit(GRACE.plusSeconds(20));
    Duration took = Duration.ofNanos(System.nanoTime() - signalled);
    assertThat(exit).as("%s still runs %s after SIGTERM", node, took).isNotEqualTo(-1);
    long restarted = System.nanoTime();
    cluster.restart(index).awaitStarted(START);
    cluster.awaitJoined(Duration.ofSeconds(60));
    System.out.printf(
        "RollingRestartIT: node %d exited %d after %d ms, back in the cluster %d ms later%n",
        index, exit, took.toMillis(), Duration.ofNanos(System.nanoTime() - restarted).toMillis());
    return new Stop(index, exit, took);
  }

  /**
   * Reads {@code conversation.inbound} until every accepted message's event is there; then each
   * accepted message has exactly one event (duplicate deliveries of it collapse by {@code
   * event-id}), there is no other event of the tenant, and each conversation's first deliveries
   * come in the order the API accepted its messages.
   */
  private static void assertEveryAcceptedMessagePublishedOnceInOrder(
      String tenant, List<ConversationLoad.Sent> sent, OutboxFixture fx) throws Exception {
    Map<String, List<String>> accepted = new LinkedHashMap<>();
    for (ConversationLoad.Sent s : sent) {
      if (s.status() == 202) {
        accepted.computeIfAbsent(s.conversation(), c -> new ArrayList<>()).add(s.messageId());
      }
    }
    Set<String> acceptedKeys = new HashSet<>();
    accepted.forEach((c, ids) -> ids.forEach(id -> acceptedKeys.add(dedupeKey(c, id))));
    String recordKeyPrefix = tenant + ":conv:";
    Function<List<ConsumerRecord<String, String>>, List<ConsumerRecord<String, String>>> ours =
        records -> records.stream().filter(r -> r.key().startsWith(recordKeyPrefix)).toList();
    List<ConsumerRecord<String, String>> records =
        ours.apply(
            KafkaReader.read(
                TestServices.kafkaBootstrap(),
                Conversations.INBOUND,
                all ->
                    ours.apply(all).stream()
                        .map(r -> header(r, "dedupe-key"))
                        .collect(Collectors.toSet())
                        .containsAll(acceptedKeys),
                Duration.ofSeconds(60)));

    Map<String, Set<String>> eventIds = new HashMap<>();
    Map<String, List<String>> firstDeliveries = new LinkedHashMap<>();
    Set<String> delivered = new HashSet<>();
    for (ConsumerRecord<String, String> record : records) {
      String dedupeKey = header(record, "dedupe-key");
      String eventId = header(record, "event-id");
      eventIds.computeIfAbsent(dedupeKey, k -> new HashSet<>()).add(eventId);
      if (delivered.add(eventId)) {
        String conversation = record.key().substring(recordKeyPrefix.length());
        firstDeliveries
            .computeIfAbsent(conversation, c -> new ArrayList<>())
            .add(dedupeKey.substring(dedupeKey(conversation, "").length()));
      }
    }
    System.out.printf(
        "RollingRestartIT: %d accepted messages, %d records on Kafka (%d events)%n",
        acceptedKeys.size(), records.size(), delivered.size());
    assertThat(eventIds.keySet()).as("messages with an event").isEqualTo(acceptedKeys);
    assertThat(eventIds)
        .as("events per message")
        .allSatisfy((dedupeKey, ids) -> assertThat(ids).as(dedupeKey).hasSize(1));
    for (Map.Entry<String, List<String>> conversation : accepted.entrySet()) {
      List<String> first = firstDeliveries.get(conversation.getKey());
      if (!conversation.getValue().equals(first)) {
        describeReorder(
            tenant, conversation.getKey(), conversation.getValue(), first, sent, records, fx);
      }
    }
    assertThat(firstDeliveries).as("each conversation's events in order").isEqualTo(accepted);
  }

  /**
   * Prints what a reorder's cause can be read from: around the first message delivered out of
   * place, each message's request (the node that answered, whether it journaled it), its outbox row
   * (id, times, attempts, its last lease holder: which node, by its log) and its records on Kafka
   * (partition, offset, time).
   */
  private static void describeReorder(
      String tenant,
      String conversation,
      List<String> accepted,
      List<String> delivered,
      List<ConversationLoad.Sent> sent,
      List<ConsumerRecord<String, String>> records,
      OutboxFixture fx)
      throws Exception {
    int at = 0;
    while (at < accepted.size()
        && at < delivered.size()
        && accepted.get(at).equals(delivered.get(at))) {
      at++;
    }
    Set<String> around =
        new HashSet<>(accepted.subList(Math.max(0, at - 3), Math.min(accepted.size(), at + 8)));
    System.out.printf(
        "RollingRestartIT: %s out of order from position %d: accepted %s, delivered first %s%n",
        conversation,
        at,
        accepted.subList(Math.max(0, at - 3), Math.min(accepted.size(), at + 8)),
        delivered.subList(Math.max(0, at - 3), Math.min(delivered.size(), at + 8)));
    sent.stream()
        .filter(s -> s.conversation().equals(conversation) && around.contains(s.messageId()))
        .forEach(s -> System.out.printf("RollingRestartIT:   sent %s%n", s));
    for (var row :
        fx.query(
            "SELECT id, dedupe_key, created_at, published_at, attempts, lease_holder, status"
                + " FROM outbox_messages WHERE tenant_id = $1 AND dedupe_key LIKE $2 ORDER BY id",
            tenant,
            dedupeKey(conversation, "%"))) {
      String message = row.getString(1).substring(dedupeKey(conversation, "").length());
      if (around.contains(message)) {
        System.out.printf(
            "RollingRestartIT:   row id=%d %s created=%s published=%s attempts=%d holder=%s %s%n",
            row.getLong(0),
            message,
            row.getValue(2),
            row.getValue(3),
            row.getInteger(4),
            row.getValue(5),
            row.getString(6));
      }
    }
    String prefix = dedupeKey(conversation, "");
    records.stream()
        .filter(
            r ->
                header(r, "dedupe-key").startsWith(prefix)
                    && around.contains(header(r, "dedupe-key").substring(prefix.length())))
        .forEach(
            r ->
                System.out.printf(
                    "RollingRestartIT:   record %s p%d@%d ts=%d event-id=%s%n",
                    header(r, "dedupe-key").substring(prefix.length()),
                    r.partition(),
                    r.offset(),
                    r.timestamp(),
                    header(r, "event-id")));
  }

  private static String dedupeKey(String conversation, String messageId) {
    return "conv:" + conversation + ":" + messageId;
  }
}
