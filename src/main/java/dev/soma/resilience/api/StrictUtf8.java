package dev.soma.resilience.api;

import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The API's one reading of UTF-8: bytes that are not UTF-8 (a stray continuation byte, an overlong
 * form, an encoded surrogate) are an error, never replaced or read as another character. Request
 * bodies, percent-decoded paths and queries, and WebSocket text messages all go through it.
 */
final class StrictUtf8 {

  private StrictUtf8() {}

  /** A new decoder that reports what is not UTF-8 (decoders keep state: one per use). */
  static CharsetDecoder decoder() {
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
  }
}
