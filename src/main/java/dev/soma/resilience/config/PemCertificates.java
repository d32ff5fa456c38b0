package dev.soma.resilience.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Optional;

/**
 * Checks a certificate file named in configuration when it is read, not when a connection first
 * needs it.
 */
final class PemCertificates {

  private PemCertificates() {}

  /** What is wrong with {@code file} as a PEM file of certificates; empty when nothing is. */
  static Optional<String> problem(Path file) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      return Optional.of(file + " is not a readable file");
    }
    try (InputStream in = Files.newInputStream(file)) {
      if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
        return Optional.of(file + " holds no PEM certificate");
      }
      return Optional.empty();
    } catch (IOException | CertificateException e) {
      return Optional.of(file + " holds no PEM certificate (" + e.getMessage() + ")");
    }
  }
}
