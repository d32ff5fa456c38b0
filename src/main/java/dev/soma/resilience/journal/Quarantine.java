package dev.soma.resilience.journal;

import dev.soma.resilience.common.DurableFiles;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The journal's {@code quarantine/}: what a replay can never write, copied durably for a person to
 * look at before it is passed, so that passing it loses nothing. Blocking: the journal's thread.
 */
final class Quarantine {

  private Quarantine() {}

  /**
   * Copies bytes {@code from}-{@code to} of {@code segment} (corrupt: no valid frame) to {@code
   * <segment>-<from>.bad}, once; returns the copy's path.
   */
  static Path copyRange(Path dir, Path segment, byte[] bytes, int from, int to) throws IOException {
    Path copy = directory(dir).resolve(segment.getFileName() + "-" + from + ".bad");
    if (!Files.exists(copy)) {
      DurableFiles.writeAtomically(copy, Arrays.copyOfRange(bytes, from, to));
    }
    return copy;
  }

  /**
   * Copies {@code record} (its payload as journaled, its sequence) with why it cannot be replayed
   * to {@code record-<sequence>.json}; returns the copy's path.
   */
  static Path setAside(Path dir, JournalRecord record, String reason) throws IOException {
    Path copy = directory(dir).resolve("record-" + record.sequence() + ".json");
    JsonObject json =
        new JsonObject()
            .put("sequence", record.sequence())
            .put("reason", reason)
            .put("record", new JsonObject(Buffer.buffer(record.payload())));
    DurableFiles.writeAtomically(copy, json.encodePrettily().getBytes(StandardCharsets.UTF_8));
    return copy;
  }

  private static Path directory(Path dir) throws IOException {
    return Files.createDirectories(dir.resolve(Journal.QUARANTINE));
  }
}
