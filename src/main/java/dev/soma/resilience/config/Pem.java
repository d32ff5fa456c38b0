package dev.soma.resilience.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM files named in configuration, checked when the configuration is read rather than when a
 * connection first needs them. Every check throws {@link IllegalArgumentException} with the reason
 * (never with key material); callers turn it into a {@link ConfigException} naming their setting.
 */
final class Pem {

  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

  private Pem() {}

  /** The text of {@code file}. */
  static String read(Path file) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IllegalArgumentException(file + " is not a readable file");
    }
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (MalformedInputException e) {
      throw new IllegalArgumentException(
          file + " is not PEM text (a binary DER file? convert it with openssl)");
    } catch (IOException e) {
      throw new IllegalArgumentException(file + " could not be read (" + e.getMessage() + ")");
    }
  }

  /** The certificates of {@code file}'s CERTIFICATE blocks, in order; other blocks are ignored. */
  static List<X509Certificate> certificates(Path file) {
    return certificates(read(file), file);
  }

  /** The same for {@code text}, already read from {@code file}. */
  static List<X509Certificate> certificates(String text, Path file) {
    List<X509Certificate> certificates = new ArrayList<>();
    for (byte[] der : blocks(text, "CERTIFICATE")) {
      try {
        certificates.add(
            (X509Certificate)
                CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der)));
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException(
            file + " holds a certificate that cannot be read (" + e.getMessage() + ")");
      }
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(file + " holds no PEM certificate");
    }
    return certificates;
  }

  /** What is wrong with {@code file} as a PEM file of certificates; empty when nothing is. */
  static Optional<String> certificatesProblem(Path file) {
    try {
      certificates(file);
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
  }

  /**
   * Checks that {@code keyText} (read from {@code file}) holds an unencrypted PKCS#8 RSA or EC
   * private key that belongs to {@code certificate}: it signs what the certificate's public key
   * verifies.
   */
  static void checkPrivateKey(String keyText, Path file, X509Certificate certificate) {
    List<byte[]> keys = blocks(keyText, "PRIVATE KEY");
    if (keys.isEmpty()) {
      throw new IllegalArgumentException(
          file
              + " holds no unencrypted PKCS#8 private key (-----BEGIN PRIVATE KEY-----; convert"
              + " others with openssl pkcs8 -topk8 -nocrypt)");
    }
    String algorithm = certificate.getPublicKey().getAlgorithm();
    if (!algorithm.equals("RSA") && !algorithm.equals("EC")) {
      throw new IllegalArgumentException(
          "the certificate's key is " + algorithm + "; RSA and EC keys are supported");
    }
    try {
      PrivateKey key =
          KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(keys.get(0)));
      String scheme = algorithm.equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
      byte[] probe = "does this key belong to the certificate?".getBytes(StandardCharsets.UTF_8);
      Signature signer = Signature.getInstance(scheme);
      signer.initSign(key);
      signer.update(probe);
      Signature verifier = Signature.getInstance(scheme);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      if (!verifier.verify(signer.sign())) {
        throw new IllegalArgumentException(file + " holds the private key of another certificate");
      }
    } catch (GeneralSecurityException e) {
      // the exception's class only: its message could quote the key
      throw new IllegalArgumentException(
          file
              + " holds no "
              + algorithm
              + " private key that can be read ("
              + e.getClass().getSimpleName()
              + ")");
    }
  }

  private static List<byte[]> blocks(String text, String type) {
    List<byte[]> blocks = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      if (m.group(1).equals(type)) {
        try {
          blocks.add(Base64.getMimeDecoder().decode(m.group(2)));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("a " + type + " block is not valid base64");
        }
      }
    }
    return blocks;
  }
}
