package dev.soma.resilience.outbox;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * What an {@link OutboxReplay} did (or, dry, would do).
 *
 * @param count rows put back (dry: that would be)
 * @param ids the first {@value #ID_PAGE} of them, in id order
 * @param skipped asked-for ids that are pending or scheduled already (replays by id only)
 * @param notFound asked-for ids with no outbox row (replays by id only)
 * @param paceSeconds how long after the replay its last row is due
 */
public record ReplayResult(
    boolean dryRun,
    int count,
    List<Long> ids,
    List<Long> skipped,
    List<Long> notFound,
    double paceSeconds) {

  /** How many of the chosen ids an answer lists (the first ones, in id order). */
  public static final int ID_PAGE = 100;

  /** The result of putting back {@code ids} (in id order) at {@code rate} rows a second. */
  static ReplayResult of(
      boolean dryRun, List<Long> ids, List<Long> skipped, List<Long> notFound, int rate) {
    return new ReplayResult(
        dryRun,
        ids.size(),
        List.copyOf(ids.subList(0, Math.min(ID_PAGE, ids.size()))),
        skipped,
        notFound,
        ids.isEmpty() ? 0 : (ids.size() - 1) / (double) rate);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("dryRun", dryRun)
        .put("count", count)
        .put("ids", new JsonArray(new ArrayList<>(ids)))
        .put("skipped", new JsonArray(new ArrayList<>(skipped)))
        .put("notFound", new JsonArray(new ArrayList<>(notFound)))
        .put("paceSeconds", paceSeconds);
  }
}
