package dev.soma.resilience.embedded;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * When a broker just started is ready: it answers an Admin {@code describeCluster} with a node, and
 * is then unfenced and accepts produce requests. Each try gives up after a few seconds, so a
 * request the broker leaves unanswered does not hold the wait long past its limit. Blocking.
 */
final class BrokerReadiness {

  private BrokerReadiness() {}

  /**
   * Waits until the broker at {@code bootstrapServers} answers with a node, polling every 100 ms.
   *
   * @throws IllegalStateException when it does not within {@code timeout} (with the last failure as
   *     the cause), or the caller is interrupted (its interrupt kept)
   */
  static void await(String bootstrapServers, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      while (System.nanoTime() < deadline) {
        try {
          if (!admin
              .describeCluster(new DescribeClusterOptions().timeoutMs(5_000))
              .nodes()
              .get(6, TimeUnit.SECONDS)
              .isEmpty()) {
            return;
          }
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
          last = e;
        }
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "Interrupted while waiting for Kafka on " + bootstrapServers, e);
    }
    throw new IllegalStateException(
        "Kafka on " + bootstrapServers + " not ready within " + timeout, last);
  }
}
