package dev.soma.resilience.failover.audio.internal;

import dev.soma.resilience.failover.chain.Link;
import dev.soma.resilience.failover.chain.ProviderFailure;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * What every audio provider link shares: its name, whether it is configured, the {@link AudioHttp}
 * it calls through, and reading a JSON or an audio answer. A subclass says how it asks and what it
 * reads.
 */
abstract class AudioLink<Q, R> implements Link<Q, R> {

  private final String name;
  private final boolean configured;
  final AudioHttp http;

  AudioLink(String name, boolean configured, AudioHttp http) {
    this.name = name;
    this.configured = configured;
    this.http = http;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final boolean configured() {
    return configured;
  }

  /** Audio calls have the chain's own timeout, not a deadline. */
  @Override
  public final Future<R> call(Q request, Optional<Duration> left) {
    return call(request);
  }

  abstract Future<R> call(Q request);

  /** The 2xx answer of {@code sent}, else its failure. */
  final Future<HttpResponse<Buffer>> answered(Future<HttpResponse<Buffer>> sent) {
    return sent.map(response -> http.require2xx(name, response));
  }

  /** The audio of {@code sent}'s 2xx answer, else its failure (every TTS link answers so). */
  final Future<SynthesizedAudio> audio(Future<HttpResponse<Buffer>> sent) {
    return answered(sent).map(response -> SynthesizedAudio.from(name, response));
  }

  /**
   * The string {@code read} finds in a JSON answer, else a malformed answer missing {@code what}.
   */
  final String text(HttpResponse<Buffer> response, Function<JsonObject, Object> read, String what) {
    try {
      if (read.apply(new JsonObject(response.body())) instanceof String text) {
        return text;
      }
    } catch (RuntimeException e) {
      // reported below
    }
    throw ProviderFailure.malformed(name, "no " + what);
  }
}
