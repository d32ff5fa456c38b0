package dev.soma.resilience.failover.audio.internal;

import java.net.URI;

/** Absolute URLs under a configured base URL, which may carry a path prefix (a proxy). */
final class Endpoints {

  private Endpoints() {}

  static String url(URI base, String path) {
    String root = base.toString();
    return (root.endsWith("/") ? root.substring(0, root.length() - 1) : root) + path;
  }

  static String mimeSubtype(String format) {
    return switch (format) {
      case "mp3" -> "audio/mpeg";
      case "pcm" -> "audio/pcm";
      default -> "audio/" + format;
    };
  }
}
