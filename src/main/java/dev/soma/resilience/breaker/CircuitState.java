package dev.soma.resilience.breaker;

/** The three states of a breaker; {@link #gaugeValue()} is what {@code circuit_state} reports. */
public enum CircuitState {
  CLOSED(0),
  HALF_OPEN(1),
  OPEN(2);

  private final int gaugeValue;

  CircuitState(int gaugeValue) {
    this.gaugeValue = gaugeValue;
  }

  public int gaugeValue() {
    return gaugeValue;
  }
}
