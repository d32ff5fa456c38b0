package dev.soma.resilience.testing;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.db.Database;
import dev.soma.resilience.common.db.LeaseKeeper;
import dev.soma.resilience.common.db.Transaction;
import dev.soma.resilience.common.kafka.AdminSettings;
import dev.soma.resilience.common.kafka.Producers;
import dev.soma.resilience.config.DatabaseUrl;
import dev.soma.resilience.config.KafkaConfig;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.flags.FlagBook;
import dev.soma.resilience.outbox.Outbox;
import dev.soma.resilience.outbox.OutboxEntry;
import dev.soma.resilience.outbox.internal.BrokerProbe;
import dev.soma.resilience.outbox.internal.DeadLetterPublisher;
import dev.soma.resilience.outbox.internal.OutboxMetrics;
import dev.soma.resilience.outbox.internal.OutboxRelay;
import dev.soma.resilience.outbox.internal.OutboxRepository;
import dev.soma.resilience.outbox.internal.RelayParts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * One test's outbox world: its own database (migrated), a Vert.x instance, the shared pool, and
 * relays deployed on demand against a given broker. Blocking helpers are for the test thread only.
 */
public final class OutboxFixture implements AutoCloseable {

  public final Vertx vertx = Vertx.vertx();
  public final DatabaseUrl databaseUrl = TestServices.freshDatabase();
  public final Database database = new Database(databaseUrl);
  public final Pool pool;
  public final Outbox outbox = new Outbox(vertx);
  public final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  public final OutboxMetrics metrics = new OutboxMetrics(meters);
  private final List<KafkaProducer<String, String>> producers = new ArrayList<>();
  private final List<KafkaAdminClient> admins = new ArrayList<>();
  private LeaseKeeper keeper;

  public OutboxFixture() throws Exception {
    Blocking.await(database.migrate(vertx), Duration.ofSeconds(60));
    pool = database.pool(vertx, 8);
  }

  /** The lease keeper of this fixture's "process", shared by the relays it deploys. */
  public synchronized LeaseKeeper keeper() throws Exception {
    if (keeper == null) {
      keeper = newKeeper(vertx);
    }
    return keeper;
  }

  /** A lease keeper of its own on {@code owner}, standing for another process. */
  public LeaseKeeper newKeeper(Vertx owner) throws Exception {
    return Blocking.await(
        LeaseKeeper.start(owner, database.connectOptions()), Duration.ofSeconds(30));
  }

  /** The configuration with these {@code SA01_*} overrides (tests use short timeouts). */
  public static ServiceConfig config(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("SA01_KAFKA_DELIVERY_TIMEOUT_MS", "10000");
    env.put("SA01_KAFKA_REQUEST_TIMEOUT_MS", "3000");
    env.put("SA01_KAFKA_MAX_BLOCK_MS", "3000");
    env.put("SA01_OUTBOX_LEASE_SECONDS", "20");
    env.put("SA01_OUTBOX_POLL_INTERVAL_MS", "200");
    env.put("SA01_OUTBOX_BACKOFF_INITIAL_MS", "50");
    env.put("SA01_OUTBOX_BACKOFF_MAX_MS", "500");
    env.put("SA01_OUTBOX_KAFKA_DOWN_BACKOFF_MAX_MS", "500");
    env.putAll(overrides);
    return ServiceConfig.load(env);
  }

  /**
   * The whole service's settings on a fresh database, the suite's Kafka and Redis, any free HTTP
   * port and a data directory of its own; {@code more} adds settings or overrides these.
   */
  public static ServiceConfig wholeService(String purpose, Map<String, String> more) {
    Map<String, String> env = new HashMap<>();
    env.put("SA01_DATABASE_URL", TestServices.databaseUrlSetting(TestServices.freshDatabase()));
    env.put("SA01_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap());
    env.put("SA01_REDIS_URL", TestServices.redis().toString());
    env.put("SA01_HTTP_PORT", "0");
    env.put("SA01_DATA_DIR", TestServices.tempDir(purpose).toString());
    env.putAll(more);
    return config(env);
  }

  /**
   * The whole service's configuration against this fixture's database and the tests' broker, HTTP
   * on any free port, data in a fresh directory named after {@code purpose}.
   */
  public ServiceConfig serviceConfig(String purpose) {
    return config(
        Map.of(
            "SA01_DATABASE_URL", TestServices.databaseUrlSetting(databaseUrl),
            "SA01_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap(),
            "SA01_HTTP_PORT", "0",
            "SA01_DATA_DIR", TestServices.tempDir(purpose).toString()));
  }

  public KafkaProducer<String, String> producer(ServiceConfig config, String bootstrap) {
    KafkaProducer<String, String> producer =
        Producers.create(vertx, config.kafka(), bootstrap, "test-" + UUID.randomUUID());
    producers.add(producer);
    return producer;
  }

  /** Deploys a relay with its own producer; completes with the deployment id. */
  public String deployRelay(ServiceConfig config, String bootstrap, String relayId)
      throws Exception {
    return deployRelay(config, bootstrap, relayId, metrics);
  }

  /** As above, counting into {@code relayMetrics} (to tell relays apart). */
  public String deployRelay(
      ServiceConfig config, String bootstrap, String relayId, OutboxMetrics relayMetrics)
      throws Exception {
    KafkaProducer<String, String> producer = producer(config, bootstrap);
    DeadLetterPublisher deadLetters = new DeadLetterPublisher(pool, producer);
    Future<String> deployed =
        vertx.deployVerticle(
            new OutboxRelay(
                new RelayParts(
                    new OutboxRepository(pool),
                    producer,
                    deadLetters,
                    probe(bootstrap),
                    relayMetrics,
                    config.outbox(),
                    keeper(),
                    new FlagBook(),
                    () -> 1),
                relayId,
                Optional.of(database.connectOptions()),
                Clock.systemUTC()));
    return Blocking.await(deployed, Duration.ofSeconds(30));
  }

  /** A broker probe with its own admin client (closed with the fixture's Vert.x). */
  public BrokerProbe probe(String bootstrap) {
    KafkaAdminClient admin =
        KafkaAdminClient.create(
            vertx,
            AdminSettings.of(
                KafkaConfig.Security.PLAINTEXT, bootstrap, "test-admin-" + UUID.randomUUID()));
    admins.add(admin);
    return BrokerProbe.of(admin);
  }

  public void undeploy(String deploymentId) throws Exception {
    Blocking.await(vertx.undeploy(deploymentId), Duration.ofSeconds(30));
  }

  /** Enqueues {@code entries} in one transaction through the public API. */
  public int enqueue(List<OutboxEntry> entries) throws Exception {
    return Blocking.await(
        Transaction.run(pool, tx -> outbox.enqueueAll(tx, entries)), Duration.ofSeconds(60));
  }

  public List<Row> query(String sql, Object... params) throws Exception {
    return Blocking.await(
        pool.preparedQuery(sql)
            .execute(Tuple.from(params))
            .map(
                rows -> {
                  List<Row> list = new ArrayList<>();
                  rows.forEach(list::add);
                  return list;
                }),
        Duration.ofSeconds(60));
  }

  public long count(String sql, Object... params) throws Exception {
    return query(sql, params).get(0).getLong(0);
  }

  public long countStatus(String status) throws Exception {
    return count("SELECT count(*) FROM outbox_messages WHERE status = $1", status);
  }

  @Override
  public void close() throws Exception {
    for (KafkaProducer<String, String> producer : producers) {
      Blocking.await(
          producer.close(2_000).recover(e -> Future.succeededFuture()), Duration.ofSeconds(10));
    }
    for (KafkaAdminClient admin : admins) {
      Blocking.await(
          admin.close(2_000).recover(e -> Future.succeededFuture()), Duration.ofSeconds(10));
    }
    Blocking.await(vertx.close(), Duration.ofSeconds(30));
  }
}
