package dev.soma.resilience.flags.internal;

import dev.soma.resilience.common.db.TableSync;
import dev.soma.resilience.flags.FeatureFlag;
import dev.soma.resilience.flags.FeatureFlags;
import dev.soma.resilience.flags.FlagBook;
import dev.soma.resilience.flags.FlagRule;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this process's {@link FlagBook} under the stored rules, as the {@link TableSync} of {@code
 * feature_flags}: each read replaces the book's whole set (a flag missing from it has its default),
 * and every change of a flag's rule is logged.
 */
public final class FlagSync implements TableSync.Target<Map<FeatureFlag, FlagRule>> {

  private static final Logger LOG = LoggerFactory.getLogger(FlagSync.class);

  private final FeatureFlags store;
  private final FlagBook book;

  public FlagSync(FeatureFlags store, FlagBook book) {
    this.store = store;
    this.book = book;
  }

  @Override
  public Future<Map<FeatureFlag, FlagRule>> read() {
    return store.load();
  }

  @Override
  public void apply(Map<FeatureFlag, FlagRule> rules) {
    Map<FeatureFlag, FlagRule> before = book.rules();
    for (FeatureFlag flag : FeatureFlag.values()) {
      FlagRule now = rules.get(flag);
      FlagRule was = before.get(flag);
      if (now != null && !now.equals(was)) {
        LOG.info(
            "flag {}: deny {}, allow {}, {}% of the others (set by {}: {})",
            flag.wire(), now.deny(), now.allow(), now.percentage(), now.operator(), now.reason());
      } else if (now == null && was != null) {
        LOG.info("flag {}: back to its default ({})", flag.wire(), flag.defaultOn() ? "on" : "off");
      }
    }
    book.apply(rules);
  }

  @Override
  public JsonObject inForce() {
    return book.toJson();
  }
}
