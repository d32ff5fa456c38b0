package dev.soma.resilience.common.db;

import dev.soma.resilience.config.DatabaseUrl;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;

/**
 * TLS to PostgreSQL as the URL's {@code sslmode} says, with libpq's meaning, for the Vert.x client:
 * the verifying modes trust only {@code sslrootcert} ({@code verify-full} also checks the host
 * name), the others trust any certificate; a client certificate, when the URL names one, is
 * presented.
 */
final class PgTls {

  private PgTls() {}

  /** {@code options} with the TLS {@code tls} asks for (none for {@code disable}). */
  static PgConnectOptions applied(PgConnectOptions options, DatabaseUrl.Tls tls) {
    if (tls.mode() == DatabaseUrl.SslMode.DISABLE) {
      return options;
    }
    ClientSSLOptions ssl =
        new ClientSSLOptions()
            .setHostnameVerificationAlgorithm(
                tls.mode() == DatabaseUrl.SslMode.VERIFY_FULL ? "HTTPS" : "");
    tls.rootCert()
        .ifPresentOrElse(
            cert -> ssl.setTrustOptions(new PemTrustOptions().addCertPath(cert.toString())),
            () -> ssl.setTrustAll(true));
    tls.client()
        .ifPresent(
            client ->
                ssl.setKeyCertOptions(
                    new PemKeyCertOptions()
                        .setCertPath(client.certificate().toString())
                        .setKeyPath(client.privateKey().toString())));
    return options.setSslMode(SslMode.of(tls.mode().value())).setSslOptions(ssl);
  }
}
