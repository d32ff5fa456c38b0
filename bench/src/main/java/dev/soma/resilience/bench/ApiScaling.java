package dev.soma.resilience.bench;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.db.Database;
import dev.soma.resilience.config.DatabaseUrl;
import dev.soma.resilience.tenant.Tenants;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Part 2 of the cluster suite: {@code POST /v1/conversations/{id}/messages} at a fixed number of
 * callers ({@link ClosedLoad}, as the API suite sends it) against 1 node, then against 2 clustered
 * nodes, the client sending each request to the next node in turn. Each node is the whole service
 * in a JVM of its own (every role, as the deployment files run it; clustered over loopback from
 * the first count on, so a count differs from the one before only by its nodes); node {@code i}
 * joins when the count reaches {@code i + 1}, and the nodes of a count run until the end. Each
 * node's share is its own count of answered requests and of events it published, from its {@code
 * /metrics}.
 */
final class ApiScaling {

  /** The CPU accounting's name for the service nodes, counted together. */
  static final String NODES = "API nodes";

  /** Requests a node answered (Vert.x's HTTP server metrics, every status), and of which kind. */
  static final String REQUESTS = "vertx_http_server_requests_total";

  static final String POSTS = "method=\"POST\"";

  static final String TENANT = "bench";

  /**
   * One node count.
   *
   * @param requests each node's answered requests in the measured phase, in join order
   * @param published each node's events acknowledged by Kafka in the measured phase
   * @param pendingAfter outbox rows not yet published right after the phase
   * @param quiet the wait for a quiet machine before it, the nodes warmed up and idle
   */
  record Result(int nodes, ClosedLoad.Result load, List<Long> requests, List<Long> published,
      long pendingAfter, CpuAccounting.Usage usage, LoadWait.Result quiet) {}

  private ApiScaling() {}

  static List<Result> run(ClusterRun run) throws Exception {
    ClusterOptions options = run.options();
    OutboxBenchmark.step("API part: database, tenant and key");
    DatabaseUrl db = run.servers().database("bench_cluster_api");
    String key = apiKey(run, db);
    int most = options.nodes().get(options.nodes().size() - 1);
    List<PortReservation> reserved = new ArrayList<>();
    List<Integer> clusterPorts = new ArrayList<>();
    List<Integer> httpPorts = new ArrayList<>();
    for (int i = 0; i < 2 * most; i++) {
      reserved.add(new PortReservation());
      (i % 2 == 0 ? clusterPorts : httpPorts).add(reserved.get(i).port());
    }
    String members = clusterPorts.stream().map(p -> "127.0.0.1:" + p)
        .collect(Collectors.joining(","));
    HttpClient http = run.servers().vertx.createHttpClient(new HttpClientOptions()
        .setKeepAlive(true), new PoolOptions().setHttp1MaxSize(options.concurrency()));
    Context context = run.servers().vertx.getOrCreateContext();
    Buffer body = Buffer.buffer(new JsonObject().put("content",
        "word ".repeat(options.contentBytes() / 5 + 1).substring(0, options.contentBytes()))
        .encode());
    List<ChildJvm> nodes = new ArrayList<>();
    List<Result> results = new ArrayList<>();
    try {
      for (int count : options.nodes()) {
        while (nodes.size() < count) {
          int i = nodes.size();
          OutboxBenchmark.step("API part: starting node " + i);
          reserved.get(2 * i).close();
          reserved.get(2 * i + 1).close();
          ChildJvm node = ChildJvm.service(options.serviceClasspath(), options.nodeHeap(), db,
              run.servers().bootstrap(), nodeEnv(i, httpPorts.get(i), clusterPorts.get(i),
                  members, options.laterNodeRoles()), run.logs(), "node-" + i, List.of());
          run.cpu().own(node.pid(), NODES);
          nodes.add(node);
          // one at a time: node 0 is the oldest member, as a rolling deployment starts them
          node.awaitLine(RelayScaling.UP, 120);
        }
        awaitJoined(httpPorts.subList(0, count), 60);
        Supplier<Future<?>> call = roundRobin(http, httpPorts.subList(0, count), key, body,
            options.conversations());
        results.add(measure(run, count, context, call, httpPorts.subList(0, count), db));
      }
    } finally {
      for (PortReservation port : reserved) {
        port.close();
      }
      Blocking.await(http.close(), Duration.ofSeconds(10));
      for (int i = nodes.size() - 1; i >= 0; i--) {
        nodes.get(i).close();
        run.cpu().disown(nodes.get(i).pid());
      }
    }
    return results;
  }

  private static Result measure(ClusterRun run, int count, Context context,
      Supplier<Future<?>> call, List<Integer> ports, DatabaseUrl db) throws Exception {
    ClusterOptions options = run.options();
    if (options.warmupSeconds() > 0) {
      OutboxBenchmark.step(count + " node(s): warm-up, " + options.warmupSeconds() + " s");
      ClosedLoad.run(context, options.concurrency(), Long.MAX_VALUE,
          Duration.ofSeconds(options.warmupSeconds()), call);
    }
    LoadWait.Result wait = run.awaitQuiet();
    List<Long> requests = counts(ports, REQUESTS, POSTS);
    List<Long> published = counts(ports, "outbox_messages_published_total");
    OutboxBenchmark.step(count + " node(s): " + options.seconds() + " s measured (load average "
        + wait.loadAverage() + ")");
    CpuAccounting.Snapshot phase = run.cpu().snapshot();
    ClosedLoad.Result load = ClosedLoad.run(context, options.concurrency(), Long.MAX_VALUE,
        Duration.ofSeconds(options.seconds()), call);
    CpuAccounting.Usage usage = run.cpu().since(phase);
    List<Long> requestsAfter = counts(ports, REQUESTS, POSTS);
    List<Long> publishedAfter = counts(ports, "outbox_messages_published_total");
    for (int i = 0; i < ports.size(); i++) {
      requestsAfter.set(i, requestsAfter.get(i) - requests.get(i));
      publishedAfter.set(i, publishedAfter.get(i) - published.get(i));
    }
    System.out.printf("  %,.0f requests/s, p50 %.1f ms, p99 %.1f ms; per node %s%n",
        load.perSecond(), load.percentileMs(50), load.percentileMs(99), requestsAfter);
    return new Result(count, load, requestsAfter, publishedAfter, Backlog.pending(db), usage,
        wait);
  }

  private static Map<String, String> nodeEnv(int index, int httpPort, int clusterPort,
      String members, String laterRoles) {
    Map<String, String> env = new HashMap<>();
    if (index > 0 && !laterRoles.isBlank()) {
      env.put("SA01_ROLES", laterRoles);
    }
    env.put("SA01_HTTP_HOST", "127.0.0.1");
    env.put("SA01_HTTP_PORT", Integer.toString(httpPort));
    env.put("SA01_CLUSTER_ENABLED", "true");
    env.put("SA01_CLUSTER_HOST", "127.0.0.1");
    env.put("SA01_CLUSTER_PORT", Integer.toString(clusterPort));
    env.put("SA01_CLUSTER_MEMBERS", members);
    // out of the way, as in the API suite: the benchmark measures the path, not the limits
    env.put("SA01_API_RATE_LIMIT_PER_SECOND", "1000000");
    env.put("SA01_API_RATE_LIMIT_BURST", "1000000");
    env.put("SA01_API_BACKLOG_LIMIT", "2000000000");
    return env;
  }

  /** Each request to the next node in turn (the callers all run on one event loop). */
  private static Supplier<Future<?>> roundRobin(HttpClient http, List<Integer> ports, String key,
      Buffer body, int conversations) {
    AtomicLong next = new AtomicLong();
    return () -> http.request(new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setHost("127.0.0.1")
            .setPort(ports.get((int) (next.getAndIncrement() % ports.size())))
            .setURI("/v1/conversations/c-" + ThreadLocalRandom.current().nextInt(conversations)
                + "/messages")
            .putHeader("Authorization", "Bearer " + key)
            .putHeader("Content-Type", "application/json"))
        .compose(request -> request.send(body))
        .compose(response -> response.body().map(answer -> {
          if (response.statusCode() != 202) {
            throw new IllegalStateException("HTTP " + response.statusCode() + ": " + answer);
          }
          return answer;
        }));
  }

  private static String apiKey(ClusterRun run, DatabaseUrl db) throws Exception {
    Pool pool = new Database(db).pool(run.servers().vertx, 2);
    try {
      Tenants tenants = new Tenants(pool);
      Blocking.await(tenants.create(TENANT, "benchmark", "bench"), Duration.ofSeconds(10));
      return Blocking.await(tenants.createKey(TENANT, "bench", "bench"), Duration.ofSeconds(10))
          .getString("apiKey");
    } finally {
      Blocking.await(pool.close(), Duration.ofSeconds(10));
    }
  }

  /** Waits until every node counts all of them in {@code cluster_nodes}. */
  private static void awaitJoined(List<Integer> ports, long timeoutSeconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (counts(ports, "cluster_nodes").stream().anyMatch(n -> n != ports.size())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("nodes on ports " + ports + " see "
            + counts(ports, "cluster_nodes") + " cluster nodes after " + timeoutSeconds + " s");
      }
      Thread.sleep(200);
    }
  }

  private static List<Long> counts(List<Integer> ports, String metric) throws Exception {
    return counts(ports, metric, "");
  }

  private static List<Long> counts(List<Integer> ports, String metric, String label)
      throws Exception {
    List<Long> counts = new ArrayList<>();
    for (int port : ports) {
      counts.add(Math.round(ScrapedMetrics.sum(port, metric, label)));
    }
    return counts;
  }
}
