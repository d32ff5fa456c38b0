package dev.soma.resilience.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlMetricNamesTest {

  @Test
  void aPlainSelectorIsItsMetricName() {
    assertThat(PromQlMetricNames.of("outbox_lease_lost_total"))
        .containsExactly("outbox_lease_lost_total");
  }

  @Test
  void labelMatchersRangesAndFunctionsAreNotMetricNames() {
    assertThat(PromQlMetricNames.of("increase(dlq_messages_total{topic=\"_all\"}[10m]) > 0"))
        .containsExactly("dlq_messages_total");
  }

  @Test
  void aggregationLabelListsAreNotMetricNames() {
    assertThat(
            PromQlMetricNames.of("sum by (use_case) (rate(llm_failover_count_total[10m])) > 0.05"))
        .containsExactly("llm_failover_count_total");
    assertThat(PromQlMetricNames.of("sum(rate(x_total[5m])) without (tenant, topic)"))
        .containsExactly("x_total");
  }

  @Test
  void bothSidesOfABinaryOperatorAreRead() {
    assertThat(
            PromQlMetricNames.of(
                "outbox_messages_pending{tenant!=\"_all\"} > 1000 and"
                    + " deriv(memory_pending{tenant!=\"_all\"}[10m]) > 0"))
        .containsExactly("memory_pending", "outbox_messages_pending");
  }

  @Test
  void histogramSuffixesAndGrafanaVariablesAreKeptAndDropped() {
    assertThat(
            PromQlMetricNames.of(
                "histogram_quantile(0.99, sum by (le)"
                    + " (rate(outbox_publish_latency_seconds_bucket[$__rate_interval])))"))
        .containsExactly("outbox_publish_latency_seconds_bucket");
    assertThat(PromQlMetricNames.of("circuit_state{tenant=~\"$tenant\"} == 2"))
        .containsExactly("circuit_state");
  }

  @Test
  void numbersInScientificNotationAreNotNames() {
    assertThat(PromQlMetricNames.of("memory_sync_lag_seconds > 9e2"))
        .containsExactly("memory_sync_lag_seconds");
  }
}
