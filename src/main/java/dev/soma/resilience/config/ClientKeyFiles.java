package dev.soma.resilience.config;

import static java.nio.file.attribute.PosixFilePermission.GROUP_EXECUTE;
import static java.nio.file.attribute.PosixFilePermission.GROUP_READ;
import static java.nio.file.attribute.PosixFilePermission.GROUP_WRITE;
import static java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE;
import static java.nio.file.attribute.PosixFilePermission.OTHERS_READ;
import static java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * A database client certificate and its key ({@code sslcert}, {@code sslkey}), read and checked at
 * start-up so that a wrong file stops the service with the reason instead of failing every
 * connection: the key must be the certificate's, RSA or EC, unencrypted PKCS#8, in a file the JDBC
 * driver reads as PEM.
 */
final class ClientKeyFiles {

  private ClientKeyFiles() {}

  /** The pair, or {@link IllegalArgumentException} saying what is wrong with which file. */
  static DatabaseUrl.ClientCertificate read(Path cert, Path key) {
    X509Certificate leaf = Pem.certificates(cert).get(0);
    String keyText = Pem.read(key);
    Pem.checkPrivateKey(keyText, key, leaf);
    checkForTheDriver(key, keyText);
    return new DatabaseUrl.ClientCertificate(cert, key, leaf.getPublicKey().getAlgorithm());
  }

  /**
   * What the JDBC driver (the migrations) needs beyond a valid key, checked now rather than failing
   * on every connection attempt: the file's name must not say another format ({@code .der}, {@code
   * .p12}, {@code .pfx}: it goes by the name), the PEM block must come first (it decodes from the
   * start of the file), and no one but the owner may have access ({@code 0640} is allowed when root
   * owns the file), as its {@code BaseX509KeyManager} insists.
   */
  private static void checkForTheDriver(Path key, String keyText) {
    String name = key.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".der") || name.endsWith(".p12") || name.endsWith(".pfx")) {
      throw new IllegalArgumentException(
          key
              + ": the JDBC driver reads a key named *.der, *.p12 or *.pfx as that format; name"
              + " the PEM file *.pem or *.key");
    }
    if (!keyText.stripLeading().startsWith("-----BEGIN PRIVATE KEY-----")) {
      throw new IllegalArgumentException(
          key + " must start with -----BEGIN PRIVATE KEY----- (remove what comes before it)");
    }
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(key);
      boolean rootOwned = Integer.valueOf(0).equals(Files.getAttribute(key, "unix:uid"));
      Set<PosixFilePermission> others =
          EnumSet.of(GROUP_WRITE, GROUP_EXECUTE, OTHERS_READ, OTHERS_WRITE, OTHERS_EXECUTE);
      if (!rootOwned) {
        others.add(GROUP_READ);
      }
      others.retainAll(permissions);
      if (!others.isEmpty()) {
        throw new IllegalArgumentException(
            key
                + " is open to others ("
                + PosixFilePermissions.toString(permissions)
                + "); allow the owner only: chmod 600");
      }
    } catch (UnsupportedOperationException | IOException e) {
      // not a POSIX file system: nothing to check here
    }
  }
}
