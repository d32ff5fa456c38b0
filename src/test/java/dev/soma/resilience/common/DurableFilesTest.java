package dev.soma.resilience.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableFilesTest {

  private static final int WRITERS = 8;
  private static final int ROUNDS = 5;
  private static final int SIZE = 3 * 1024 * 1024;

  @TempDir Path dir;

  @Test
  void concurrentWritersOfOneTargetLeaveExactlyOneWholeContentAndNoTemporaryFile()
      throws Exception {
    Path target = dir.resolve("target.bin");

    race(target, (i, content) -> DurableFiles.writeAtomically(target, content));
  }

  @Test
  void concurrentCopiesToOneTargetLeaveExactlyOneWholeSourceAndNoTemporaryFile() throws Exception {
    Path target = dir.resolve("target.bin");

    race(
        target,
        (i, content) -> {
          Path source = dir.resolve("source-" + i + ".bin");
          if (!Files.exists(source)) {
            Files.write(source, content);
          }
          DurableFiles.copyAtomically(source, target);
        });
  }

  @Test
  void aFailedWriteLeavesNoTemporaryFile() throws Exception {
    Path target = dir.resolve("target.bin");
    Files.createDirectory(target);
    Files.write(target.resolve("occupied"), new byte[1]);

    // a non-empty directory cannot be replaced by a file: the rename fails
    assertThatThrownBy(() -> DurableFiles.writeAtomically(target, new byte[] {1, 2, 3}))
        .isInstanceOf(IOException.class);

    assertThat(temporaryFiles()).isEmpty();
  }

  private interface Write {
    void write(int writer, byte[] content) throws Exception;
  }

  private void race(Path target, Write write) throws Exception {
    List<byte[]> contents = new ArrayList<>();
    for (int i = 0; i < WRITERS; i++) {
      byte[] content = new byte[SIZE];
      Arrays.fill(content, (byte) (i + 1));
      contents.add(content);
    }
    ExecutorService threads = Executors.newFixedThreadPool(WRITERS);
    try {
      for (int round = 0; round < ROUNDS; round++) {
        CyclicBarrier start = new CyclicBarrier(WRITERS);
        List<Future<?>> writes = new ArrayList<>();
        for (int i = 0; i < WRITERS; i++) {
          int writer = i;
          writes.add(
              threads.submit(
                  () -> {
                    start.await();
                    write.write(writer, contents.get(writer));
                    return null;
                  }));
        }
        for (Future<?> w : writes) {
          w.get(60, TimeUnit.SECONDS); // every writer succeeds
        }

        byte[] result = Files.readAllBytes(target);
        assertThat(contents.stream().anyMatch(c -> Arrays.equals(c, result)))
            .as("round %d: the target is one writer's whole content", round)
            .isTrue();
        assertThat(temporaryFiles()).as("round %d", round).isEmpty();
      }
    } finally {
      threads.shutdownNow();
    }
  }

  private List<Path> temporaryFiles() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList();
    }
  }
}
