package dev.soma.resilience.testing;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A client that sends requests to the nodes of a cluster as a load balancer in front of them would,
 * for tests that stop and start nodes under load.
 *
 * <ul>
 *   <li><b>Health check.</b> It asks every node's {@code GET /health/ready} every {@value
 *       #CHECK_INTERVAL_MS} ms; a node is ready while the last answer was 200 within a second.
 *   <li><b>Balancing.</b> Each request goes to the next ready node, round robin.
 *   <li><b>Retries.</b> A request whose connection is refused, or reset before any part of a
 *       response came back, is sent again to another ready node: load balancers do that with a
 *       connection that failed (Envoy's {@code retry_on: connect-failure,reset}; nginx's {@code
 *       proxy_next_upstream error}, with {@code non_idempotent} for a POST). That is safe only for
 *       a request the service answers once however often it arrives: the caller sends an {@code
 *       Idempotency-Key}. Nothing else is retried: any status is an answer, and a request that
 *       timed out or broke off after its response began fails.
 * </ul>
 *
 * Blocking and thread-safe: several threads may send at once.
 */
public final class LoadBalancer implements AutoCloseable {

  static final long CHECK_INTERVAL_MS = 200;

  /** How long a request waits for a ready node before it fails. */
  private static final Duration NO_NODE_READY = Duration.ofSeconds(30);

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private final List<Integer> ports;
  private final Set<Integer> ready = ConcurrentHashMap.newKeySet();
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private final AtomicInteger reset = new AtomicInteger();
  private final ScheduledExecutorService checks =
      Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "load-balancer-checks"));

  /** Balances over the nodes listening on these loopback ports; starts checking them at once. */
  public LoadBalancer(List<Integer> ports) {
    this.ports = List.copyOf(ports);
    checks.scheduleWithFixedDelay(this::check, 0, CHECK_INTERVAL_MS, TimeUnit.MILLISECONDS);
  }

  /** One request's outcome: the status and body, from the node on {@code port}. */
  public record Answer(int status, String body, int port, int retries) {}

  /**
   * Sends the request {@code request} makes for a node's base URI ({@code http://127.0.0.1:port})
   * to a ready node, and again to another while it is refused or reset before any response.
   *
   * @throws IOException when the request timed out or broke off once its response had begun
   * @throws IllegalStateException when no node was ready for {@link #NO_NODE_READY}
   */
  public Answer send(Function<URI, HttpRequest> request) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + NO_NODE_READY.toNanos();
    Set<Integer> tried = new HashSet<>();
    int retries = 0;
    while (true) {
      Integer port = pick(tried);
      if (port == null) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("no node ready for " + NO_NODE_READY);
        }
        // every ready node refused: wait for the health checks to catch up
        tried.clear();
        Thread.sleep(50);
        continue;
      }
      AtomicBoolean responded = new AtomicBoolean();
      try {
        HttpResponse<String> response =
            http.send(
                request.apply(URI.create("http://127.0.0.1:" + port)),
                info -> {
                  responded.set(true);
                  return HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8);
                });
        return new Answer(response.statusCode(), response.body(), port, retries);
      } catch (HttpTimeoutException e) {
        throw e;
      } catch (IOException e) {
        if (responded.get()) {
          throw e;
        }
        (e instanceof ConnectException ? refused : reset).incrementAndGet();
        tried.add(port);
        retries++;
      }
    }
  }

  private Integer pick(Set<Integer> tried) {
    int start = Math.floorMod(next.getAndIncrement(), ports.size());
    for (int i = 0; i < ports.size(); i++) {
      int port = ports.get((start + i) % ports.size());
      if (ready.contains(port) && !tried.contains(port)) {
        return port;
      }
    }
    return null;
  }

  private void check() {
    for (int port : ports) {
      if (isReady(port)) {
        ready.add(port);
      } else {
        ready.remove(port);
      }
    }
  }

  private boolean isReady(int port) {
    HttpRequest probe =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
            .timeout(Duration.ofSeconds(1))
            .build();
    try {
      return http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Whether the node on {@code port} passed its last health check. */
  public boolean isReadyNow(int port) {
    return ready.contains(port);
  }

  /** Requests sent again because a node refused the connection. */
  public int refusedRetries() {
    return refused.get();
  }

  /** Requests sent again because a node reset the connection before answering. */
  public int resetRetries() {
    return reset.get();
  }

  /** Stops the health checks. */
  @Override
  public void close() {
    checks.shutdownNow();
  }
}
