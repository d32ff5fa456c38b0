package dev.soma.resilience.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApiKeyTest {

  @Test
  void aGeneratedKeyParsesBackAndMatchesOnlyItsOwnHash() {
    ApiKey key = ApiKey.generate();

    ApiKey parsed = ApiKey.parse(key.token()).orElseThrow();

    assertThat(parsed).isEqualTo(key);
    assertThat(parsed.matches(key.secretHash())).isTrue();
    assertThat(parsed.matches(ApiKey.generate().secretHash())).isFalse();
  }

  @Test
  void keysAreNeverEqualAndNeverPrintTheirSecret() {
    ApiKey a = ApiKey.generate();
    ApiKey b = ApiKey.generate();

    assertThat(a.token()).isNotEqualTo(b.token());
    assertThat(a.toString()).doesNotContain(a.secret()).contains(a.id());
  }

  @Test
  void somethingThatIsNotOurKeyFormatDoesNotParse() {
    assertThat(ApiKey.parse(null)).isEmpty();
    assertThat(ApiKey.parse("")).isEmpty();
    assertThat(ApiKey.parse("Bearer abc")).isEmpty();
    assertThat(ApiKey.parse("soma_xyz_short")).isEmpty();
  }
}
