package dev.soma.resilience.breaker.internal;

import dev.soma.resilience.breaker.BreakerId;
import dev.soma.resilience.breaker.BreakerOverride;
import dev.soma.resilience.breaker.BreakerOverrides;
import dev.soma.resilience.breaker.BreakerPanel;
import dev.soma.resilience.breaker.OverridesApplied;
import dev.soma.resilience.common.db.TableSync;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this process's breakers under the stored overrides, as the {@link TableSync} of {@code
 * breaker_overrides}: each read replaces the panel's whole set (a breaker missing from it goes back
 * to automatic), and every change of a breaker's override is logged. The set in force is what
 * {@link dev.soma.resilience.breaker.BreakerAddresses#OVERRIDES_APPLIED} announces.
 */
public final class OverrideSync implements TableSync.Target<Map<BreakerId, BreakerOverride>> {

  private static final Logger LOG = LoggerFactory.getLogger(OverrideSync.class);

  private final BreakerOverrides store;
  private final BreakerPanel panel;

  public OverrideSync(BreakerOverrides store, BreakerPanel panel) {
    this.store = store;
    this.panel = panel;
  }

  @Override
  public Future<Map<BreakerId, BreakerOverride>> read() {
    return store.load();
  }

  @Override
  public JsonObject inForce() {
    return new OverridesApplied(panel.overrides()).toJson();
  }

  @Override
  public void apply(Map<BreakerId, BreakerOverride> overrides) {
    Map<BreakerId, BreakerOverride> before = panel.overrides();
    if (!before.equals(overrides)) {
      overrides.forEach(
          (id, override) -> {
            if (!override.equals(before.get(id))) {
              LOG.warn(
                  "breaker {} (tenant {}) {}", id.dependency(), id.tenant(), override.describe());
            }
          });
      before.keySet().stream()
          .filter(id -> !overrides.containsKey(id))
          .forEach(
              id ->
                  LOG.info(
                      "breaker {} (tenant {}) released to automatic",
                      id.dependency(),
                      id.tenant()));
    }
    panel.apply(overrides);
  }
}
