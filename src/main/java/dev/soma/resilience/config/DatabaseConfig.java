package dev.soma.resilience.config;

import java.util.Optional;

/**
 * PostgreSQL settings; {@code url} empty selects the embedded server on {@code embeddedPort}.
 *
 * @param url where PostgreSQL is ({@code SA01_DATABASE_URL}, {@link DatabaseUrl})
 * @param poolSize connections in the shared pool
 * @param embeddedPort the embedded server's port when no URL is given
 * @throws ConfigException when a part is missing, the pool size is below 1 or the port is outside
 *     1-65535
 */
public record DatabaseConfig(Optional<DatabaseUrl> url, int poolSize, int embeddedPort) {
  public DatabaseConfig {
    Require.present("database.url", url);
    Require.atLeast("database.poolSize", poolSize, 1);
    Require.between("database.embeddedPort", embeddedPort, 1, 65535);
  }

  static DatabaseConfig from(Settings s) {
    String url = s.string("database.url");
    return new DatabaseConfig(
        url.isEmpty() ? Optional.empty() : Optional.of(DatabaseUrl.parse(url)),
        s.intIn("database.poolSize", 1, 1000),
        s.intIn("database.embeddedPort", 1, 65535));
  }
}
