package dev.redlock.test;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * {@link DelayProxy} in front of a real {@code redis-server}.
 */
class DelayProxyTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(1);

	@Test
	void commandsAndRepliesShouldPassThroughUnchanged() throws IOException {
		String large = "x".repeat(300_000);
		try (DelayProxy proxy = DelayProxy.to(redis.get(0)); Client client = new Client(proxy.port())) {
			assertThat(proxy.uri()).isEqualTo("redis://127.0.0.1:" + proxy.port());
			assertThat(proxy.targetPort()).isEqualTo(redis.get(0).port());
			assertThat(client.call("PING")).isEqualTo("PONG");
			assertThat(client.call("SET", "small", "value")).isEqualTo("OK");
			assertThat(client.call("SET", "large", large)).isEqualTo("OK");
			assertThat(client.call("GET", "large")).isEqualTo(large);
			assertThat(proxy.openConnections()).isOne();
		}
		assertThat(redis.get(0).call("GET", "small")).isEqualTo("value");
		assertThat(redis.get(0).call("STRLEN", "large")).isEqualTo(300_000L);
	}

	@Test
	void delayShouldBeAddedInEachDirection() throws IOException {
		try (DelayProxy proxy = DelayProxy.to(redis.get(0)); Client client = new Client(proxy.port())) {
			client.call("PING");
			assertThat(fastestRoundTrip(client, 5)).isLessThan(Duration.ofMillis(100));
			proxy.setDelay(Duration.ofMillis(200));
			assertThat(proxy.delay()).isEqualTo(Duration.ofMillis(200));
			List<Duration> roundTrips = new ArrayList<>();
			for (int i = 0; i < 3; i++) {
				roundTrips.add(Duration.ofNanos(roundTrip(client)));
			}
			// 200ms on the way to Redis and 200ms on the way back
			assertThat(roundTrips).allSatisfy((roundTrip) -> assertThat(roundTrip)
				.isGreaterThanOrEqualTo(Duration.ofMillis(380))
				.isLessThan(Duration.ofSeconds(2)));
		}
	}

	@Test
	void delayChangedAtRuntimeShouldApplyToConnectionsAlreadyOpen() throws IOException {
		try (DelayProxy proxy = DelayProxy.to(redis.get(0)); Client client = new Client(proxy.port())) {
			client.call("PING");
			proxy.setDelay(Duration.ofMillis(100));
			assertThat(fastestRoundTrip(client, 3)).isGreaterThanOrEqualTo(Duration.ofMillis(180));
			proxy.setDelay(Duration.ZERO);
			client.call("PING");
			assertThat(fastestRoundTrip(client, 5)).isLessThan(Duration.ofMillis(100));
		}
	}

	@Test
	void bytesShouldKeepTheirOrderWhileTheDelayChanges() throws IOException {
		int batches = 40;
		int perBatch = 50;
		try (DelayProxy proxy = DelayProxy.to(redis.get(0)); Client client = new Client(proxy.port())) {
			for (int batch = 0; batch < batches; batch++) {
				// a long delay, then none: a later chunk must still wait for the one before it
				proxy.setDelay((batch % 2 == 0) ? Duration.ofMillis(60) : Duration.ZERO);
				for (int i = 0; i < perBatch; i++) {
					client.send("ECHO", Integer.toString(batch * perBatch + i));
				}
			}
			List<Object> replies = new ArrayList<>();
			for (int i = 0; i < batches * perBatch; i++) {
				replies.add(client.read());
			}
			List<Object> expected = new ArrayList<>();
			for (int i = 0; i < batches * perBatch; i++) {
				expected.add(Integer.toString(i));
			}
			assertThat(replies).isEqualTo(expected);
		}
	}

	@Test
	void closeShouldDropOpenConnectionsAndStopListening() throws IOException {
		DelayProxy proxy = DelayProxy.to(redis.get(0));
		int port = proxy.port();
		try (Client client = new Client(port)) {
			assertThat(client.call("PING")).isEqualTo("PONG");
			proxy.close();
			assertThat(client.readEnded()).isTrue();
		}
		assertThat(proxy.openConnections()).isZero();
		assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> new Client(port).close());
	}

	@Test
	void killedTargetShouldCloseClientConnectionsAndARestartedOneShouldServeNewConnections() throws IOException {
		try (RedisServerProcess server = RedisServerProcess.start(); DelayProxy proxy = DelayProxy.to(server)) {
			try (Client client = new Client(proxy.port())) {
				assertThat(client.call("PING")).isEqualTo("PONG");
				server.kill();
				assertThat(client.readEnded()).isTrue();
			}
			try (Client refused = new Client(proxy.port())) {
				assertThat(refused.readEnded()).isTrue();
			}
			server.restart();
			try (Client client = new Client(proxy.port())) {
				assertThat(client.call("PING")).isEqualTo("PONG");
			}
			await().atMost(Duration.ofSeconds(5)).until(() -> proxy.openConnections() == 0);
		}
	}

	@Test
	void targetOtherThanLoopbackShouldBeRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> DelayProxy.start("192.0.2.1", 6379))
			.withMessageContaining("loopback");
		try (DelayProxy proxy = DelayProxy.to(redis.get(0))) {
			assertThatIllegalArgumentException().isThrownBy(() -> proxy.setDelay(Duration.ofMillis(-1)));
		}
	}

	private static Duration fastestRoundTrip(Client client, int pings) throws IOException {
		long fastest = Long.MAX_VALUE;
		for (int i = 0; i < pings; i++) {
			fastest = Math.min(fastest, roundTrip(client));
		}
		return Duration.ofNanos(fastest);
	}

	private static long roundTrip(Client client) throws IOException {
		long start = System.nanoTime();
		assertThat(client.call("PING")).isEqualTo("PONG");
		return System.nanoTime() - start;
	}

	/** One RESP2 connection that stays open, so that round trips measure the proxy, not connecting. */
	private static final class Client implements AutoCloseable {

		private final Socket socket;

		private final InputStream in;

		private final OutputStream out;

		Client(int port) throws IOException {
			this.socket = new Socket();
			try {
				this.socket.connect(new InetSocketAddress(RedisServerProcess.HOST, port), 5000);
				this.socket.setSoTimeout(5000);
				this.socket.setTcpNoDelay(true);
				this.in = new BufferedInputStream(this.socket.getInputStream());
				this.out = this.socket.getOutputStream();
			}
			catch (IOException ex) {
				this.socket.close();
				throw ex;
			}
		}

		Object call(String... command) throws IOException {
			send(command);
			return read();
		}

		void send(String... command) throws IOException {
			ByteArrayOutputStream buffer = new ByteArrayOutputStream();
			buffer.writeBytes(("*" + command.length + "\r\n").getBytes(StandardCharsets.UTF_8));
			for (String part : command) {
				byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
				buffer.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
				buffer.writeBytes(bytes);
				buffer.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
			}
			this.out.write(buffer.toByteArray());
			this.out.flush();
		}

		Object read() throws IOException {
			int type = this.in.read();
			String line = line();
			return switch (type) {
				case '+' -> line;
				case ':' -> Long.parseLong(line);
				case '$' -> {
					int length = Integer.parseInt(line);
					byte[] bytes = this.in.readNBytes(length + 2);
					yield new String(bytes, 0, length, StandardCharsets.UTF_8);
				}
				case '-' -> throw new IOException("Redis error: " + line);
				default -> throw new IOException("Unexpected reply type " + type + ": " + line);
			};
		}

		/** Whether the other side closed the connection: end of stream, or a reset. */
		boolean readEnded() {
			try {
				return this.in.read() == -1;
			}
			catch (IOException ex) {
				return !(ex instanceof java.net.SocketTimeoutException);
			}
		}

		private String line() throws IOException {
			ByteArrayOutputStream line = new ByteArrayOutputStream();
			int current;
			while ((current = this.in.read()) != -1) {
				if (current == '\r') {
					this.in.read();
					return line.toString(StandardCharsets.UTF_8);
				}
				line.write(current);
			}
			throw new IOException("Connection closed");
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
		}

	}

}
