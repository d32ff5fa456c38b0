package dev.soma.resilience.config;

import java.time.Duration;
import java.util.Optional;

/**
 * PostgreSQL settings; {@code url} empty selects the embedded server on {@code embeddedPort}.
 *
 * @param url where PostgreSQL is ({@code SA01_DATABASE_URL}, {@link DatabaseUrl})
 * @param poolSize connections in the shared pool
 * @param embeddedPort the embedded server's port when no URL is given
 * @param answerTimeout how long a request waits for PostgreSQL (a connection from the pool, a
 *     write's transaction) before it counts PostgreSQL unreachable: a write the journal can hold is
 *     journaled, anything else answers 503; a PostgreSQL that stops answering without closing
 *     anything (a partition that drops packets, a frozen host) is then treated as one that refuses
 * @throws ConfigException when a part is missing, the pool size is below 1, the port is outside
 *     1-65535 or the answer timeout is not positive
 */
public record DatabaseConfig(
    Optional<DatabaseUrl> url, int poolSize, int embeddedPort, Duration answerTimeout) {
  public DatabaseConfig {
    Require.present("database.url", url);
    Require.atLeast("database.poolSize", poolSize, 1);
    Require.between("database.embeddedPort", embeddedPort, 1, 65535);
    Require.positive("database.answerTimeoutMs", answerTimeout);
  }

  static DatabaseConfig from(Settings s) {
    String url = s.string("database.url");
    return new DatabaseConfig(
        url.isEmpty() ? Optional.empty() : Optional.of(DatabaseUrl.parse(url)),
        s.intIn("database.poolSize", 1, 1000),
        s.intIn("database.embeddedPort", 1, 65535),
        s.duration("database.answerTimeoutMs", 100, 600_000));
  }
}
