package dev.soma.resilience.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.soma.resilience.config.DegradationConfig.Thresholds;
import dev.soma.resilience.config.OutboxConfig.TenantQuota;
import dev.soma.resilience.config.ServiceConfig.SessionConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Config records check themselves in their canonical constructors: an invalid one cannot be built
 * by {@code new} any more than by the loader, and the message names the variable, the value and
 * what was expected.
 */
class ConfigRecordsTest {

  private static final ServiceConfig DEFAULTS = ServiceConfig.load(Map.of());

  @Test
  void anOutboxConfigWithABatchSizeOfZeroCannotBeBuilt() {
    assertThatThrownBy(() -> outbox(0, Duration.ofMillis(200), DEFAULTS.outbox().tenantQuota()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("SA01_OUTBOX_BATCH_SIZE must be at least 1, but was '0'");
  }

  @Test
  void anOutboxConfigThatNeverPollsCannotBeBuilt() {
    assertThatThrownBy(() -> outbox(500, Duration.ZERO, DEFAULTS.outbox().tenantQuota()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("SA01_OUTBOX_POLL_INTERVAL_MS must be positive, but was '0'");
  }

  @Test
  void anOutboxConfigWithoutATenantQuotaCannotBeBuilt() {
    assertThatThrownBy(() -> outbox(500, Duration.ofMillis(200), null))
        .isInstanceOf(ConfigException.class)
        .hasMessage("SA01_OUTBOX_TENANT_QUOTA must be set, but was 'null'");
  }

  @Test
  void aTenantQuotaWithAnEmptyWindowCannotBeBuilt() {
    assertThatThrownBy(() -> new TenantQuota(true, 10, Duration.ofSeconds(-1)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("SA01_OUTBOX_TENANT_QUOTA_WINDOW_SECONDS must be positive, but was '-1'");
  }

  @Test
  void anAdminTokenShorterThanSixteenCharactersIsRefusedWithoutBeingShown() {
    ApiConfig api = DEFAULTS.api();

    assertThatThrownBy(
            () ->
                new ApiConfig(
                    api.maxBodyBytes(),
                    api.maxUploadBytes(),
                    api.rateLimitPerSecond(),
                    api.rateLimitBurst(),
                    api.rateLimitRedisTimeout(),
                    api.backlogLimit(),
                    api.idempotencyAbandonAfter(),
                    api.keyRecheck(),
                    api.keyGrace(),
                    new Secret("hunter2")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("SA01_ADMIN_TOKEN must be at least 16 characters, but was '****'");
  }

  @Test
  void aMemoryConfigWithAnUnknownWriteModeCannotBeBuilt() {
    MemoryConfig m = DEFAULTS.memory();

    assertThatThrownBy(
            () ->
                new MemoryConfig(
                    m.somabrainToken(),
                    m.namespace(),
                    m.requestTimeout(),
                    m.breaker(),
                    "eventually",
                    m.autoTimeout(),
                    m.syncBatchSize(),
                    m.syncInterval(),
                    m.syncConcurrentTenants(),
                    m.maxAttempts(),
                    m.lease(),
                    m.backoffInitial(),
                    m.backoffMax()))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "SA01_MEMORY_WRITE_MODE must be one of sync, async, auto, but was 'eventually'");
  }

  @Test
  void thresholdsWhoseLatenciesDecreaseCannotBeBuilt() {
    assertThatThrownBy(
            () ->
                new Thresholds(
                    5,
                    2,
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(9),
                    0.1,
                    0.2))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "SA01_DEGRADATION_SEVERE_LATENCY_MS must be at least degradation.moderateLatencyMs"
                + " (10000), but was '9000'");
  }

  @Test
  void thresholdsWithASevereErrorRateBelowTheModerateOneCannotBeBuilt() {
    assertThatThrownBy(
            () ->
                new Thresholds(
                    5,
                    2,
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(15),
                    0.2,
                    0.1))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("SA01_DEGRADATION_SEVERE_ERROR_RATE_PERCENT must be from the");
  }

  @Test
  void aDegradationConfigWithAnInvalidTopicCannotBeBuilt() {
    DegradationConfig d = DEFAULTS.degradation();

    assertThatThrownBy(
            () ->
                new DegradationConfig(
                    d.probeInterval(),
                    d.probeTimeout(),
                    d.evaluationInterval(),
                    d.window(),
                    d.thresholds(),
                    d.suppressionWindow(),
                    d.historySize(),
                    "no spaces allowed",
                    d.eventsTenant(),
                    d.criticalServices(),
                    d.extraDependencies(),
                    d.graph(),
                    d.viewResync()))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "SA01_DEGRADATION_EVENTS_TOPIC must be a Kafka topic name, but was 'no spaces allowed'");
  }

  @Test
  void aKafkaConfigWhoseDeliveryTimeoutCannotCoverARequestCannotBeBuilt() {
    assertThatThrownBy(() -> kafka(Optional.empty(), 3000, 5000))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "SA01_KAFKA_DELIVERY_TIMEOUT_MS must be at least kafka.requestTimeoutMs +"
                + " kafka.lingerMs (5005), but was '3000'");
  }

  @Test
  void aKafkaConfigWithBootstrapServersWithoutPortsCannotBeBuilt() {
    assertThatThrownBy(() -> kafka(Optional.of("kafka"), 30_000, 5000))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("SA01_KAFKA_BOOTSTRAP_SERVERS must be host:port");
  }

  @Test
  void anLlmConfigWithoutChainsCannotBeBuilt() {
    assertThatThrownBy(() -> llm(Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("llm.chains must be at least one use case, but was '{}'");
  }

  @Test
  void anLlmChainThroughAnUnknownProviderCannotBeBuilt() {
    assertThatThrownBy(() -> llm(Map.of("chat", List.of(new LlmConfig.Link("mistral", "tiny")))))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("SA01_LLM_CHAINS_CHAT must be one or more provider:model links");
  }

  @Test
  void aKokoroSpeedOutsideHalfToDoubleCannotBeBuilt() {
    assertThatThrownBy(() -> new AudioConfig.Kokoro(Optional.empty(), "af_heart", 3))
        .isInstanceOf(ConfigException.class)
        .hasMessage("SA01_AUDIO_KOKORO_SPEED must be a number from 0.5 to 2.0, but was '3.0'");
  }

  @Test
  void aSessionThatExpiresAtOnceCannotBeBuilt() {
    assertThatThrownBy(() -> new SessionConfig(20, Duration.ZERO, 1000))
        .isInstanceOf(ConfigException.class)
        .hasMessage("SA01_SESSION_TTL_SECONDS must be positive, but was '0'");
  }

  @Test
  void aRetentionShorterThanAnHourCannotBeBuilt() {
    Duration day = Duration.ofDays(1);

    assertThatThrownBy(() -> new RetentionConfig(day, day, day, Duration.ofMinutes(59), day))
        .isInstanceOf(ConfigException.class)
        .hasMessage("SA01_RETENTION_UPLOAD_COMPLETION_HOURS must be at least 1 hour, but was '0'");
  }

  @Test
  void aServiceConfigOnAPortAbove65535CannotBeBuilt() {
    ServiceConfig c = DEFAULTS;

    assertThatThrownBy(
            () ->
                new ServiceConfig(
                    c.dataDir(),
                    c.httpHost(),
                    70_000,
                    c.httpInstances(),
                    c.database(),
                    c.kafka(),
                    c.redisUrl(),
                    c.somabrainUrl(),
                    c.temporalHost(),
                    c.outbox(),
                    c.idempotency(),
                    c.api(),
                    c.memory(),
                    c.session(),
                    c.degradation(),
                    c.audio(),
                    c.storage(),
                    c.llm(),
                    c.retention(),
                    c.journal(),
                    c.node()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("SA01_HTTP_PORT must be from 0 to 65535, but was '70000'");
  }

  private static OutboxConfig outbox(int batchSize, Duration poll, TenantQuota quota) {
    OutboxConfig o = DEFAULTS.outbox();
    return new OutboxConfig(
        batchSize,
        o.maxInFlightBatches(),
        o.concurrentClaims(),
        poll,
        o.lease(),
        o.backoffInitial(),
        o.backoffMax(),
        o.kafkaDownBackoffMax(),
        o.retention(),
        o.cleanupInterval(),
        o.pendingGaugeInterval(),
        quota,
        o.replay());
  }

  private static KafkaConfig kafka(Optional<String> servers, int deliveryMs, int requestMs) {
    KafkaConfig k = DEFAULTS.kafka();
    return new KafkaConfig(
        servers,
        k.embeddedPort(),
        k.compressionType(),
        5,
        k.batchSizeBytes(),
        deliveryMs,
        requestMs,
        k.maxBlockMs(),
        k.maxRequestSizeBytes(),
        k.security());
  }

  private static LlmConfig llm(Map<String, List<LlmConfig.Link>> chains) {
    LlmConfig l = DEFAULTS.llm();
    return new LlmConfig(
        l.providers(),
        chains,
        l.connectTimeout(),
        l.requestTimeout(),
        l.firstTokenTimeout(),
        l.betweenTokensTimeout(),
        l.deadline(),
        l.defaultMaxTokens(),
        l.breakerFailureThreshold(),
        l.breakerReset(),
        l.maxRecoveryWait(),
        l.probeInterval());
  }
}
