package dev.soma.resilience.degradation;

import java.util.Locale;

/**
 * How badly a service is degraded, from {@link #NONE} to {@link #CRITICAL} (unavailable). The
 * {@link #value()} (0 to 4) is what the {@code service_degradation_level} gauge shows; the wire
 * form is the lower-case name.
 */
public enum DegradationLevel {
  NONE,
  MINOR,
  MODERATE,
  SEVERE,
  CRITICAL;

  public int value() {
    return ordinal();
  }

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean isWorseThan(DegradationLevel other) {
    return compareTo(other) > 0;
  }

  public static DegradationLevel max(DegradationLevel a, DegradationLevel b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  public static DegradationLevel min(DegradationLevel a, DegradationLevel b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** Parses the wire form; throws {@link IllegalArgumentException} for anything else. */
  public static DegradationLevel fromWire(String wire) {
    return valueOf(wire.toUpperCase(Locale.ROOT));
  }
}
