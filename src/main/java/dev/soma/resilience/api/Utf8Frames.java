package dev.soma.resilience.api;

import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;

/**
 * Checks that a WebSocket's text messages are UTF-8, frame by frame, as RFC 6455 (8.1) requires: a
 * text message whose bytes are not UTF-8 must fail the connection (1007). Vert.x sets up no such
 * check and decodes the bytes with replacement characters, which would change what the client sent.
 * A character may be split between two frames of a message: its first bytes wait for the next
 * frame. Not thread-safe: one socket's frames, on its context.
 */
final class Utf8Frames {

  private final CharsetDecoder decoder = StrictUtf8.decoder();
  private final CharBuffer decoded = CharBuffer.allocate(4096);
  private ByteBuffer waiting = ByteBuffer.allocate(0);
  private boolean inText;
  private boolean broken;

  /** Takes a data frame of the socket; false once a text message's bytes were not UTF-8. */
  boolean accept(WebSocketFrame frame) {
    if (broken) {
      return false;
    }
    if (frame.type() == WebSocketFrameType.TEXT) {
      decoder.reset();
      waiting = ByteBuffer.allocate(0);
      inText = true;
    } else if (frame.type() != WebSocketFrameType.CONTINUATION || !inText) {
      inText = inText && frame.type() != WebSocketFrameType.BINARY;
      return true;
    }
    byte[] bytes = frame.binaryData().getBytes();
    // the usual case, nothing waiting from the frame before: no second copy
    ByteBuffer in =
        waiting.hasRemaining()
            ? ByteBuffer.allocate(waiting.remaining() + bytes.length).put(waiting).put(bytes).flip()
            : ByteBuffer.wrap(bytes);
    broken = !decodes(in, frame.isFinal());
    waiting = frame.isFinal() ? ByteBuffer.allocate(0) : in.slice();
    inText = !frame.isFinal();
    return !broken;
  }

  /** Whether no text message so far was refused: a message may be handled. */
  boolean intact() {
    return !broken;
  }

  /** Decodes {@code in}, leaving an incomplete last character in it unless {@code last}. */
  private boolean decodes(ByteBuffer in, boolean last) {
    while (true) {
      decoded.clear();
      var result = decoder.decode(in, decoded, last);
      if (result.isError()) {
        return false;
      }
      if (result.isUnderflow()) {
        return true;
      }
    }
  }
}
