package dev.soma.resilience.config;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The whole service configuration, parsed and validated once at start-up. An empty optional means
 * "not configured": for PostgreSQL and Kafka that selects the embedded servers.
 *
 * @param dataDir where the embedded servers keep their data between runs
 * @param httpHost the address the API listens on ({@code SA01_HTTP_HOST}; {@code 0.0.0.0} is every
 *     IPv4 interface, {@code ::} every interface, {@code 127.0.0.1} this machine only)
 * @param httpPort the API's port ({@code SA01_HTTP_PORT})
 * @param httpInstances HTTP verticle instances sharing the port ({@code SA01_HTTP_INSTANCES}; 0 in
 *     the file means one per processor)
 * @param database PostgreSQL ({@code SA01_DATABASE_URL} and pool settings)
 * @param kafka Kafka ({@code SA01_KAFKA_BOOTSTRAP_SERVERS} and producer settings)
 * @param redisUrl Redis ({@code SA01_REDIS_URL})
 * @param somabrainUrl SomaBrain's base URL ({@code SA01_SOMABRAIN_URL})
 * @param temporalHost the workflow engine's {@code host:port} ({@code SA01_TEMPORAL_HOST})
 * @param outbox the relay's settings
 * @param idempotency how long consumer and request idempotency records are kept
 * @param api the agent API's limits and the admin credential
 * @param memory SomaBrain and the pending-memory queue
 * @param session the session context kept in Redis
 * @param degradation the degradation monitor's probes, thresholds, graph and events
 * @param audio the TTS and STT failover chains
 * @param storage the storage failover chain and its upload queue
 * @param llm the LLM providers and fallback chains ({@code SA01_LLM_*})
 * @param retention how long each table that only records the past keeps its rows ({@code
 *     SA01_RETENTION_*})
 * @param journal the local journal for writes while PostgreSQL is unreachable ({@code
 *     SA01_JOURNAL_*})
 * @param node what this node runs and how it joins the others ({@code SA01_ROLES}, {@code
 *     SA01_CLUSTER_*})
 * @throws ConfigException when a part is missing, the port is outside 0-65535 or no HTTP instance
 *     is asked for
 */
public record ServiceConfig(
    Path dataDir,
    String httpHost,
    int httpPort,
    int httpInstances,
    DatabaseConfig database,
    KafkaConfig kafka,
    Optional<URI> redisUrl,
    Optional<URI> somabrainUrl,
    Optional<String> temporalHost,
    OutboxConfig outbox,
    IdempotencyConfig idempotency,
    ApiConfig api,
    MemoryConfig memory,
    SessionConfig session,
    DegradationConfig degradation,
    AudioConfig audio,
    StorageConfig storage,
    LlmConfig llm,
    RetentionConfig retention,
    JournalConfig journal,
    NodeConfig node) {

  public ServiceConfig {
    Require.present("dataDir", dataDir);
    Require.nonEmpty("http.host", httpHost);
    Require.between("http.port", httpPort, 0, 65535);
    Require.atLeast("http.instances", httpInstances, 1);
    Require.present("database", database);
    Require.present("kafka", kafka);
    Require.present("redis.url", redisUrl);
    Require.present("somabrain.url", somabrainUrl);
    Require.present("temporal.host", temporalHost);
    Require.present("outbox", outbox);
    Require.present("idempotency", idempotency);
    Require.present("api", api);
    Require.present("memory", memory);
    Require.present("session", session);
    Require.present("degradation", degradation);
    Require.present("retention", retention);
    Require.present("journal", journal);
    Require.present("node", node);
    Require.present("audio", audio);
    Require.present("storage", storage);
    Require.present("llm", llm);
  }

  private static int instancesOrProcessors(int configured) {
    return configured > 0 ? configured : Runtime.getRuntime().availableProcessors();
  }

  /** The log level, read by logback itself ({@code logback.xml}) from the environment. */
  public static final String LOG_LEVEL = "SA01_LOG_LEVEL";

  private static final List<String> LOG_LEVELS =
      List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

  /**
   * Loads defaults, {@code SA01_CONFIG_FILE} and the environment; throws {@link ConfigException}.
   */
  public static ServiceConfig load(Map<String, String> env) {
    checkLogLevel(env.get(LOG_LEVEL));
    return from(ConfigSource.load(env));
  }

  /**
   * Logback reads {@value #LOG_LEVEL} before any code runs and takes a value it does not know for
   * DEBUG without a word: refuse it here, with every other setting.
   */
  static void checkLogLevel(String level) {
    if (level != null && !LOG_LEVELS.contains(level.toUpperCase(Locale.ROOT))) {
      throw ConfigException.invalid(
          LOG_LEVEL, level, "one of " + String.join(", ", LOG_LEVELS) + " (unset: INFO)");
    }
  }

  /** Validates a raw tree (as produced by {@link ConfigSource#load}). */
  public static ServiceConfig from(JsonObject tree) {
    Settings s = new Settings(tree);
    String dataDir = s.string("dataDir");
    if (dataDir.isEmpty()) {
      throw ConfigException.invalidSetting("dataDir", dataDir, "a directory path");
    }
    String temporal = s.string("temporal.host");
    if (!temporal.isEmpty() && !Settings.isHostPorts(temporal, false)) {
      throw ConfigException.invalidSetting(
          "temporal.host", temporal, "host:port with a port from 1 to 65535");
    }
    String host = s.string("http.host");
    if (!Settings.isHost(host)) {
      throw ConfigException.invalidSetting(
          "http.host",
          host,
          "a host name or IP address to listen on, such as 0.0.0.0, :: or 127.0.0.1");
    }
    KafkaConfig kafka = KafkaConfig.from(s);
    Optional<URI> redis = s.url("redis.url", "redis", "rediss");
    return new ServiceConfig(
        Path.of(dataDir),
        host,
        s.intIn("http.port", 0, 65535),
        instancesOrProcessors(s.intIn("http.instances", 0, 256)),
        DatabaseConfig.from(s),
        kafka,
        redis,
        s.url("somabrain.url", "http", "https"),
        temporal.isEmpty() ? Optional.empty() : Optional.of(temporal),
        OutboxConfig.from(s).validatedAgainst(kafka),
        IdempotencyConfig.from(s),
        ApiConfig.from(s),
        MemoryConfig.from(s),
        new SessionConfig(
            s.intIn("session.maxTurns", 1, 10_000),
            s.duration("session.ttlSeconds", 1, 30 * 86_400),
            s.intIn("session.maxLocalSessions", 1, 10_000_000)),
        DegradationConfig.from(s),
        AudioConfig.from(s),
        StorageConfig.from(s, Path.of(dataDir), redis),
        LlmConfig.from(s),
        RetentionConfig.from(s),
        JournalConfig.from(s, Path.of(dataDir)),
        NodeConfig.from(s));
  }

  /** Recent turns per session, in Redis (in process memory while Redis is down). */
  public record SessionConfig(int maxTurns, Duration ttl, int maxLocalSessions) {
    public SessionConfig {
      Require.atLeast("session.maxTurns", maxTurns, 1);
      Require.positive("session.ttlSeconds", ttl);
      Require.atLeast("session.maxLocalSessions", maxLocalSessions, 1);
    }
  }
}
