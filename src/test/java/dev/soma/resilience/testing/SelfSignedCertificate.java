package dev.soma.resilience.testing;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate and its private key as PEM files, made by the JDK's own {@code keytool}
 * (so tests need nothing but a JDK). The certificate is its own authority: trusting it as a root
 * certificate trusts exactly this server.
 */
public record SelfSignedCertificate(Path certificate, Path privateKey) {

  private static final String PASSWORD = "test-only";

  /**
   * Makes {@code <name>.crt} and {@code <name>.key} in {@code dir}, for the subject alternative
   * names {@code san} in keytool's syntax ({@code dns:localhost}, {@code ip:127.0.0.1}).
   */
  public static SelfSignedCertificate create(Path dir, String name, String... san)
      throws Exception {
    return create(dir, name, "RSA", san);
  }

  /** The same with an elliptic-curve (P-256) key. */
  public static SelfSignedCertificate createEc(Path dir, String name, String... san)
      throws Exception {
    return create(dir, name, "EC", san);
  }

  private static SelfSignedCertificate create(
      Path dir, String name, String keyAlgorithm, String[] san) throws Exception {
    Path store = dir.resolve(name + ".p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                name,
                "-keyalg",
                keyAlgorithm,
                "-keysize",
                keyAlgorithm.equals("EC") ? "256" : "2048",
                "-validity",
                "2",
                "-dname",
                "CN=" + name,
                "-ext",
                "SAN=" + String.join(",", san),
                "-keystore",
                store.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD)
            .redirectErrorStream(true)
            .start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + output);
    }
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, PASSWORD.toCharArray());
    }
    Path certificate = dir.resolve(name + ".crt");
    Path privateKey = dir.resolve(name + ".key");
    Files.writeString(certificate, pem("CERTIFICATE", keys.getCertificate(name).getEncoded()));
    Files.writeString(
        privateKey, pem("PRIVATE KEY", keys.getKey(name, PASSWORD.toCharArray()).getEncoded()));
    // PostgreSQL refuses a key file that others may read
    Files.setPosixFilePermissions(privateKey, PosixFilePermissions.fromString("rw-------"));
    return new SelfSignedCertificate(certificate, privateKey);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
