package dev.soma.resilience.common.db;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/** Tells a database that cannot be reached from one that refused a statement. */
public final class DatabaseErrors {

  private static final int MAX_DEPTH = 10;

  /**
   * How the SQL client fails a statement sent on a connection that has just closed (a plain {@link
   * VertxException}, told only by its message, vertx-sql-client 5.0.7 {@code
   * SocketConnectionBase}).
   */
  static final String NOT_ACTIVE = "Connection is not active now";

  /**
   * How the pool fails a statement, or a wait for a connection, that got no connection within its
   * connection timeout (vertx-sql-client 5.0.7 {@code SqlConnectionPool}: a plain {@code
   * NoStackTraceThrowable} or {@link VertxException}, told only by its message): every connection
   * is stuck on a database that does not answer, or none can be opened.
   */
  static final Set<String> NO_CONNECTION_IN_TIME =
      Set.of("Timeout", "Timeout waiting for connection");

  private DatabaseErrors() {}

  /**
   * Whether {@code failure} (or a cause of it) says the database could not be reached or went away
   * mid-request: connection refused, reset or closed (also a statement sent on a connection that
   * had just closed), a connection or query timed out, the pool had no connection in time, or
   * PostgreSQL's own "connection exception" (SQLSTATE class 08) and "shutting down / starting up"
   * ({@code 57P01}-{@code 57P03}). A statement the database refused (a constraint, a syntax error)
   * is not: retrying it cannot help.
   */
  public static boolean isUnreachable(Throwable failure) {
    return anyCause(
        failure,
        cause ->
            cause instanceof ConnectException
                || cause instanceof SocketException
                || cause instanceof ClosedChannelException
                || cause instanceof ClosedConnectionException
                || cause instanceof TimeoutException
                || (cause instanceof VertxException
                    && cause.getMessage() != null
                    && cause.getMessage().startsWith(NOT_ACTIVE))
                || (cause.getClass().getPackageName().startsWith("io.vertx.")
                    && NO_CONNECTION_IN_TIME.contains(cause.getMessage()))
                || (cause instanceof PgException pg && isUnavailableState(pg.getSqlState())));
  }

  /**
   * Whether {@code failure} (or a cause of it) is PostgreSQL refusing the statement for its data:
   * SQLSTATE class 22 (a data exception: a value out of range, a NUL in text) or 23 (an integrity
   * constraint: a foreign key, a unique key, a check). Sending the same data again cannot succeed.
   * Anything else (the database unreachable, busy, a pool that had no connection in time, a
   * deadlock, a cancelled statement) may pass.
   */
  public static boolean isRefusal(Throwable failure) {
    return anyCause(
        failure,
        cause ->
            cause instanceof PgException pg
                && pg.getSqlState() != null
                && (pg.getSqlState().startsWith("22") || pg.getSqlState().startsWith("23")));
  }

  /**
   * Whether the database or the way to it had a part in {@code failure}: a cause of it is
   * PostgreSQL's answer, the SQL client's or the network's ({@link VertxException}, {@link
   * IOException}, {@link TimeoutException}). A failure with none (a {@link ClassCastException} of a
   * malformed value, say) happened before any statement was sent.
   */
  public static boolean involvesDatabase(Throwable failure) {
    return anyCause(
        failure,
        cause ->
            cause instanceof PgException
                || cause instanceof VertxException
                || cause instanceof IOException
                || cause instanceof TimeoutException);
  }

  /** Whether {@code failure} or one of its causes (to a depth of ten) is {@code what}. */
  private static boolean anyCause(Throwable failure, Predicate<Throwable> what) {
    Throwable cause = failure;
    for (int depth = 0; cause != null && depth < MAX_DEPTH; depth++) {
      if (what.test(cause)) {
        return true;
      }
      cause = cause.getCause();
    }
    return false;
  }

  private static boolean isUnavailableState(String state) {
    return state != null
        && (state.startsWith("08")
            || state.equals("57P01")
            || state.equals("57P02")
            || state.equals("57P03"));
  }
}
