package dev.soma.resilience.degradation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.ProcessName;
import dev.soma.resilience.common.kafka.AdminSettings;
import dev.soma.resilience.config.KafkaConfig;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.degradation.internal.DegradationMetrics;
import dev.soma.resilience.degradation.internal.DegradationMonitor;
import dev.soma.resilience.degradation.internal.StandardDependencies;
import dev.soma.resilience.embedded.EmbeddedKafkaBroker;
import dev.soma.resilience.journal.JournaledWrites;
import dev.soma.resilience.testing.FreePort;
import dev.soma.resilience.testing.GrpcHealthDouble;
import dev.soma.resilience.testing.KafkaReader;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.SomaBrainDouble;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.sqlclient.Row;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The monitor against real PostgreSQL, Redis and Kafka (the outage test stops and restarts a broker
 * of its own), a SomaBrain double and a gRPC health double: detection, broadcast, snapshot, events
 * through the outbox to Kafka, recovery, metrics.
 */
@ExtendWith(TestServices.class)
class DegradationMonitorIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private EmbeddedKafkaBroker broker;
  private String bootstrap;
  private OutboxFixture fx;
  private SomaBrainDouble somabrain;
  private GrpcHealthDouble temporal;
  private KafkaAdminClient admin;
  private DegradationStatusView view;
  private final List<StatusChange> broadcasts = new CopyOnWriteArrayList<>();
  private String eventsTopic;

  @BeforeEach
  void setUp() throws Exception {
    bootstrap = TestServices.kafkaBootstrap();
    fx = new OutboxFixture();
    somabrain = SomaBrainDouble.start(fx.vertx, "secret-token");
    temporal = GrpcHealthDouble.start(fx.vertx);
    eventsTopic = TestServices.topic("degradation.events");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (view != null) {
      Blocking.await(view.close(), TIMEOUT);
    }
    if (admin != null) {
      Blocking.await(
          admin.close(2_000).recover(e -> io.vertx.core.Future.succeededFuture()), TIMEOUT);
    }
    temporal.close();
    somabrain.close();
    fx.close();
    if (broker != null) {
      broker.stop();
    }
  }

  private ServiceConfig config(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>();
    env.put("SA01_SOMABRAIN_URL", somabrain.url());
    env.put("SA01_REDIS_URL", TestServices.redis().toString());
    env.put("SA01_TEMPORAL_HOST", temporal.hostPort());
    env.put("SA01_DEGRADATION_PROBE_INTERVAL_MS", "100");
    env.put("SA01_DEGRADATION_PROBE_TIMEOUT_MS", "1500");
    env.put("SA01_DEGRADATION_EVALUATION_INTERVAL_MS", "100");
    env.put("SA01_DEGRADATION_WINDOW_SECONDS", "2");
    env.put("SA01_DEGRADATION_EVENTS_TOPIC", eventsTopic);
    env.putAll(extra);
    return OutboxFixture.config(env);
  }

  private void deployMonitor(ServiceConfig config) throws Exception {
    admin =
        KafkaAdminClient.create(
            fx.vertx,
            AdminSettings.of(
                KafkaConfig.Security.PLAINTEXT, bootstrap, "monitor-" + UUID.randomUUID()));
    fx.deployRelay(config, bootstrap, "relay");
    Blocking.await(
        fx.vertx.deployVerticle(
            new DegradationMonitor(
                config.degradation(),
                StandardDependencies.of(config, fx.pool, admin),
                fx.outbox,
                JournaledWrites.withoutJournal(fx.pool),
                new DegradationMetrics(fx.meters),
                "test-node",
                Clock.systemUTC(),
                1,
                StatusSnapshot.empty())),
        TIMEOUT);
    view = Blocking.await(DegradationStatusView.start(fx.vertx, Duration.ofSeconds(2)), TIMEOUT);
    view.onChange(broadcasts::add);
  }

  private void awaitState(String service, HealthState state) {
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> assertThat(view.current().stateOf(service)).as(service).isEqualTo(state));
  }

  private List<Row> events(String service) throws Exception {
    return fx.query(
        "SELECT dedupe_key, payload, tenant_id, partition_key FROM outbox_messages"
            + " WHERE topic = $1 AND payload->>'service' = $2 ORDER BY id",
        eventsTopic,
        service);
  }

  @Test
  void everyConfiguredDependencyBecomesHealthyAndTheRestShowsAsNotConfigured() throws Exception {
    deployMonitor(
        config(
            Map.of(
                "SA01_DEGRADATION_DEPENDENCIES",
                "llm.local=" + somabrain.url() + "/healthz,tts.elevenlabs=,llm.remote")));

    for (String service :
        List.of(
            "postgresql",
            "kafka",
            "redis",
            "somabrain",
            "temporal",
            "llm.local",
            "memory",
            "events",
            "sessions",
            "workflows",
            "chat")) {
      awaitState(service, HealthState.HEALTHY);
    }
    StatusSnapshot snapshot = view.current();
    assertThat(snapshot.stateOf("tts.elevenlabs")).isEqualTo(HealthState.NOT_CONFIGURED);
    assertThat(snapshot.stateOf("llm.remote"))
        .as("outcome-only, no calls yet")
        .isEqualTo(HealthState.UNKNOWN);
    assertThat(snapshot.stateOf("voice")).isEqualTo(HealthState.NOT_CONFIGURED);
    assertThat(snapshot.overall()).isEqualTo(DegradationLevel.NONE);
    assertThat(snapshot.status("postgresql").orElseThrow().critical()).isTrue();
    assertThat(fx.meters.get("service_health_state").tag("service", "somabrain").gauge().value())
        .isEqualTo(1.0);
    assertThat(
            fx.meters.get("service_health_state").tag("service", "tts.elevenlabs").gauge().value())
        .isEqualTo(-2.0);
    assertThat(fx.meters.get("service_degradation_level").tag("service", "redis").gauge().value())
        .isZero();
    assertThat(events("somabrain")).as("a healthy start writes no events").isEmpty();
  }

  @Test
  void somaBrainDownIsDetectedBroadcastWrittenToKafkaAndItsRecoveryToo() throws Exception {
    deployMonitor(config(Map.of()));
    awaitState("somabrain", HealthState.HEALTHY);

    somabrain.down();

    awaitState("somabrain", HealthState.UNAVAILABLE);
    awaitState("memory", HealthState.UNAVAILABLE);
    DependencyStatus down = view.current().status("somabrain").orElseThrow();
    assertThat(down.level()).isEqualTo(DegradationLevel.CRITICAL);
    assertThat(view.current().status("memory").orElseThrow().impactedBy())
        .containsExactly("somabrain");
    assertThat(view.current().overall())
        .as("not a critical dependency")
        .isEqualTo(DegradationLevel.SEVERE);
    assertThat(broadcasts)
        .anySatisfy(
            change -> {
              assertThat(change.service()).isEqualTo("somabrain");
              assertThat(change.current().state()).isEqualTo(HealthState.UNAVAILABLE);
            });
    assertThat(
            fx.meters.get("service_degradation_level").tag("service", "somabrain").gauge().value())
        .isEqualTo(4.0);

    somabrain.up();

    awaitState("somabrain", HealthState.HEALTHY);
    awaitState("memory", HealthState.HEALTHY);
    assertThat(broadcasts)
        .anySatisfy(
            change -> {
              assertThat(change.service()).isEqualTo("somabrain");
              assertThat(change.isRecovery()).isTrue();
            });
    // the outage, then its recovery (the outage's failures do not linger in the error rate)
    List<String> keys = awaitEventsEndingAtNone("somabrain");
    String outage = keys.stream().filter(k -> k.contains("->critical:")).findFirst().orElseThrow();
    assertThat(outage).matches("degradation:somabrain:none->critical:\\d+");
    assertThat(keys.subList(keys.indexOf(outage) + 1, keys.size()))
        .singleElement()
        .asString()
        .matches("degradation:somabrain:critical->none:\\d+");
    Row row = events("somabrain").get(0);
    assertThat(row.getString("tenant_id")).isEqualTo("system");
    assertThat(row.getString("partition_key")).isEqualTo("somabrain");

    List<JsonObject> published =
        KafkaReader.read(bootstrap, eventsTopic, keys.size(), TIMEOUT).stream()
            .map(r -> new JsonObject(r.value()))
            .filter(e -> e.getString("service").equals("somabrain"))
            .toList();
    assertThat(published).extracting(e -> e.getString("dedupeKey")).containsAll(keys);
    JsonObject last = published.get(published.size() - 1);
    assertThat(last.getString("to")).isEqualTo("none");
    assertThat(last.getBoolean("recovery")).isTrue();
    assertThat(last.getString("type")).isEqualTo("degradation.status.changed");
    assertThat(last.getJsonObject("status").getString("state")).isEqualTo("healthy");
  }

  /** The dedupe keys of a service's events once one from critical has been followed by none. */
  private List<String> awaitEventsEndingAtNone(String service) throws Exception {
    await()
        .atMost(TIMEOUT)
        .until(
            () -> {
              List<String> keys = keys(service);
              return keys.stream().anyMatch(k -> k.contains("->critical:"))
                  && keys.get(keys.size() - 1).contains("->none:");
            });
    return keys(service);
  }

  private List<String> keys(String service) throws Exception {
    return events(service).stream().map(r -> r.getString("dedupe_key")).toList();
  }

  @Test
  void everySomaBrainFaultCountsAsUnavailableWithItsReason() throws Exception {
    deployMonitor(config(Map.of()));
    awaitState("somabrain", HealthState.HEALTHY);

    Map<Runnable, String> faults = new java.util.LinkedHashMap<>();
    faults.put(somabrain::notReady, "not ready (status degraded)");
    faults.put(() -> somabrain.failWith(502), "GET /health answered 502");
    faults.put(somabrain::malformed, "GET /health answered a body that is not JSON");
    faults.put(() -> somabrain.slow(Duration.ofSeconds(3)), "timed out");
    for (Map.Entry<Runnable, String> fault : faults.entrySet()) {
      fault.getKey().run();
      await()
          .atMost(TIMEOUT)
          .untilAsserted(
              () -> {
                DependencyStatus status = view.current().status("somabrain").orElseThrow();
                assertThat(status.state()).isEqualTo(HealthState.UNAVAILABLE);
                assertThat(status.reason()).endsWith(fault.getValue());
              });
      somabrain.up();
      awaitState("somabrain", HealthState.HEALTHY);
    }
  }

  @Test
  void kafkaDownIsDetectedAndItsEventReachesKafkaOnceItIsBack() throws Exception {
    // this test stops its broker, so it gets one of its own
    broker = EmbeddedKafkaBroker.start(TestServices.tempDir("degradation"), 0);
    bootstrap = broker.bootstrapServers();
    deployMonitor(config(Map.of()));
    awaitState("kafka", HealthState.HEALTHY);

    broker.stop();

    awaitState("kafka", HealthState.UNAVAILABLE);
    awaitState("events", HealthState.UNAVAILABLE);
    await()
        .atMost(TIMEOUT)
        .until(() -> keys("kafka").stream().anyMatch(k -> k.contains("->critical:")));
    assertThat(
            fx.count(
                "SELECT count(*) FROM outbox_messages WHERE topic = $1" + " AND status = 'pending'",
                eventsTopic))
        .as("waits in the outbox")
        .isPositive();

    broker.restart();

    awaitState("kafka", HealthState.HEALTHY);
    awaitState("events", HealthState.HEALTHY);
    List<String> keys = awaitEventsEndingAtNone("kafka");
    // other services' events share the topic: read until kafka's own have all arrived
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              List<JsonObject> kafkaEvents =
                  KafkaReader.read(bootstrap, eventsTopic, Integer.MAX_VALUE, Duration.ofSeconds(2))
                      .stream()
                      .map(r -> new JsonObject(r.value()))
                      .filter(e -> e.getString("service").equals("kafka"))
                      .toList();
              assertThat(kafkaEvents).extracting(e -> e.getString("dedupeKey")).containsAll(keys);
              assertThat(kafkaEvents)
                  .extracting(e -> e.getString("to"))
                  .contains("critical")
                  .endsWith("none");
            });
  }

  @Test
  void reportedOutcomesJudgeADependencyWithoutAProbe() throws Exception {
    deployMonitor(config(Map.of("SA01_DEGRADATION_DEPENDENCIES", "llm.openai,llm.anthropic")));

    view.report(CallReport.success("llm.anthropic", 800));
    view.report(CallReport.failure("llm.openai", 30_000, "HTTP 503").forTenant("t1"));
    view.report(CallReport.failure("llm.openai", 30_000, "HTTP 503").forTenant("t1"));

    awaitState("llm.openai", HealthState.UNAVAILABLE);
    // and each node's own calls are kept apart: here, this process's
    JsonObject mine =
        Blocking.await(
                fx.vertx
                    .eventBus()
                    .<JsonObject>request(
                        DegradationAddresses.STATUS_SNAPSHOT,
                        new JsonObject(),
                        new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(2000)),
                TIMEOUT)
            .body()
            .getJsonObject("nodes")
            .getJsonObject(ProcessName.get());
    assertThat(mine.getJsonObject("llm.openai").getInteger("calls")).isEqualTo(2);
    assertThat(mine.getJsonObject("llm.openai").getDouble("errorRate")).isEqualTo(1.0);
    assertThat(mine.getJsonObject("llm.openai").getString("lastError")).isEqualTo("HTTP 503");
    assertThat(mine.getJsonObject("llm.anthropic").getInteger("calls")).isEqualTo(1);
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              DependencyStatus chat = view.current().status("chat").orElseThrow();
              assertThat(chat.level())
                  .as("the other provider covers")
                  .isEqualTo(DegradationLevel.MINOR);
              assertThat(chat.impactedBy()).containsExactly("llm.openai");
            });

    view.report(CallReport.success("llm.openai", 900));

    awaitState("llm.openai", HealthState.HEALTHY);
    awaitState("chat", HealthState.HEALTHY);
  }

  @Test
  void temporalIsJudgedByTheGrpcHealthProtocol() throws Exception {
    deployMonitor(config(Map.of()));
    awaitState("temporal", HealthState.HEALTHY);

    temporal.serving(false);

    awaitState("temporal", HealthState.UNAVAILABLE);
    assertThat(view.current().status("temporal").orElseThrow().reason())
        .endsWith("health check status 2 (not SERVING)");
    awaitState("workflows", HealthState.UNAVAILABLE);

    temporal.serving(true);
    awaitState("temporal", HealthState.HEALTHY);
  }

  @Test
  void unreachableRedisAndTemporalAreUnavailableNotHanging() throws Exception {
    deployMonitor(
        config(
            Map.of(
                "SA01_REDIS_URL", "redis://127.0.0.1:" + FreePort.find(),
                "SA01_TEMPORAL_HOST", "127.0.0.1:" + FreePort.find())));

    awaitState("redis", HealthState.UNAVAILABLE);
    awaitState("temporal", HealthState.UNAVAILABLE);
    awaitState("sessions", HealthState.UNAVAILABLE);
    awaitState("postgresql", HealthState.HEALTHY);
  }

  @Test
  void anyComponentCanAskForTheSnapshotAndTheHistory() throws Exception {
    deployMonitor(config(Map.of()));
    awaitState("somabrain", HealthState.HEALTHY);

    JsonObject snapshot =
        Blocking.await(
                fx.vertx
                    .eventBus()
                    .<JsonObject>request(
                        DegradationAddresses.STATUS_SNAPSHOT,
                        new JsonObject(),
                        new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(2000)),
                TIMEOUT)
            .body();
    JsonObject history =
        Blocking.await(
                fx.vertx
                    .eventBus()
                    .<JsonObject>request(
                        DegradationAddresses.STATUS_HISTORY,
                        new JsonObject(),
                        new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(2000)),
                TIMEOUT)
            .body();

    assertThat(StatusSnapshot.fromJson(snapshot).stateOf("somabrain"))
        .isEqualTo(HealthState.HEALTHY);
    assertThat(history.getJsonArray("changes")).isNotEmpty();
    assertThat(StatusChange.fromJson(history.getJsonArray("changes").getJsonObject(0)).sequence())
        .isEqualTo(1);
  }
}
