package dev.soma.resilience.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A service process's own counts, read from its {@code GET /metrics} (Prometheus text) on
 * 127.0.0.1: what each relay or node says it did, next to what the benchmark saw from outside.
 */
final class ScrapedMetrics {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ScrapedMetrics() {}

  /**
   * The sum of every series of {@code metric} on the page served at {@code port} (0 if it has
   * none); fails if the page cannot be read.
   */
  static double sum(int port, String metric) throws IOException, InterruptedException {
    return sum(port, metric, "");
  }

  /** The same for the series whose line contains {@code label} (e.g. {@code method="POST"}). */
  static double sum(int port, String metric, String label)
      throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
        + "/metrics")).timeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET /metrics on port " + port + " answered " + response.statusCode());
    }
    return response.body().lines()
        .filter(l -> l.startsWith(metric + " ") || l.startsWith(metric + "{"))
        .filter(l -> l.contains(label))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }
}
