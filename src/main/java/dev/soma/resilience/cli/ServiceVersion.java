package dev.soma.resilience.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * What {@code -V}/{@code --version} prints: {@code soma-resilience <version>}, the version the
 * build wrote into {@value #RESOURCE} (Maven resource filtering of {@code project.version}).
 */
public final class ServiceVersion implements IVersionProvider {

  static final String RESOURCE = "/soma-resilience-version.properties";

  @Override
  public String[] getVersion() {
    return new String[] {"soma-resilience " + version()};
  }

  /** The build's version; fails when the resource is missing (a build without resources). */
  public static String version() {
    try (InputStream in = ServiceVersion.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the class path");
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
