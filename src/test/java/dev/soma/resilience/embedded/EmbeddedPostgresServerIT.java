package dev.soma.resilience.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.config.DatabaseUrl;
import dev.soma.resilience.testing.TestServices;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * The embedded PostgreSQL the service starts when no {@code SA01_DATABASE_URL} is set: it must be
 * as durable as a production server, and keep its data between runs.
 */
class EmbeddedPostgresServerIT {

  @Test
  void aCommitReturnsOnlyOnceItsWalIsFlushedAndTheDataOutlivesARestart() throws Exception {
    Path dataDir = TestServices.tempDir("embedded-pg");

    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0);
        Connection c = connect(server.url());
        Statement s = c.createStatement()) {
      // zonky's builder turns synchronous_commit off unless told otherwise
      assertThat(setting(s, "synchronous_commit")).isEqualTo("on");
      assertThat(setting(s, "fsync")).isEqualTo("on");
      s.execute("CREATE TABLE kept (note text)");
      s.execute("INSERT INTO kept VALUES ('before the restart')");
    }

    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0);
        Connection c = connect(server.url());
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SELECT note FROM kept")) {
      assertThat(rows.next()).isTrue();
      assertThat(rows.getString(1)).isEqualTo("before the restart");
    }
  }

  @Test
  void aRunningServerIsRecognisedByItsDataDirectoryAndPort() throws Exception {
    Path dataDir = TestServices.tempDir("embedded-pg");
    int port;
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0)) {
      port = server.url().port();
      assertThat(EmbeddedPostgresServer.runsFrom(dataDir, port)).isTrue();
      assertThat(EmbeddedPostgresServer.runsFrom(dataDir, port + 1)).isFalse();
      assertThat(EmbeddedPostgresServer.runsFrom(TestServices.tempDir("other"), port)).isFalse();
    }
    assertThat(EmbeddedPostgresServer.runsFrom(dataDir, port)).as("stopped").isFalse();
  }

  private static Connection connect(DatabaseUrl url) throws SQLException {
    return DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
  }

  private static String setting(Statement s, String name) throws SQLException {
    try (ResultSet rs = s.executeQuery("SHOW " + name)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
