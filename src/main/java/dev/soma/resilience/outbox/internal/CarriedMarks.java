package dev.soma.resilience.outbox.internal;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;

/**
 * Marks of acknowledged batches that ride on the relay's next claim: the claim's transaction marks
 * them published before it claims ({@link OutboxRepository#claim(Claim, List)}), so a batch costs
 * one transaction (and one WAL flush) instead of a claim and a mark of its own. That claim is the
 * one the settled batch would have woken anyway, started as soon as the batch is acknowledged, and
 * it sees the rows already published.
 *
 * <p>A queued mark waits for a claim only while one can start or is running: the relay {@linkplain
 * #takeAll takes} them into its next claim and, when it can start none (pipeline full, lock lost,
 * stopping) with none running, {@linkplain OutboxRepository#markPublished marks them alone}. A
 * claim that fails fails its marks, and the batch's settlement is then retried on its own.
 *
 * <p>Not thread-safe: confined to the relay's event loop.
 */
final class CarriedMarks {

  /** The published rows of one batch, and the promise of how many of them were still leased. */
  record Mark(List<Long> ids, Promise<Integer> marked) {}

  private final Runnable queued;
  private List<Mark> marks = new ArrayList<>();

  /** {@code queued} runs after each mark is queued: the relay wakes to claim. */
  CarriedMarks(Runnable queued) {
    this.queued = queued;
  }

  /** Queues {@code ids} for the next claim; completes with how many of them it marked. */
  Future<Integer> mark(List<Long> ids) {
    Promise<Integer> marked = Promise.promise();
    marks.add(new Mark(ids, marked));
    queued.run();
    return marked.future();
  }

  boolean isEmpty() {
    return marks.isEmpty();
  }

  /** Every queued mark, which the caller now owns and must complete. */
  List<Mark> takeAll() {
    List<Mark> taken = marks;
    marks = new ArrayList<>();
    return taken;
  }

  /** Settles {@code taken} by the rows each one marked, in order, or fails them all. */
  static void settle(List<Mark> taken, Future<List<Integer>> marked) {
    marked.onComplete(
        ar -> {
          for (int i = 0; i < taken.size(); i++) {
            if (ar.succeeded()) {
              taken.get(i).marked().complete(ar.result().get(i));
            } else {
              taken.get(i).marked().fail(ar.cause());
            }
          }
        });
  }
}
