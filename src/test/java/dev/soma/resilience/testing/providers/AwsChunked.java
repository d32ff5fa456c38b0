package dev.soma.resilience.testing.providers;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Decodes an {@code aws-chunked} body: {@code hex-size[;chunk-signature=...]\r\n data \r\n}...,
 * then trailers.
 */
final class AwsChunked {

  private AwsChunked() {}

  static byte[] decode(byte[] raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int pos = 0;
    while (pos < raw.length) {
      int lineEnd = indexOfCrlf(raw, pos);
      String header = new String(raw, pos, lineEnd - pos, StandardCharsets.US_ASCII);
      int size = Integer.parseInt(header.split(";", 2)[0].trim(), 16);
      pos = lineEnd + 2;
      if (size == 0) {
        break;
      }
      out.write(raw, pos, size);
      pos += size + 2;
    }
    return out.toByteArray();
  }

  private static int indexOfCrlf(byte[] raw, int from) {
    for (int i = from; i + 1 < raw.length; i++) {
      if (raw[i] == '\r' && raw[i + 1] == '\n') {
        return i;
      }
    }
    throw new IllegalArgumentException("not aws-chunked");
  }
}
