package dev.soma.resilience.common.db;

import dev.soma.resilience.config.ConfigException;
import dev.soma.resilience.config.DatabaseUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import javax.net.ssl.SSLException;

/**
 * Whether PostgreSQL refuses a URL in a way no retry mends, checked before the migrations start
 * retrying: TLS (the server has none, or its certificate does not verify), authentication, or no
 * such database, each a {@link ConfigException} naming {@code SA01_DATABASE_URL}. Anything else
 * (nothing listening yet, a timeout) is left to the migrations' retries. Blocking.
 */
final class UrlRefusal {

  private UrlRefusal() {}

  /**
   * One connection attempt to {@code url} over JDBC; fails with a {@link ConfigException} when the
   * server answered but refuses it for good.
   */
  static void check(DatabaseUrl url) {
    try (Connection ignored =
        DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password())) {
      // reachable and accepted
    } catch (SQLException e) {
      if (isPermanent(e)) {
        throw new ConfigException(
            "SA01_DATABASE_URL " + url + " cannot be used: " + e.getMessage());
      }
    }
  }

  private static boolean isPermanent(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (state.equals("08004") // rejected: no TLS on the server, or a password it wants
        || state.startsWith("28") // authentication
        || state.equals("3D000")) { // no such database
      return true;
    }
    String message = String.valueOf(e.getMessage());
    if (message.contains("could not be verified") // verify-full: the certificate names another host
        || message.contains("private key") // the client certificate's key cannot be used
        || message.contains("SSL key file")) {
      return true;
    }
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof SSLException) {
        return true;
      }
    }
    return false;
  }
}
