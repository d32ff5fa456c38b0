package dev.soma.resilience.journal;

import dev.soma.resilience.journal.internal.SegmentScan;
import dev.soma.resilience.journal.internal.Segments;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a journal directory holds, read without changing anything (a running service may have it
 * open): each segment with its size, records and corruption (a torn tail, corrupt ranges), the
 * checkpoint, and the records by state ({@code replayed} or {@code waiting}), kind and tenant.
 * Blocking.
 */
public final class JournalInspection {

  private JournalInspection() {}

  /** The report, as JSON; fails when {@code dir} is not a directory. */
  public static JsonObject of(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException("no journal directory " + dir);
    }
    long replayed = JournalRecovery.replayedThrough(dir);
    JsonArray segments = new JsonArray();
    Map<String, Long> counts = new TreeMap<>();
    long waiting = 0;
    for (Path segment : Segments.list(dir)) {
      byte[] bytes = Files.readAllBytes(segment);
      SegmentScan scan = SegmentScan.of(bytes, bytes.length);
      long unreadable = 0;
      for (SegmentScan.Frame frame : scan.frames()) {
        boolean done = frame.sequence() <= replayed;
        try {
          JournalRecord record = JournalRecord.fromFrame(bytes, frame);
          counts.merge(
              (done ? "replayed" : "waiting") + " " + record.kind() + " " + record.tenant(),
              1L,
              Long::sum);
          waiting += done ? 0 : 1;
        } catch (RuntimeException e) {
          unreadable++;
        }
      }
      segments.add(
          new JsonObject()
              .put("file", segment.getFileName().toString())
              .put("bytes", bytes.length)
              .put("records", scan.frames().size())
              .put("tornTailBytes", scan.torn() ? bytes.length - scan.validEnd() : 0)
              .put("corruptRanges", scan.corrupt().size())
              .put("unreadableRecords", unreadable));
    }
    JsonArray groups = new JsonArray();
    counts.forEach(
        (group, count) -> {
          String[] parts = group.split(" ", 3);
          groups.add(
              new JsonObject()
                  .put("state", parts[0])
                  .put("kind", parts[1])
                  .put("tenant", parts[2])
                  .put("records", count));
        });
    Path quarantine = dir.resolve(Journal.QUARANTINE);
    long quarantined;
    try (var files =
        Files.exists(quarantine) ? Files.list(quarantine) : java.util.stream.Stream.<Path>empty()) {
      quarantined = files.count();
    }
    return new JsonObject()
        .put("dir", dir.toString())
        .put("replayedThrough", replayed)
        .put("waiting", waiting)
        .put("segments", segments)
        .put("records", groups)
        .put("quarantinedFiles", quarantined);
  }
}
