package dev.soma.resilience.outbox.internal;

import dev.soma.resilience.common.db.LeaseKeeper;
import dev.soma.resilience.config.OutboxConfig;
import dev.soma.resilience.outbox.DrainSummary;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;

/**
 * One pass over the outbox: claims and publishes batches until no row is due, then publishes
 * pending dead letters. The {@code publish-outbox --once} command; must run on a Vert.x context.
 */
public final class OutboxDrain {

  private final OutboxRepository repository;
  private final LeaseKeeper keeper;
  private final BatchPublisher publisher;
  private final DeadLetterPublisher deadLetters;
  private final OutboxConfig config;
  private final String owner;
  private final ClaimNumbers claims = new ClaimNumbers();

  public OutboxDrain(Vertx vertx, RelayParts parts, String owner) {
    this.repository = parts.repository();
    this.keeper = parts.keeper();
    this.deadLetters = parts.deadLetters();
    this.config = parts.config();
    this.owner = owner;
    this.publisher = parts.publisher(vertx, owner, claims, Clock.systemUTC(), () -> false);
  }

  public Future<DrainSummary> run() {
    return next(new DrainSummary(0, 0, 0), "")
        .compose(summary -> deadLetters.publishPending(10_000).map(n -> summary));
  }

  /** Claims from {@code tenantCursor} on, like the relay, so every tenant's rows are reached. */
  private Future<DrainSummary> next(DrainSummary sofar, String tenantCursor) {
    // while the keeper has lost its lock, a lease would be over as soon as taken: lease by time
    Claim claim =
        Claim.ofAll(owner, keeper.heldKey(), config.batchSize(), config.lease(), tenantCursor);
    long number = claims.start();
    return repository
        .claim(claim)
        .compose(
            claimed -> {
              List<ClaimedEvent> batch = claimed.events();
              String cursor = claimed.nextTenantCursor();
              if (batch.isEmpty()) {
                claims.closed(number);
                // tenants with nothing due may come before others' due rows
                return cursor.isEmpty() ? Future.succeededFuture(sofar) : next(sofar, cursor);
              }
              return publisher
                  .publish(batch, number)
                  .compose(
                      outcome -> {
                        DrainSummary now =
                            new DrainSummary(
                                sofar.batches() + 1,
                                sofar.published() + outcome.published(),
                                sofar.failed() + outcome.failed());
                        // An unreachable broker ends the pass: the rows wait for the next run.
                        return outcome.brokerUnavailable()
                            ? Future.succeededFuture(now)
                            : next(now, cursor);
                      });
            });
  }
}
