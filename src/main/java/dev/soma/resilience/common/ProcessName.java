package dev.soma.resilience.common;

import java.lang.management.ManagementFactory;

/**
 * This process as the JVM names it ({@code pid-host}): for lease owners, client ids, node names.
 */
public final class ProcessName {

  private static final String NAME =
      ManagementFactory.getRuntimeMXBean().getName().replace('@', '-');

  private ProcessName() {}

  public static String get() {
    return NAME;
  }
}
