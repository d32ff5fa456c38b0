package dev.soma.resilience.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The LLM providers, the fallback chains per use case, the timeouts and the breakers' settings
 * (keys under {@code llm.}; see docs/FAILOVER.md). A provider whose {@code apiKey} is empty is "not
 * configured": chains skip it.
 *
 * @param providers by name: {@code openai}, {@code anthropic}, {@code openrouter}, {@code deepseek}
 * @param chains per use case, the links in the order they are tried
 * @param connectTimeout TCP connect to a provider
 * @param requestTimeout a non-streaming call's whole answer
 * @param firstTokenTimeout a streaming call's first token (from sending the request)
 * @param betweenTokensTimeout the longest silence between two chunks of a stream
 * @param deadline a request's overall deadline when the caller gives none
 * @param defaultMaxTokens {@code max_tokens} when the caller gives none (Anthropic requires one)
 * @param breakerFailureThreshold consecutive failures that open a provider's breaker
 * @param breakerReset how long an open breaker waits before a trial call
 * @param maxRecoveryWait when every link of a chain is open, the longest a request waits for the
 *     soonest to recover before it fails with 503 (also never past its deadline); zero never waits
 * @param probeInterval how often an open provider is probed by listing its models (never a
 *     completion); zero disables probing
 * @throws ConfigException when there is no chain, a chain is empty or names a provider not in
 *     {@code providers}, a count is below 1, a duration is not positive, or {@code maxRecoveryWait}
 *     or {@code probeInterval} is negative
 */
public record LlmConfig(
    Map<String, Provider> providers,
    Map<String, List<Link>> chains,
    Duration connectTimeout,
    Duration requestTimeout,
    Duration firstTokenTimeout,
    Duration betweenTokensTimeout,
    Duration deadline,
    int defaultMaxTokens,
    int breakerFailureThreshold,
    Duration breakerReset,
    Duration maxRecoveryWait,
    Duration probeInterval) {

  /** The providers this service can speak to, with the wire format each one uses. */
  public static final Map<String, Format> KNOWN_PROVIDERS =
      Map.of(
          "openai", Format.OPENAI_CHAT,
          "anthropic", Format.ANTHROPIC_MESSAGES,
          "openrouter", Format.OPENAI_CHAT,
          "deepseek", Format.OPENAI_CHAT);

  /** The wire format a provider speaks (docs: ../shared/contracts/providers.md). */
  public enum Format {
    OPENAI_CHAT,
    ANTHROPIC_MESSAGES
  }

  /**
   * One provider's endpoint. {@link #toString()} never shows the key.
   *
   * @param name the provider's name, also its metric label
   * @param baseUrl without the {@code /v1/...} path
   * @param apiKey secret; empty when the provider is not configured
   * @param extraHeaders sent with every request (OpenRouter's {@code HTTP-Referer}, {@code
   *     X-Title})
   */
  public record Provider(
      String name, Format format, URI baseUrl, String apiKey, Map<String, String> extraHeaders) {

    public Provider {
      Require.nonEmpty("llm.<provider>.name", name);
      Require.present("llm." + name + ".format", format);
      Require.present("llm." + name + ".baseUrl", baseUrl);
      Require.present("llm." + name + ".apiKey", apiKey);
      Require.present("llm." + name + ".extraHeaders", extraHeaders);
    }

    public boolean configured() {
      return !apiKey.isEmpty();
    }

    @Override
    public String toString() {
      return name
          + "("
          + format
          + ", "
          + baseUrl
          + ", "
          + (configured() ? "key set" : "not configured")
          + ")";
    }
  }

  /** One link of a chain: a provider and the model to ask it for. */
  public record Link(String provider, String model) {
    public Link {
      Require.nonEmpty("llm.chains.<useCase>.provider", provider);
      Require.nonEmpty("llm.chains.<useCase>.model", model);
    }

    @Override
    public String toString() {
      return provider + ":" + model;
    }
  }

  public LlmConfig {
    Require.present("llm.providers", providers);
    Require.present("llm.chains", chains);
    if (chains.isEmpty()) {
      throw ConfigException.invalid("llm.chains", "{}", "at least one use case");
    }
    chains.forEach(
        (useCase, links) -> {
          if (links.isEmpty()
              || !links.stream().allMatch(l -> providers.containsKey(l.provider()))) {
            throw ConfigException.invalidSetting(
                "llm.chains." + useCase,
                links,
                "one or more provider:model links, each provider one of "
                    + String.join(", ", providers.keySet()));
          }
        });
    Require.positive("llm.connectTimeoutMs", connectTimeout);
    Require.positive("llm.requestTimeoutMs", requestTimeout);
    Require.positive("llm.firstTokenTimeoutMs", firstTokenTimeout);
    Require.positive("llm.betweenTokensTimeoutMs", betweenTokensTimeout);
    Require.positive("llm.deadlineMs", deadline);
    Require.atLeast("llm.defaultMaxTokens", defaultMaxTokens, 1);
    ChainLimits.requireBreaker("llm", breakerFailureThreshold, breakerReset);
    Require.notNegative("llm.maxRecoveryWaitMs", maxRecoveryWait);
    Require.notNegative("llm.probeIntervalMs", probeInterval);
  }

  static LlmConfig from(Settings s) {
    Map<String, Provider> providers = new LinkedHashMap<>();
    for (String name : List.of("openai", "anthropic", "openrouter", "deepseek")) {
      providers.put(name, provider(s, name));
    }
    Map<String, List<Link>> chains = new LinkedHashMap<>();
    for (String useCase : s.fieldNames("llm.chains")) {
      chains.put(useCase, chain(s, "llm.chains." + useCase, providers));
    }
    return new LlmConfig(
        Map.copyOf(providers),
        Map.copyOf(chains),
        s.duration("llm.connectTimeoutMs", 1, 600_000),
        s.duration("llm.requestTimeoutMs", 1, 3_600_000),
        s.duration("llm.firstTokenTimeoutMs", 1, 3_600_000),
        s.duration("llm.betweenTokensTimeoutMs", 1, 3_600_000),
        s.duration("llm.deadlineMs", 1, 3_600_000),
        s.intIn("llm.defaultMaxTokens", 1, 1_000_000),
        s.intIn("llm.breakerFailureThreshold", 1, 1000),
        s.duration("llm.breakerResetMs", 1, 86_400_000),
        s.duration("llm.maxRecoveryWaitMs", 0, 600_000),
        s.duration("llm.probeIntervalMs", 0, 3_600_000));
  }

  private static Provider provider(Settings s, String name) {
    String prefix = "llm." + name + ".";
    String trimmed = s.httpUrl(prefix + "baseUrl").toString().replaceAll("/+$", "");
    Map<String, String> headers = new LinkedHashMap<>();
    if (!s.string(prefix + "referer").isEmpty()) {
      headers.put("HTTP-Referer", s.string(prefix + "referer"));
    }
    if (!s.string(prefix + "title").isEmpty()) {
      headers.put("X-Title", s.string(prefix + "title"));
    }
    return new Provider(
        name,
        KNOWN_PROVIDERS.get(name),
        URI.create(trimmed),
        s.string(prefix + "apiKey"),
        Map.copyOf(headers));
  }

  private static List<Link> chain(Settings s, String path, Map<String, Provider> providers) {
    String raw = s.string(path);
    String expected =
        "a comma-separated list of provider:model with provider one of "
            + String.join(", ", providers.keySet());
    List<Link> links = new ArrayList<>();
    for (String part : raw.split(",")) {
      String entry = part.trim();
      int colon = entry.indexOf(':');
      if (colon <= 0
          || colon == entry.length() - 1
          || !providers.containsKey(entry.substring(0, colon))) {
        throw ConfigException.invalidSetting(path, raw, expected);
      }
      links.add(new Link(entry.substring(0, colon), entry.substring(colon + 1)));
    }
    return List.copyOf(links);
  }

  /** The provider of {@code link}. */
  public Provider provider(Link link) {
    return providers.get(link.provider());
  }

  /** The chain of {@code useCase}, if there is one. */
  public Optional<List<Link>> chain(String useCase) {
    return Optional.ofNullable(chains.get(useCase));
  }
}
