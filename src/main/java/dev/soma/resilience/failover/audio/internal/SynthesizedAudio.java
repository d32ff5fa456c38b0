package dev.soma.resilience.failover.audio.internal;

import dev.soma.resilience.failover.chain.ProviderFailure;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;

/** Audio bytes as a TTS provider returned them, with their media type. */
public record SynthesizedAudio(byte[] bytes, String contentType) {

  /** The body of a 2xx TTS answer, refusing one that is empty or not audio (malformed). */
  static SynthesizedAudio from(String provider, HttpResponse<Buffer> response) {
    String type = response.getHeader("Content-Type");
    Buffer body = response.body();
    if (type == null
        || !(type.startsWith("audio/") || type.startsWith("application/octet-stream"))) {
      throw ProviderFailure.malformed(provider, "content type " + type + " is not audio");
    }
    if (body == null || body.length() == 0) {
      throw ProviderFailure.malformed(provider, "empty audio");
    }
    return new SynthesizedAudio(body.getBytes(), type);
  }
}
