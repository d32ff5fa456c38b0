package dev.soma.resilience.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.Application;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every metric the alerting rules and the Grafana dashboard in {@code ops/} read is on the {@code
 * /metrics} of a running service that has done nothing yet: a rule or panel over a metric the
 * service does not expose (misspelt, renamed, or only there after some event) fails here. Names are
 * compared as Prometheus shows them, suffixes included ({@code _total}, {@code _bucket}, {@code
 * _count}, {@code _sum}).
 */
@ExtendWith(TestServices.class)
class OpsMetricsIT {

  private static final Pattern SERIES = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");
  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*(\\w+)\\s*,");
  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static Application app;
  private static Set<String> exposed;

  @BeforeAll
  static void start() throws Exception {
    Map<String, String> env = new java.util.HashMap<>();
    env.put("SA01_DATABASE_URL", TestServices.databaseUrlSetting(TestServices.freshDatabase()));
    env.put("SA01_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap());
    env.put("SA01_HTTP_PORT", "0");
    env.put("SA01_DATA_DIR", TestServices.tempDir("ops-metrics").toString());
    env.put("SA01_LLM_OPENAI_API_KEY", "sk-test-openai");
    env.put("SA01_LLM_ANTHROPIC_API_KEY", "sk-test-anthropic");
    app = Application.start(OutboxFixture.config(env), Application.Role.SERVICE);
    HttpRequest scrape =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/metrics"))
            .timeout(Duration.ofSeconds(10))
            .build();
    String body = http.send(scrape, HttpResponse.BodyHandlers.ofString()).body();
    exposed = SERIES.matcher(body).results().map(m -> m.group(1)).collect(Collectors.toSet());
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void everyMetricAnAlertingRuleReadsIsExposed() {
    Map<String, Set<String>> missing = new TreeMap<>();
    OpsFiles.alertExpressions().forEach((alert, expr) -> missing.put(alert, missing(expr)));

    assertThat(OpsFiles.alertExpressions()).isNotEmpty();
    assertThat(missing).allSatisfy((alert, names) -> assertThat(names).as(alert).isEmpty());
  }

  @Test
  void everyMetricTheDashboardQueriesIsExposed() {
    JsonObject dashboard = new JsonObject(OpsFiles.read(OpsFiles.DASHBOARD));
    Map<String, Set<String>> missing = new TreeMap<>();
    int queries = 0;
    for (Object p : dashboard.getJsonArray("panels")) {
      JsonObject panel = (JsonObject) p;
      for (Object t : panel.getJsonArray("targets", new JsonArray())) {
        queries++;
        missing.put(
            panel.getString("title") + " / " + ((JsonObject) t).getString("refId"),
            missing(((JsonObject) t).getString("expr")));
      }
    }
    for (Object v : dashboard.getJsonObject("templating").getJsonArray("list")) {
      String definition = ((JsonObject) v).getString("definition", "");
      Matcher labelValues = LABEL_VALUES.matcher(definition);
      if (labelValues.find()) {
        queries++;
        missing.put(
            "variable " + ((JsonObject) v).getString("name"),
            exposed.contains(labelValues.group(1)) ? Set.of() : Set.of(labelValues.group(1)));
      }
    }

    assertThat(queries).isGreaterThanOrEqualTo(15);
    assertThat(missing).allSatisfy((query, names) -> assertThat(names).as(query).isEmpty());
  }

  private static Set<String> missing(String expr) {
    Set<String> names = PromQlMetricNames.of(expr);
    assertThat(names).as("metric names in %s", expr).isNotEmpty();
    Set<String> absent = new TreeSet<>(names);
    absent.removeAll(exposed);
    return absent;
  }
}
