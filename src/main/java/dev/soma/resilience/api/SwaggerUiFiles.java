package dev.soma.resilience.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * Where the Swagger UI's files are on the class path: its page and initializer are the service's
 * own ({@code api-docs/}), its scripts, styles and icons come from the {@code
 * org.webjars:swagger-ui} jar, in the folder of the version the build packaged. Fails at class load
 * when that jar is missing.
 */
final class SwaggerUiFiles {

  /** The page that loads the UI. */
  static final String PAGE = "api-docs/index.html";

  private static final String WEBJAR =
      "META-INF/resources/webjars/swagger-ui/" + webjarVersion() + "/";

  /** The files {@code /docs/{asset}} serves, and where each comes from; nothing else is served. */
  static final Map<String, String> ASSETS =
      Map.of(
          "swagger-ui.css", WEBJAR + "swagger-ui.css",
          "index.css", WEBJAR + "index.css",
          "swagger-ui-bundle.js", WEBJAR + "swagger-ui-bundle.js",
          "swagger-ui-standalone-preset.js", WEBJAR + "swagger-ui-standalone-preset.js",
          "favicon-32x32.png", WEBJAR + "favicon-32x32.png",
          "favicon-16x16.png", WEBJAR + "favicon-16x16.png",
          "swagger-initializer.js", "api-docs/swagger-initializer.js");

  private SwaggerUiFiles() {}

  private static String webjarVersion() {
    String properties = "META-INF/maven/org.webjars/swagger-ui/pom.properties";
    try (InputStream in = SwaggerUiFiles.class.getClassLoader().getResourceAsStream(properties)) {
      if (in == null) {
        throw new IllegalStateException("the swagger-ui webjar is not on the class path");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
