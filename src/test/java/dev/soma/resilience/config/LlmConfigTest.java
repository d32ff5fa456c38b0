package dev.soma.resilience.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LlmConfigTest {

  @Test
  void theDefaultsAreTheSeedsChainsWithNoProviderConfigured() {
    LlmConfig llm = ServiceConfig.load(Map.of()).llm();

    assertThat(llm.chain("chat"))
        .contains(
            List.of(
                new LlmConfig.Link("openai", "gpt-4o"),
                new LlmConfig.Link("anthropic", "claude-3-5-sonnet"),
                new LlmConfig.Link("openrouter", "qwen/qwen-2.5-72b-instruct")));
    assertThat(llm.chain("coding").orElseThrow())
        .extracting(LlmConfig.Link::toString)
        .containsExactly(
            "anthropic:claude-3-5-sonnet", "openai:gpt-4o", "openrouter:deepseek/deepseek-coder");
    assertThat(llm.chain("fast").orElseThrow())
        .extracting(LlmConfig.Link::toString)
        .containsExactly(
            "openai:gpt-4o-mini",
            "anthropic:claude-3-haiku",
            "openrouter:meta-llama/llama-3.1-8b-instruct");
    assertThat(llm.providers().values()).noneMatch(LlmConfig.Provider::configured);
    assertThat(llm.providers().get("openai").baseUrl())
        .isEqualTo(URI.create("https://api.openai.com"));
    assertThat(llm.providers().get("anthropic").format())
        .isEqualTo(LlmConfig.Format.ANTHROPIC_MESSAGES);
    assertThat(llm.breakerFailureThreshold()).isEqualTo(3);
    assertThat(llm.breakerReset()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void providersChainsAndTimeoutsComeFromSa01Variables() {
    LlmConfig llm =
        ServiceConfig.load(
                Map.of(
                    "SA01_LLM_OPENAI_API_KEY", "sk-secret-123",
                    "SA01_LLM_OPENAI_BASE_URL", "http://localhost:11434/",
                    "SA01_LLM_OPENROUTER_REFERER", "https://soma.dev",
                    "SA01_LLM_CHAINS_CHAT", " deepseek:deepseek-chat , openai:llama3 ",
                    "SA01_LLM_FIRST_TOKEN_TIMEOUT_MS", "1500",
                    "SA01_LLM_BREAKER_RESET_MS", "500"))
            .llm();

    LlmConfig.Provider openai = llm.providers().get("openai");
    assertThat(openai.configured()).isTrue();
    assertThat(openai.baseUrl()).isEqualTo(URI.create("http://localhost:11434"));
    assertThat(llm.providers().get("openrouter").extraHeaders())
        .containsEntry("HTTP-Referer", "https://soma.dev");
    assertThat(llm.chain("chat").orElseThrow())
        .extracting(LlmConfig.Link::toString)
        .containsExactly("deepseek:deepseek-chat", "openai:llama3");
    assertThat(llm.firstTokenTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(llm.breakerReset()).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void anApiKeyNeverShowsInToString() {
    LlmConfig llm = ServiceConfig.load(Map.of("SA01_LLM_OPENAI_API_KEY", "sk-secret-123")).llm();

    assertThat(llm.toString()).doesNotContain("sk-secret-123").contains("key set");
    assertThat(llm.providers().get("openai").toString()).doesNotContain("sk-secret-123");
  }

  @Test
  void aChainLinkWithAnUnknownProviderFailsWithTheVariableName() {
    assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_LLM_CHAINS_FAST", "mistral:tiny")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SA01_LLM_CHAINS_FAST")
        .hasMessageContaining("mistral:tiny")
        .hasMessageContaining("provider:model");
  }

  @Test
  void aBaseUrlThatIsNotHttpFails() {
    assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_LLM_ANTHROPIC_BASE_URL", "ftp://x")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SA01_LLM_ANTHROPIC_BASE_URL");
  }

  @Test
  void aRequestWaitsAtMostTwoSecondsForAnOpenLinkAndOpenProvidersAreProbedEveryFive() {
    LlmConfig llm = ServiceConfig.load(Map.of()).llm();

    assertThat(llm.maxRecoveryWait()).isEqualTo(Duration.ofSeconds(2));
    assertThat(llm.probeInterval()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void theRecoveryWaitAndProbeIntervalComeFromSa01VariablesAndZeroIsAllowed() {
    LlmConfig llm =
        ServiceConfig.load(
                Map.of("SA01_LLM_MAX_RECOVERY_WAIT_MS", "0", "SA01_LLM_PROBE_INTERVAL_MS", "0"))
            .llm();

    assertThat(llm.maxRecoveryWait()).isZero();
    assertThat(llm.probeInterval()).isZero();
  }

  @Test
  void aNegativeRecoveryWaitOrProbeIntervalFailsWithTheVariableName() {
    assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_LLM_MAX_RECOVERY_WAIT_MS", "-1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SA01_LLM_MAX_RECOVERY_WAIT_MS");
    assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_LLM_PROBE_INTERVAL_MS", "-5")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SA01_LLM_PROBE_INTERVAL_MS");
  }
}
