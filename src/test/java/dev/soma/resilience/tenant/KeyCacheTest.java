package dev.soma.resilience.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyCacheTest {

  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-06T10:00:00Z"));
  private final KeyCache cache = new KeyCache(clock, Duration.ofMinutes(15), 2);
  private final ApiKey key = ApiKey.generate();

  @Test
  void aKeyReadValidIsAnsweredFromTheCache() {
    cache.remember(key, "acme");

    assertThat(cache.tenantOf(key)).hasValue("acme");
  }

  @Test
  void aKeyWithTheSameIdButAnotherSecretIsNotAnswered() {
    cache.remember(key, "acme");

    assertThat(cache.tenantOf(new ApiKey(key.id(), ApiKey.generate().secret()))).isEmpty();
  }

  @Test
  void anEntryIsTrustedForTheGraceAfterItWasReadAndNoLonger() {
    cache.remember(key, "acme");

    clock.advance(Duration.ofMinutes(15));
    assertThat(cache.tenantOf(key)).hasValue("acme");
    clock.advance(Duration.ofSeconds(1));
    assertThat(cache.tenantOf(key)).isEmpty();
  }

  @Test
  void aSuccessfulCheckConfirmsEveryEntryAsOfItsStart() {
    cache.remember(key, "acme");
    clock.advance(Duration.ofMinutes(10));
    cache.confirm(clock.instant(), List.of());

    clock.advance(Duration.ofMinutes(14));

    assertThat(cache.tenantOf(key)).hasValue("acme");
  }

  @Test
  void aCheckEvictsTheKeysRevokedSinceAndAnOlderCheckNeverMovesConfirmationBack() {
    ApiKey other = ApiKey.generate();
    cache.remember(key, "acme");
    cache.remember(other, "acme");
    Instant earlier = clock.instant();
    clock.advance(Duration.ofMinutes(5));

    cache.confirm(clock.instant(), List.of(key.id()));
    cache.confirm(earlier, List.of());

    assertThat(cache.tenantOf(key)).isEmpty();
    assertThat(cache.lastConfirmed()).isEqualTo(clock.instant());
  }

  @Test
  void aForgottenKeyIsGoneAtOnce() {
    cache.remember(key, "acme");

    cache.forget(key.id());

    assertThat(cache.tenantOf(key)).isEmpty();
  }

  @Test
  void aFullCacheRemembersNoNewKeyButStillRefreshesItsOwn() {
    ApiKey second = ApiKey.generate();
    ApiKey third = ApiKey.generate();
    cache.remember(key, "a");
    cache.remember(second, "b");

    cache.remember(third, "c");
    clock.advance(Duration.ofMinutes(10));
    cache.remember(key, "a");
    clock.advance(Duration.ofMinutes(10));

    assertThat(cache.tenantOf(third)).isEmpty();
    assertThat(cache.tenantOf(key)).hasValue("a");
    assertThat(cache.tenantOf(second)).isEmpty();
  }

  @Test
  void withNoGraceOrCapacityNothingIsEverAnsweredFromTheCache() {
    KeyCache none = new KeyCache(clock, Duration.ZERO, 0);

    none.remember(key, "acme");

    assertThat(none.tenantOf(key)).isEmpty();
  }
}
