package dev.soma.resilience.api;

import dev.soma.resilience.common.db.DatabaseErrors;
import dev.soma.resilience.common.db.Transaction;
import dev.soma.resilience.common.http.Problem;
import dev.soma.resilience.idempotency.IdempotentRequests;
import dev.soma.resilience.journal.Journal;
import dev.soma.resilience.journal.JournalFullException;
import dev.soma.resilience.journal.JournalKind;
import dev.soma.resilience.journal.JournalRecord;
import dev.soma.resilience.journal.JournalReplay;
import dev.soma.resilience.outbox.Outbox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs a creating request in one transaction (business rows, outbox events and, with an {@code
 * Idempotency-Key}, the stored response) and answers it. With a key: a replay returns the first
 * answer (header {@code Idempotent-Replayed: true}), a concurrent duplicate gets 409, the key
 * reused for another request 422; a request that fails stores nothing.
 */
final class IdempotentCreate {

  static final long JOURNAL_FULL_RETRY_SECONDS = 30;

  private final Pool pool;
  private final Outbox outbox;
  private final IdempotentRequests requests;
  private final Journal journal;
  private final long answerMillis;

  /**
   * {@code answerTimeout}: how long a request's statements may wait for PostgreSQL before it counts
   * PostgreSQL unreachable (a statement left waiting may still commit later: the journal's replay
   * takes a write already there as done).
   */
  IdempotentCreate(
      Pool pool,
      Outbox outbox,
      IdempotentRequests requests,
      Journal journal,
      Duration answerTimeout) {
    this.pool = pool;
    this.outbox = outbox;
    this.requests = requests;
    this.journal = journal;
    this.answerMillis = answerTimeout.toMillis();
  }

  /** {@code statements}, failed with a {@link java.util.concurrent.TimeoutException} if late. */
  private <T> Future<T> answered(Future<T> statements) {
    return statements.timeout(answerMillis, TimeUnit.MILLISECONDS);
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
    run(ctx, work, committed, ctx::fail);
  }

  /**
   * A creating request of a {@code kind} the journal can hold: made in the database as above, or,
   * while the database cannot be reached (and as long as the journal holds records not yet
   * replayed, so that nothing overtakes them), journaled and answered {@code status} with the
   * kind's journaled reply once the record is on disk (live, the kind says the status). An {@code
   * Idempotency-Key} sent again while its request is journaled gets the same answer.
   */
  void run(
      RoutingContext ctx,
      JournalKind kind,
      JsonObject request,
      int status,
      Function<Reply, Future<?>> committed) {
    String tenant = TenantGate.tenant(ctx);
    if (journal.pendingRecords() > 0) {
      journal(ctx, kind, request, status, committed);
      return;
    }
    run(
        ctx,
        tx -> kind.apply(tx, tenant, request).map(body -> new Reply(kind.status(body), body)),
        committed,
        e -> {
          if (DatabaseErrors.isUnreachable(e)) {
            journal(ctx, kind, request, status, committed);
          } else if (kind.alreadyApplied(e)) {
            ctx.fail(Problem.conflict(e.getMessage()));
          } else {
            ctx.fail(e);
          }
        });
  }

  private void run(
      RoutingContext ctx,
      Function<Transaction, Future<Reply>> work,
      Function<Reply, Future<?>> committed,
      Consumer<Throwable> failed) {
    String tenant = TenantGate.tenant(ctx);
    String key = ctx.request().getHeader(IdempotencyKey.HEADER);
    if (key == null) {
      answered(Transaction.run(pool, work))
          .compose(reply -> whenCommitted(committed, reply))
          .onSuccess(reply -> send(ctx, reply.status(), reply.body(), false))
          .onFailure(failed::accept);
      return;
    }
    once(
        ctx,
        key,
        failed,
        () ->
            answered(
                    Transaction.run(
                        pool,
                        tx ->
                            work.apply(tx)
                                .compose(
                                    reply ->
                                        requests
                                            .complete(tx, tenant, key, reply.status(), reply.body())
                                            .map(reply))))
                .compose(reply -> whenCommitted(committed, reply)));
  }

  /** {@code reply} once {@code committed} ran on it, whether or not that succeeded. */
  private static Future<Reply> whenCommitted(Function<Reply, Future<?>> committed, Reply reply) {
    return committed.apply(reply).transform(done -> Future.succeededFuture(reply));
  }

  /**
   * Runs a request under its {@code Idempotency-Key} {@code key}: answers what is settled already
   * (the stored answer, replayed; 409 while the first is in flight; 422 when the key was used for
   * another request); otherwise {@code proceed} runs it and stores its reply under the key, and a
   * failure frees the key for a retry. A malformed key is 400.
   */
  void once(RoutingContext ctx, String key, Supplier<Future<Reply>> proceed) {
    once(ctx, key, ctx::fail, proceed);
  }

  /** As above; {@code failed} takes what fails before or in {@code proceed} (after the key). */
  void once(
      RoutingContext ctx, String key, Consumer<Throwable> failed, Supplier<Future<Reply>> proceed) {
    if (IdempotencyKey.malformed(ctx, key)) {
      return;
    }
    once(ctx, key, IdempotencyKey.fingerprint(ctx), failed, proceed);
  }

  /**
   * As above, with the request's fingerprint {@code requestHash} computed by the caller (a large
   * body is hashed on a worker, never here); {@code key} must be well-formed ({@link
   * IdempotencyKey#malformed}).
   */
  void once(
      RoutingContext ctx,
      String key,
      String requestHash,
      Consumer<Throwable> failed,
      Supplier<Future<Reply>> proceed) {
    String tenant = TenantGate.tenant(ctx);
    answered(requests.begin(tenant, key, requestHash))
        .onSuccess(started -> settle(ctx, started, tenant, key, failed, proceed))
        .onFailure(failed::accept);
  }

  private void settle(
      RoutingContext ctx,
      IdempotentRequests.Started started,
      String tenant,
      String key,
      Consumer<Throwable> failed,
      Supplier<Future<Reply>> proceed) {
    switch (started.begin()) {
      case REPLAY -> send(ctx, started.storedStatus(), started.stored(), true);
      case IN_PROGRESS ->
          ctx.fail(
              Problem.conflict(
                  "a request with this "
                      + IdempotencyKey.HEADER
                      + " is still being processed; retry later"));
      case MISMATCH -> ctx.fail(IdempotencyKey.reused());
      case PROCEED ->
          proceed
              .get()
              .onSuccess(reply -> send(ctx, reply.status(), reply.body(), false))
              .onFailure(
                  e ->
                      answered(requests.abandon(tenant, key))
                          .onComplete(ignored -> failed.accept(e)));
    }
  }

  private void journal(
      RoutingContext ctx,
      JournalKind kind,
      JsonObject request,
      int status,
      Function<Reply, Future<?>> committed) {
    String tenant = TenantGate.tenant(ctx);
    String key = ctx.request().getHeader(IdempotencyKey.HEADER);
    if (key != null && IdempotencyKey.malformed(ctx, key)) {
      return;
    }
    JsonObject envelope =
        new JsonObject().put(JournalReplay.REQUEST, request).put(JournalReplay.STATUS, status);
    if (key != null) {
      envelope.put(JournalReplay.REQUEST_HASH, IdempotencyKey.fingerprint(ctx));
    }
    Reply reply = new Reply(status, kind.journaledReply(request));
    journal
        .append(
            JournalRecord.of(
                kind.name(),
                tenant,
                kind.dedupeKey(tenant, request),
                Optional.ofNullable(key),
                envelope,
                System.currentTimeMillis()))
        .compose(written -> whenCommitted(committed, reply))
        .onSuccess(written -> send(ctx, status, reply.body(), false))
        .onFailure(e -> journalFailed(ctx, kind, envelope, e));
  }

  private static void journalFailed(
      RoutingContext ctx, JournalKind kind, JsonObject envelope, Throwable e) {
    if (e instanceof Journal.KeyJournaled same) {
      JsonObject earlier = same.earlier().body();
      if (!envelope
          .getString(JournalReplay.REQUEST_HASH)
          .equals(earlier.getString(JournalReplay.REQUEST_HASH))) {
        ctx.fail(IdempotencyKey.reused());
        return;
      }
      send(
          ctx,
          earlier.getInteger(JournalReplay.STATUS),
          kind.journaledReply(earlier.getJsonObject(JournalReplay.REQUEST)),
          true);
    } else if (e instanceof JournalFullException) {
      ctx.fail(
          Problem.unavailable(
              "the database is unreachable and the local journal is full; nothing was written,"
                  + " retry later",
              JOURNAL_FULL_RETRY_SECONDS));
    } else {
      ctx.fail(e);
    }
  }

  static void send(RoutingContext ctx, int status, JsonObject body, boolean replayed) {
    if (replayed) {
      ctx.response().putHeader("Idempotent-Replayed", "true");
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.encode());
  }
}
