package dev.redlock.autoconfigure;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.redlock.LockHandle;
import dev.redlock.LockNotAcquiredException;
import dev.redlock.LockTemplate;
import dev.redlock.test.RedisBinary;
import dev.redlock.test.RedisServerProcess;
import dev.redlock.test.RequiredOnCi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code rediss://} nodes with a CA generated for the test: locks work when the CA is trusted
 * through a Spring Boot SSL bundle, and fail when it is not (or the certificate names another
 * host). Skipped where {@code openssl} is missing or {@code redis-server} was built without TLS,
 * except on CI ({@code CI=true}), where that fails.
 */
class TlsTests {

	@TempDir
	static Path certificates;

	private static final List<RedisServerProcess> servers = new ArrayList<>();

	private static final List<Integer> tlsPorts = new ArrayList<>();

	private static int wrongHostPort;

	@BeforeAll
	static void startTlsNodes() throws Exception {
		RequiredOnCi.assume(openssl("version"), "openssl is not installed (it makes the test CA)");
		openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
				"-subj", "/CN=Redlock Test CA");
		certificate("server", "subjectAltName=IP:127.0.0.1");
		certificate("other", "subjectAltName=DNS:redis.example.com");
		for (int i = 0; i < 3; i++) {
			int port = freePort();
			RedisServerProcess server = startTls(port, "server");
			RequiredOnCi.assume(server != null, "redis-server " + RedisBinary.locate().path() + " was built without TLS");
			servers.add(server);
			tlsPorts.add(port);
		}
		wrongHostPort = freePort();
		servers.add(startTls(wrongHostPort, "other"));
	}

	@AfterAll
	static void stop() {
		servers.forEach(RedisServerProcess::close);
	}

	private static RedisServerProcess startTls(int port, String certificate) {
		try {
			return RedisServerProcess.start("--tls-port", Integer.toString(port), "--tls-cert-file",
					certificates.resolve(certificate + ".crt").toString(), "--tls-key-file",
					certificates.resolve(certificate + ".key").toString(), "--tls-ca-cert-file",
					certificates.resolve("ca.crt").toString(), "--tls-auth-clients", "no");
		}
		catch (IllegalStateException ex) {
			return null;
		}
	}

	private static void certificate(String name, String extension) throws Exception {
		openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj",
				"/CN=" + name);
		Files.writeString(certificates.resolve(name + ".ext"), extension + "\n");
		openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out",
				name + ".crt", "-days", "2", "-extfile", name + ".ext");
	}

	private static boolean openssl(String... args) throws InterruptedException {
		List<String> command = new ArrayList<>(List.of("openssl"));
		command.addAll(List.of(args));
		try {
			Process process = new ProcessBuilder(command).directory(certificates.toFile())
				.redirectErrorStream(true)
				.redirectOutput(certificates.resolve("openssl.log").toFile())
				.start();
			return process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private static String nodes(List<Integer> ports) {
		return String.join(",", ports.stream().map((port) -> "rediss://127.0.0.1:" + port).toList());
	}

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, RedlockAutoConfiguration.class))
		.withPropertyValues("redlock.restart-guard.enabled=false", "redlock.node-timeout=500ms", "redlock.wait-time=0s",
				"spring.ssl.bundle.pem.redis.truststore.certificate=file:" + certificates.resolve("ca.crt"));

	@Test
	void nodesShouldLockOverTlsWhenTheBundleTrustsTheirCa() {
		this.runner.withPropertyValues("redlock.nodes=" + nodes(tlsPorts), "redlock.ssl.bundle=redis")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				String key = context.getBean(LockTemplate.class).execute("tls", LockHandle::key);
				assertThat(key).isEqualTo("redlock:tls");
			});
	}

	@Test
	void untrustedCaShouldKeepTheNodesOutOfReach() {
		this.runner.withPropertyValues("redlock.nodes=" + nodes(tlsPorts)).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThatExceptionOfType(LockNotAcquiredException.class)
				.isThrownBy(() -> context.getBean(LockTemplate.class).execute("tls", LockHandle::key))
				.satisfies((ex) -> assertThat(ex.getAcquiredNodes()).isZero());
		});
	}

	@Test
	void certificateForAnotherHostShouldBeRejected() {
		this.runner.withPropertyValues("redlock.nodes=" + nodes(List.of(wrongHostPort)), "redlock.ssl.bundle=redis")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThatExceptionOfType(LockNotAcquiredException.class)
					.isThrownBy(() -> context.getBean(LockTemplate.class).execute("tls", LockHandle::key))
					.satisfies((ex) -> assertThat(ex.getNodeOutcomes().get(0).detail())
						.containsIgnoringCase("subject alternative"));
				assertThat(servers.get(3).keys("*")).isEmpty();
			});
	}

	@Test
	void springBootRedisSslShouldLockOverTlsWithItsBundle() {
		bootRedis().withPropertyValues("spring.data.redis.ssl.enabled=true", "spring.data.redis.ssl.bundle=redis",
				"spring.ssl.bundle.pem.redis.options.enabled-protocols=TLSv1.3")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(LockTemplate.class).execute("boot-tls", LockHandle::key))
					.isEqualTo("redlock:boot-tls");
			});
	}

	@Test
	void sslBundleOptionsShouldReachTheSockets() {
		// TLS 1.1 is disabled in the JDK, so a bundle that allows only it cannot connect
		bootRedis().withPropertyValues("spring.data.redis.ssl.enabled=true", "spring.data.redis.ssl.bundle=redis",
				"spring.ssl.bundle.pem.redis.options.enabled-protocols=TLSv1.1")
			.run((context) -> assertThatExceptionOfType(LockNotAcquiredException.class)
				.isThrownBy(() -> context.getBean(LockTemplate.class).execute("tls", LockHandle::key))
				.satisfies((ex) -> assertThat(ex.getNodeOutcomes().get(0).detail()).containsIgnoringCase("protocol")));
	}

	@Test
	void springBootRedisUrlWithRedissShouldUseTls() {
		// no bundle: the JVM's trust store, which does not trust the test CA
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, DataRedisAutoConfiguration.class,
					RedlockAutoConfiguration.class))
			.withPropertyValues("redlock.restart-guard.enabled=false", "redlock.node-timeout=500ms",
					"redlock.wait-time=0s", "spring.data.redis.url=rediss://127.0.0.1:" + tlsPorts.get(0))
			.run((context) -> assertThatExceptionOfType(LockNotAcquiredException.class)
				.isThrownBy(() -> context.getBean(LockTemplate.class).execute("tls", LockHandle::key))
				.satisfies((ex) -> assertThat(ex.getNodeOutcomes().get(0).detail()).contains("PKIX")));
	}

	private ApplicationContextRunner bootRedis() {
		return this.runner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + tlsPorts.get(0));
	}

	@Test
	void unknownBundleShouldFailStartupNamingTheProperty() {
		this.runner.withPropertyValues("redlock.nodes=" + nodes(tlsPorts), "redlock.ssl.bundle=nope")
			.run((context) -> assertThat(context.getStartupFailure())
				.hasStackTraceContaining(RedlockConfigurationException.class.getName())
				.hasStackTraceContaining("Invalid property 'redlock.ssl.bundle': there is no SSL bundle named 'nope'"));
	}

}
