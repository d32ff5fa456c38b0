package dev.soma.resilience;

import dev.soma.resilience.breaker.BreakerPanel;
import dev.soma.resilience.cluster.ClusterNode;
import dev.soma.resilience.cluster.Clustering;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.ProcessName;
import dev.soma.resilience.common.db.Database;
import dev.soma.resilience.common.db.LeaseKeeper;
import dev.soma.resilience.common.kafka.AdminSettings;
import dev.soma.resilience.common.kafka.Producers;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.flags.FlagBook;
import dev.soma.resilience.journal.Journal;
import dev.soma.resilience.memory.Memories;
import dev.soma.resilience.outbox.Outbox;
import dev.soma.resilience.outbox.OutboxRelays;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.Route;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds {@link Vertx} with metrics, the shared pool and Kafka producer (the
 * process's {@link NodeParts}), and deploys what the process runs on them ({@link RoleDeployment}).
 * {@link #start} returns once everything listens; {@link #close} stops verticles, clients and the
 * embedded servers, in that order.
 */
public final class Application implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Application.class);

  /** What to run: the whole service, the outbox relay ({@code publish-outbox}), or tools. */
  public enum Role {
    SERVICE,
    RELAY_ONLY,
    /** The relay with health probes and metrics on {@code http.port}, no agent API. */
    RELAY_WITH_PROBES,
    /** Migrated pool and producer only, for one-shot commands. */
    TOOLS
  }

  private final Infrastructure infrastructure;
  private final ClusterNode clusterNode;
  private final Vertx vertx;
  private final Pool pool;
  private final KafkaProducer<String, String> producer;
  private final KafkaAdminClient admin;
  private final Database database;
  private final PrometheusMeterRegistry registry;
  private final Outbox outbox;
  private final ServiceMeters processMeters;
  private final HttpServers http;

  /** Every circuit breaker of this process, and the operators' overrides in force on it. */
  private final BreakerPanel breakers = new BreakerPanel();

  /** The feature flags' rules in force on this process (all at their defaults for tools). */
  private final FlagBook flags = new FlagBook();

  /** This process's lease keeper, once the schema is migrated (its leases end with it). */
  private volatile LeaseKeeper keeper;

  /** What runs on this process, once the schema is migrated; none for one-shot tools. */
  private volatile RoleDeployment deployment;

  /** Set on SIGTERM: readiness answers 503 from then on ({@link #shutDown}). */
  private volatile boolean stopping;

  /** How long {@link #shutDown} may take in all. */
  private final Duration shutdownGrace;

  /** The role announced as up, to announce it stopped; none for one-shot tools. */
  private volatile Role up;

  private Application(
      ServiceConfig config,
      Infrastructure infrastructure,
      PrometheusMeterRegistry registry,
      ClusterNode node) {
    this.infrastructure = infrastructure;
    this.registry = registry;
    this.processMeters = ServiceMeters.bind(registry);
    this.clusterNode = node;
    this.vertx = node.vertx();
    this.shutdownGrace = config.node().shutdownGrace();
    this.database = new Database(infrastructure.database);
    this.pool =
        database.pool(vertx, config.database().poolSize(), config.database().answerTimeout());
    String process = ProcessName.get();
    this.producer =
        Producers.create(
            vertx, config.kafka(), infrastructure.kafkaBootstrap, "soma-outbox-" + process);
    this.admin =
        KafkaAdminClient.create(
            vertx,
            AdminSettings.of(
                config.kafka().security(), infrastructure.kafkaBootstrap, "soma-admin-" + process));
    this.outbox = new Outbox(vertx);
    this.http = new HttpServers(vertx);
  }

  /**
   * Starts everything {@code role} needs; blocks the calling (non-event-loop) thread until up. What
   * fails or is interrupted (a stop signal while starting, see {@code cli.StopSignal}) closes what
   * it had started before the exception reaches the caller.
   */
  public static Application start(ServiceConfig config, Role role) throws Exception {
    boolean listens = role == Role.SERVICE || role == Role.RELAY_WITH_PROBES;
    if (listens) {
      HttpPort.checkFree(config.httpHost(), config.httpPort());
    }
    Infrastructure infrastructure = Infrastructure.start(config);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Application app;
    try {
      ClusterNode node =
          Clustering.start(
              role == Role.SERVICE ? config.node().cluster() : Optional.empty(),
              role == Role.SERVICE ? config.node().roles() : Set.of(),
              new VertxOptions(),
              registry);
      app = new Application(config, infrastructure, registry, node);
    } catch (Exception e) {
      infrastructure.close();
      throw e;
    }
    try {
      Blocking.await(app.deploy(config, role), Duration.ofMinutes(2));
    } catch (Exception e) {
      app.close();
      throw listens ? HttpPort.explain(e, config.httpPort()) : e;
    }
    return app;
  }

  private Future<?> deploy(ServiceConfig config, Role role) {
    Future<LeaseKeeper> migrated =
        database
            .migrate(vertx)
            .compose(v -> LeaseKeeper.start(vertx, database.connectOptions()))
            .onSuccess(started -> keeper = started);
    if (role == Role.TOOLS) {
      return migrated;
    }
    return migrated
        .compose(
            v -> {
              deployment = new RoleDeployment(config, parts(), http, () -> stopping);
              return deployment.deploy(role);
            })
        .onSuccess(
            v -> {
              up = role;
              LOG.info(
                  "soma-resilience up ({}{}): PostgreSQL {}, Kafka {}, HTTP port {}",
                  role,
                  role == Role.SERVICE ? ", " + config.node().describe() : "",
                  infrastructure.database,
                  infrastructure.kafkaBootstrap + " (" + config.kafka().security() + ")",
                  http.port());
            });
  }

  /** This process's long-lived parts (the lease keeper once the schema is migrated). */
  private NodeParts parts() {
    return new NodeParts(
        vertx,
        clusterNode,
        database,
        pool,
        keeper,
        producer,
        admin,
        outbox,
        registry,
        breakers,
        flags);
  }

  /** The relay's wiring on this process's pool, producer, meters and flags. */
  public OutboxRelays relays(ServiceConfig config) {
    return parts().relays(config);
  }

  /** The memory parts on this process's pool and meters ({@link NodeParts#memories}). */
  public Memories memories(ServiceConfig config, BooleanSupplier statusSaysAvailable) {
    return parts().memories(config, statusSaysAvailable);
  }

  public Vertx vertx() {
    return vertx;
  }

  public Pool pool() {
    return pool;
  }

  /** This process's lease keeper (there once {@link #start} returned). */
  public LeaseKeeper leaseKeeper() {
    return keeper;
  }

  public Outbox outbox() {
    return outbox;
  }

  public KafkaProducer<String, String> producer() {
    return producer;
  }

  public PrometheusMeterRegistry meters() {
    return registry;
  }

  /** The HTTP router's routes (one instance's: all have the same), empty without HTTP. */
  public List<Route> httpRoutes() {
    return http.routes();
  }

  public int httpPort() {
    return http.port();
  }

  /**
   * How a node stops on SIGTERM: readiness answers 503 at once while requests are still served, so
   * that load balancers stop sending; then {@link #close}, within the grace ({@link StopBudget}).
   */
  public void shutDown() {
    stopping = true;
    // a process without readiness (the relay alone) has no load balancer to wait for
    StopBudget budget =
        StopBudget.of(shutdownGrace, up == Role.SERVICE || up == Role.RELAY_WITH_PROBES);
    LOG.info("stopping: readiness answers 503; stopping in {} ms", budget.drain().toMillis());
    try {
      Thread.sleep(budget.drain().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    close(budget.close());
  }

  @Override
  public void close() {
    close(shutdownGrace);
  }

  /**
   * Stops the verticles first (the relay settles what it has in flight, which needs the producer
   * and the pool), then gives the lease keeper's lock up, then the Kafka clients, then Vert.x, then
   * the embedded servers.
   */
  private void close(Duration within) {
    try {
      // a verticle deployed by another (the active monitor) goes with its parent: its own
      // undeploy may then find it gone, which is no failure
      List<Future<Void>> undeployed =
          vertx.deploymentIDs().stream().map(id -> vertx.undeploy(id).otherwiseEmpty()).toList();
      Blocking.await(
          Future.join(undeployed)
              .eventually(() -> keeper == null ? Future.succeededFuture() : keeper.close())
              .eventually(() -> producer.close(5_000))
              .eventually(() -> admin.close(5_000))
              .eventually(() -> vertx.close()),
          within);
    } catch (Exception e) {
      LOG.warn("Vert.x did not close cleanly: {}", e.toString());
    }
    if (deployment != null) {
      deployment.journal().ifPresent(Journal::close);
    }
    processMeters.close();
    infrastructure.close();
    if (up != null) {
      LOG.info("soma-resilience stopped ({})", up);
    }
  }
}
