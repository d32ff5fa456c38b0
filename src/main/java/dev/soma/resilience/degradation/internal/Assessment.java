package dev.soma.resilience.degradation.internal;

import dev.soma.resilience.degradation.DegradationLevel;
import dev.soma.resilience.degradation.HealthState;

/** What {@link LevelPolicy} concluded about one dependency's own figures. */
record Assessment(HealthState state, DegradationLevel level, String reason) {}
