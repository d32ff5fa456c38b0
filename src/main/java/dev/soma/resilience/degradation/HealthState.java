package dev.soma.resilience.degradation;

import java.util.Locale;

/**
 * Whether a service can be used. {@link #gaugeValue()} is what {@code service_health_state} shows:
 * 1 healthy, 0.5 degraded, 0 unavailable, -1 unknown (nothing observed yet), -2 not configured.
 */
public enum HealthState {
  HEALTHY(1),
  DEGRADED(0.5),
  UNAVAILABLE(0),
  UNKNOWN(-1),
  NOT_CONFIGURED(-2);

  private final double gaugeValue;

  HealthState(double gaugeValue) {
    this.gaugeValue = gaugeValue;
  }

  public double gaugeValue() {
    return gaugeValue;
  }

  /** Healthy or degraded: worth calling. Unknown counts as usable (nothing says otherwise). */
  public boolean isUsable() {
    return this == HEALTHY || this == DEGRADED || this == UNKNOWN;
  }

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static HealthState fromWire(String wire) {
    return valueOf(wire.toUpperCase(Locale.ROOT));
  }
}
