package dev.soma.resilience.api;

import dev.soma.resilience.common.db.Transaction;
import dev.soma.resilience.common.http.Problem;
import dev.soma.resilience.idempotency.IdempotentRequests;
import dev.soma.resilience.outbox.Outbox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Runs a creating request in one transaction (business rows, outbox events and, with an {@code
 * Idempotency-Key}, the stored response) and answers it. With a key: a replay returns the first
 * answer (header {@code Idempotent-Replayed: true}), a concurrent duplicate gets 409, the key
 * reused for another request 422; a request that fails stores nothing.
 */
final class IdempotentCreate {

  static final String HEADER = "Idempotency-Key";
  private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");

  private final Pool pool;
  private final Outbox outbox;
  private final IdempotentRequests requests;

  IdempotentCreate(Pool pool, Outbox outbox, IdempotentRequests requests) {
    this.pool = pool;
    this.outbox = outbox;
    this.requests = requests;
  }

  /** A status and JSON body to answer with (and to store under the key). */
  record Reply(int status, JsonObject body) {}

  /** As {@link #run(RoutingContext, Function)}, always answering {@code status}. */
  void run(RoutingContext ctx, int status, Function<Transaction, Future<JsonObject>> work) {
    run(ctx, tx -> work.apply(tx).map(body -> new Reply(status, body)));
  }

  /**
   * Answers {@code ctx} with the reply {@code work} produced on the transaction. Call after
   * validation: a request rejected before this point is never stored.
   */
  void run(RoutingContext ctx, Function<Transaction, Future<Reply>> work) {
    run(ctx, work, reply -> Future.succeededFuture());
  }

  /**
   * As above; {@code committed} runs once the transaction committed (not on a replay), and the
   * answer waits for it, so a client reads its own write there as soon as it has the answer. It
   * should not fail: what it does is not part of the transaction.
   */
  void run(
      RoutingContext ctx,
      Function<Transaction, Future<Reply>> work,
      Function<Reply, Future<?>> committed) {
    String tenant = TenantGate.tenant(ctx);
    String key = ctx.request().getHeader(HEADER);
    if (key == null) {
      Transaction.run(pool, work)
          .compose(reply -> committed.apply(reply).transform(done -> Future.succeededFuture(reply)))
          .onSuccess(reply -> send(ctx, reply.status(), reply.body(), false))
          .onFailure(ctx::fail);
      return;
    }
    once(
        ctx,
        key,
        () ->
            Transaction.run(
                    pool,
                    tx ->
                        work.apply(tx)
                            .compose(
                                reply ->
                                    requests
                                        .complete(tx, tenant, key, reply.status(), reply.body())
                                        .map(reply)))
                .compose(
                    reply ->
                        committed.apply(reply).transform(done -> Future.succeededFuture(reply))));
  }

  /**
   * Runs a request under its {@code Idempotency-Key} {@code key}: answers what is settled already
   * (the stored answer, replayed; 409 while the first is in flight; 422 when the key was used for
   * another request); otherwise {@code proceed} runs it and stores its reply under the key, and a
   * failure frees the key for a retry. A malformed key is 400.
   */
  void once(RoutingContext ctx, String key, Supplier<Future<Reply>> proceed) {
    String tenant = TenantGate.tenant(ctx);
    if (!KEY.matcher(key).matches()) {
      ctx.fail(Problem.badRequest(HEADER + " must be 1-255 visible ASCII characters"));
      return;
    }
    String fingerprint =
        IdempotentRequests.fingerprint(
            ctx.request().method().name(),
            ctx.request().path(),
            ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
    requests
        .begin(tenant, key, fingerprint)
        .onSuccess(started -> settle(ctx, started, tenant, key, proceed))
        .onFailure(ctx::fail);
  }

  private void settle(
      RoutingContext ctx,
      IdempotentRequests.Started started,
      String tenant,
      String key,
      Supplier<Future<Reply>> proceed) {
    switch (started.begin()) {
      case REPLAY -> send(ctx, started.storedStatus(), started.stored(), true);
      case IN_PROGRESS ->
          ctx.fail(
              Problem.conflict(
                  "a request with this " + HEADER + " is still being processed; retry later"));
      case MISMATCH ->
          ctx.fail(Problem.unprocessable("this " + HEADER + " was used for a different request"));
      case PROCEED ->
          proceed
              .get()
              .onSuccess(reply -> send(ctx, reply.status(), reply.body(), false))
              .onFailure(e -> requests.abandon(tenant, key).onComplete(ignored -> ctx.fail(e)));
    }
  }

  private static void send(RoutingContext ctx, int status, JsonObject body, boolean replayed) {
    if (replayed) {
      ctx.response().putHeader("Idempotent-Replayed", "true");
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.encode());
  }
}
