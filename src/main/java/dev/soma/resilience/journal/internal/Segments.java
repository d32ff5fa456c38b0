package dev.soma.resilience.journal.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Naming and listing of the journal's segment files. Blocking: the journal's thread. */
public final class Segments {

  private static final Pattern NAME = Pattern.compile("(\\d{20})\\.seg");

  private Segments() {}

  public static Path path(Path dir, long firstSequence) {
    return dir.resolve(String.format("%020d.seg", firstSequence));
  }

  /** The segment files in {@code dir}, oldest first, with their first sequence numbers. */
  public static List<Path> list(Path dir) throws IOException {
    List<Path> found = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files
          .filter(p -> NAME.matcher(p.getFileName().toString()).matches())
          .sorted()
          .forEach(found::add);
    }
    return found;
  }

  public static long firstSequence(Path segment) {
    Matcher m = NAME.matcher(segment.getFileName().toString());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a journal segment: " + segment);
    }
    return Long.parseLong(m.group(1));
  }
}
