package dev.soma.resilience.common.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class DatabaseErrorsTest {

  @Test
  void aRefusedOrLostConnectionIsUnreachableEvenWhenWrapped() {
    assertThat(DatabaseErrors.isUnreachable(new ConnectException("Connection refused"))).isTrue();
    assertThat(
            DatabaseErrors.isUnreachable(
                new IllegalStateException("tx", ClosedConnectionException.INSTANCE)))
        .isTrue();
  }

  @Test
  void aStatementSentOnAConnectionThatHadJustClosedIsUnreachable() {
    assertThat(
            DatabaseErrors.isUnreachable(
                VertxException.noStackTrace(
                    "Connection is not active now, current status: CLOSED")))
        .isTrue();
    assertThat(DatabaseErrors.isUnreachable(VertxException.noStackTrace("something else")))
        .isFalse();
  }

  @Test
  void aServerShuttingDownOrAConnectionFailureStateIsUnreachable() {
    assertThat(DatabaseErrors.isUnreachable(pg("57P01"))).isTrue();
    assertThat(DatabaseErrors.isUnreachable(pg("08006"))).isTrue();
  }

  @Test
  void aStatementTheDatabaseRefusedIsNot() {
    assertThat(DatabaseErrors.isUnreachable(pg("23505"))).isFalse();
    assertThat(DatabaseErrors.isUnreachable(new IllegalArgumentException("bad"))).isFalse();
  }

  private static PgException pg(String state) {
    return new PgException("message", "ERROR", state, "detail");
  }
}
