package dev.redlock.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;

/**
 * TLS sockets from a Spring Boot {@link SslBundle}: its trust and key material, and its options
 * (enabled protocols and cipher suites), as Spring Boot's own Redis client applies them.
 */
final class SslBundleSockets {

	private SslBundleSockets() {
	}

	/**
	 * The socket factory of a named bundle.
	 * @param property the property that names the bundle, for messages
	 * @param bundle the bundle's name, or {@code null} or blank for none
	 * @param sslBundles the bundles, or {@code null} if the application has none
	 * @return the factory, or {@code null} if no bundle is named
	 * @throws RedlockConfigurationException if the bundle does not exist
	 */
	static SSLSocketFactory named(String property, String bundle, SslBundles sslBundles) {
		if (bundle == null || bundle.isBlank()) {
			return null;
		}
		if (sslBundles == null) {
			throw new RedlockConfigurationException(property,
					"SSL bundle '" + bundle + "' is set but no SslBundles bean exists",
					"Define the bundle under spring.ssl.bundle.*.", null);
		}
		try {
			return of(sslBundles.getBundle(bundle));
		}
		catch (NoSuchSslBundleException ex) {
			throw new RedlockConfigurationException(property, "there is no SSL bundle named '" + bundle + "'",
					"Define it under spring.ssl.bundle.pem." + bundle + " (or .jks." + bundle + "), or fix the name.",
					ex);
		}
	}

	/**
	 * The socket factory of a bundle.
	 * @param bundle the bundle
	 * @return a factory whose sockets use the bundle's material and options
	 */
	static SSLSocketFactory of(SslBundle bundle) {
		SSLSocketFactory factory = bundle.createSslContext().getSocketFactory();
		SslOptions options = bundle.getOptions();
		if (options == null || (options.getCiphers() == null && options.getEnabledProtocols() == null)) {
			return factory;
		}
		return new OptionsSocketFactory(factory, options.getCiphers(), options.getEnabledProtocols());
	}

	/**
	 * Sets the bundle's cipher suites and protocols on every socket it creates. (The node client
	 * sets only host name verification on the socket's parameters, which leaves these alone.)
	 */
	private static final class OptionsSocketFactory extends SSLSocketFactory {

		private final SSLSocketFactory delegate;

		private final String[] ciphers;

		private final String[] protocols;

		OptionsSocketFactory(SSLSocketFactory delegate, String[] ciphers, String[] protocols) {
			this.delegate = delegate;
			this.ciphers = ciphers;
			this.protocols = protocols;
		}

		private Socket configure(Socket socket) {
			if (socket instanceof SSLSocket ssl) {
				if (this.ciphers != null) {
					ssl.setEnabledCipherSuites(this.ciphers);
				}
				if (this.protocols != null) {
					ssl.setEnabledProtocols(this.protocols);
				}
			}
			return socket;
		}

		@Override
		public String[] getDefaultCipherSuites() {
			return (this.ciphers != null) ? this.ciphers.clone() : this.delegate.getDefaultCipherSuites();
		}

		@Override
		public String[] getSupportedCipherSuites() {
			return this.delegate.getSupportedCipherSuites();
		}

		@Override
		public Socket createSocket() throws IOException {
			return configure(this.delegate.createSocket());
		}

		@Override
		public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
			return configure(this.delegate.createSocket(socket, host, port, autoClose));
		}

		@Override
		public Socket createSocket(Socket socket, InputStream consumed, boolean autoClose) throws IOException {
			return configure(this.delegate.createSocket(socket, consumed, autoClose));
		}

		@Override
		public Socket createSocket(String host, int port) throws IOException {
			return configure(this.delegate.createSocket(host, port));
		}

		@Override
		public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
			return configure(this.delegate.createSocket(host, port, localHost, localPort));
		}

		@Override
		public Socket createSocket(InetAddress host, int port) throws IOException {
			return configure(this.delegate.createSocket(host, port));
		}

		@Override
		public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
				throws IOException {
			return configure(this.delegate.createSocket(address, port, localAddress, localPort));
		}

	}

}
