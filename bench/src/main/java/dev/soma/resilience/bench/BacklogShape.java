package dev.soma.resilience.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * How a backlog's events spread over keys: {@code tenants} tenants with {@code keysPerTenant}
 * partition keys (aggregates) each, written {@code TxK} ({@code 1x1} is one hot key, {@code
 * 100x1000} the many-keys case). Only the spread changes between shapes; payloads and record
 * layout stay the same (see {@link EventShape}).
 */
record BacklogShape(int tenants, int keysPerTenant) {

  BacklogShape {
    if (tenants < 1 || keysPerTenant < 1) {
      throw new IllegalArgumentException(
          "a shape needs at least 1 tenant and 1 key, but was " + tenants + "x" + keysPerTenant);
    }
  }

  /** Parses {@code TxK}, e.g. {@code 3x50}; {@code option} names the option in the error. */
  static BacklogShape parse(String option, String text) {
    String[] parts = text.trim().split("x", -1);
    try {
      if (parts.length == 2) {
        return new BacklogShape(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("--" + option + " takes TENANTSxKEYS (e.g. 3x50), but got '"
        + text + "'");
  }

  /**
   * Parses a comma-separated list of shapes, e.g. {@code 1x1,3x50,100x1000}; an empty text is an
   * empty list.
   */
  static List<BacklogShape> parseList(String option, String text) {
    List<BacklogShape> shapes = new ArrayList<>();
    for (String one : text.isBlank() ? new String[0] : text.split(",")) {
      BacklogShape shape = parse(option, one);
      if (shapes.contains(shape)) {
        throw new IllegalArgumentException("--" + option + " lists " + shape + " twice");
      }
      shapes.add(shape);
    }
    return List.copyOf(shapes);
  }

  EventShape events(int payloadBytes) {
    return new EventShape(tenants, keysPerTenant, payloadBytes);
  }

  /** {@code TxK}, also used in database and topic names. */
  @Override
  public String toString() {
    return tenants + "x" + keysPerTenant;
  }
}
