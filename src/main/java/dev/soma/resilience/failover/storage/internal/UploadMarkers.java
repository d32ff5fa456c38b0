package dev.soma.resilience.failover.storage.internal;

import dev.soma.resilience.failover.storage.ObjectKey;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queued uploads' markers in the spool ({@code queued/<uploadId>.json}), read for {@link
 * UploadQueue}: the oldest to retry, and the one an upload id already has. Blocking: a worker.
 */
final class UploadMarkers {

  private static final Logger LOG = LoggerFactory.getLogger(UploadMarkers.class);

  private final Path spool;

  UploadMarkers(Path spool) {
    this.spool = spool;
  }

  /**
   * Up to {@code batch} queued uploads' markers, oldest first, but those in {@code busy} (being
   * queued) and those whose bytes are gone. Blocking.
   */
  List<JsonObject> oldest(Set<String> busy, int batch) throws IOException {
    Path queued = spool.resolve("queued");
    if (!Files.isDirectory(queued)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(queued)) {
      return files
          .filter(f -> f.getFileName().toString().endsWith(".json"))
          .sorted(Comparator.comparingLong(UploadMarkers::modified))
          .map(UploadMarkers::readMarker)
          .filter(m -> m != null && !busy.contains(m.getString("uploadId")))
          .filter(this::stillHasItsBytes)
          .limit(batch)
          .toList();
    }
  }

  /**
   * A marker whose bytes are gone can never be stored: kept, it would be tried (and fail on every
   * link, feeding the breakers) in every round, and {@code batch} of them would starve the rest.
   * Blocking.
   */
  private boolean stillHasItsBytes(JsonObject marker) {
    String uploadId = marker.getString("uploadId");
    Path bytes = spool.resolve(marker.getString("bytes"));
    if (Files.exists(bytes)) {
      return true;
    }
    LOG.error(
        "queued upload {} for {}/{} has no bytes {} (lost, or stored before a crash): its marker"
            + " is removed without a retry",
        uploadId,
        marker.getString("tenantId"),
        marker.getString("key"),
        bytes);
    try {
      Files.deleteIfExists(spool.resolve("queued").resolve(uploadId + ".json"));
    } catch (IOException e) {
      LOG.error("upload marker of {} could not be removed: {}", uploadId, e.toString());
    }
    return false;
  }

  /**
   * The queued upload {@code marker} describes, compared with this one; a spilled file of this
   * request that the marker does not name is deleted (nothing else would use it). Blocking.
   */
  AlreadyQueued alreadyQueued(Path marker, String uploadId, ObjectKey key, Payload payload)
      throws IOException {
    JsonObject earlier = new JsonObject(Files.readString(marker, StandardCharsets.UTF_8));
    Path earlierBytes = spool.resolve(earlier.getString("bytes")).normalize();
    boolean same =
        key.tenantId().equals(earlier.getString("tenantId"))
            && key.key().equals(earlier.getString("key"))
            && java.util.Objects.equals(payload.contentType(), earlier.getString("contentType"))
            && Files.exists(earlierBytes)
            && Files.size(earlierBytes) == payload.size();
    if (payload.file() != null && !payload.file().normalize().equals(earlierBytes)) {
      Files.deleteIfExists(payload.file());
    }
    LOG.info(
        "upload {} for {} is queued already{}: nothing written",
        uploadId,
        key.path(),
        same ? "" : " for another upload (" + earlier.getString("key") + ")");
    return new AlreadyQueued(
        same
            ? "upload " + uploadId + " is queued already"
            : "upload id " + uploadId + " is queued already for another upload",
        same);
  }

  private static long modified(Path file) {
    try {
      return Files.getLastModifiedTime(file).toMillis();
    } catch (IOException e) {
      return Long.MAX_VALUE;
    }
  }

  private static JsonObject readMarker(Path file) {
    try {
      return new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      LOG.error("unreadable upload marker {}: {}", file, e.toString());
      return null;
    }
  }
}
