package dev.soma.resilience.failover.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.common.Blocking;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UploadSpoolTest {

  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
  private static final Instant OLD = NOW.minus(Duration.ofHours(2));

  @TempDir Path root;
  private Vertx vertx;
  private UploadSpool spool;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    spool = new UploadSpool(root, vertx.createSharedWorkerExecutor("spool-test"));
  }

  @AfterEach
  void tearDown() throws Exception {
    Blocking.await(vertx.close(), Duration.ofSeconds(10));
  }

  @Test
  void theSweepDeletesOldFilesNoMarkerPointsToAndKeepsEverythingElse() throws Exception {
    Path neverSent = file("incoming/" + ref(1) + ".bin", OLD);
    Path spilledAndQueued = file("incoming/" + ref(2) + ".bin", OLD);
    Path justSpilled = file("incoming/" + ref(3) + ".bin", NOW.minusSeconds(60));
    Path crashedTemp = file("incoming/" + ref(4) + ".bin." + ref(5) + ".tmp", OLD);
    Path storedBeforeACrash = file("queued/u-1.bin", OLD);
    Path queuedInline = file("queued/u-2.bin", OLD);
    Path spilledMarker = marker("u-3", "incoming/" + ref(2) + ".bin");
    Path inlineMarker = marker("u-2", "queued/u-2.bin");

    int deleted =
        Blocking.await(spool.sweep(NOW.minus(Duration.ofHours(1))), Duration.ofSeconds(10));

    assertThat(deleted).isEqualTo(3);
    assertThat(neverSent).doesNotExist();
    assertThat(crashedTemp).doesNotExist();
    assertThat(storedBeforeACrash).doesNotExist();
    assertThat(spilledAndQueued).exists();
    assertThat(justSpilled).exists();
    assertThat(queuedInline).exists();
    assertThat(spilledMarker).exists();
    assertThat(inlineMarker).exists();
  }

  @Test
  void theSweepDeletesNothingWhileAMarkerCannotBeRead() throws Exception {
    Path neverSent = file("incoming/" + ref(1) + ".bin", OLD);
    Files.writeString(file("queued/u-9.json", OLD), "{not json");

    int deleted =
        Blocking.await(spool.sweep(NOW.minus(Duration.ofHours(1))), Duration.ofSeconds(10));

    assertThat(deleted).isZero();
    assertThat(neverSent).exists();
  }

  private static String ref(int n) {
    return String.format("00000000-0000-0000-0000-%012d", n);
  }

  private Path file(String relative, Instant modified) throws Exception {
    Path file = root.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.write(file, new byte[] {1, 2, 3});
    Files.setLastModifiedTime(file, FileTime.from(modified));
    return file;
  }

  /** An old marker, as {@code UploadQueue} writes it. */
  private Path marker(String uploadId, String bytes) throws Exception {
    Path marker = root.resolve("queued/" + uploadId + ".json");
    Files.createDirectories(marker.getParent());
    Files.writeString(
        marker,
        new JsonObject()
            .put("uploadId", uploadId)
            .put("tenantId", "acme")
            .put("key", "k")
            .put("contentType", "text/plain")
            .put("bytes", bytes)
            .put("queuedAt", OLD.toString())
            .encode());
    Files.setLastModifiedTime(marker, FileTime.from(OLD));
    return marker;
  }
}
