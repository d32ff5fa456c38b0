package dev.soma.resilience.api;

import java.util.regex.Pattern;

/** The shape of client-visible identifiers (path segments and id fields). */
final class Ids {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private Ids() {}

  static boolean valid(String id) {
    return id != null && ID.matcher(id).matches();
  }
}
