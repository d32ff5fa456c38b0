package dev.soma.resilience.failover.storage.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** An upload's bytes: in memory ({@code inline}) or in a spooled file ({@code file}). */
public record Payload(byte[] inline, Path file, String contentType) {

  public static Payload inline(byte[] bytes, String contentType) {
    return new Payload(bytes, null, contentType);
  }

  public static Payload file(Path file, String contentType) {
    return new Payload(null, file, contentType);
  }

  /** The bytes; reads the file when spooled, so call it on a worker thread only. */
  public byte[] bytes() throws IOException {
    return inline != null ? inline : Files.readAllBytes(file);
  }

  /** The size in bytes; stats the file when spooled (worker thread only). */
  public long size() throws IOException {
    return inline != null ? inline.length : Files.size(file);
  }
}
