package dev.redlock.core.jedis.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;

import dev.redlock.core.Exchange;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The read-ahead exchange proves itself on each node before its first use: on a real Redis it
 * passes; against a server whose replies to the check come back wrong (what a Jedis that reads
 * replies another way would see), the node is refused the exchange and its connections still
 * serve plain calls.
 */
@ExtendWith(OutputCaptureExtension.class)
class SplitExchangesSelfCheckTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(1);

	private final JedisClientConfig config = DefaultJedisClientConfig.builder().socketTimeoutMillis(2000).build();

	private WrongEchoServer server;

	@AfterEach
	void stop() throws IOException {
		if (this.server != null) {
			this.server.close();
		}
	}

	private static ConnectionPoolConfig pool() {
		ConnectionPoolConfig pool = new ConnectionPoolConfig();
		pool.setMaxTotal(2);
		pool.setMaxWait(Duration.ofSeconds(2));
		return pool;
	}

	@Test
	void realRedisShouldPassTheSelfCheckBeforeTheFirstExchange() throws Exception {
		HostAndPort node = new HostAndPort("127.0.0.1", redis.get(0).port());
		SplitExchanges exchanges = SplitExchanges.create("n", node, this.config, pool(), (ex) -> ex);
		assertThat(exchanges.start(null, null, (reply) -> reply != null, null, "test:k", "t", "NX", "PX", "10000"))
			.as("not before the self-check has passed").isNull();
		await().atMost(Duration.ofSeconds(5)).until(() -> {
			Exchange exchange = exchanges.start(null, null, (reply) -> reply != null, null, "test:k", "t", "NX", "PX",
					"10000");
			return exchange != null && exchange.finish();
		});
		assertThat(redis.get(0).call("GET", "test:k")).isEqualTo("t");
	}

	@Test
	void repliesOutOfStepShouldRefuseTheExchangeButKeepPlainCalls(CapturedOutput output) throws Exception {
		this.server = new WrongEchoServer();
		SplitExchanges exchanges = SplitExchanges.create("fake", new HostAndPort("127.0.0.1", this.server.port()),
				this.config, pool(), (ex) -> ex);
		assertThat(exchanges.start(null, null, (reply) -> reply != null, null, "k", "t", "NX", "PX", "10000"))
			.as("starts the self-check").isNull();
		await().atMost(Duration.ofSeconds(5)).until(() -> output.getAll().contains("failed its self-check"));
		assertThat(exchanges.start(null, null, (reply) -> reply != null, null, "k", "t", "NX", "PX", "10000"))
			.as("refused after the failed self-check").isNull();
		try (Connection connection = ((redis.clients.jedis.providers.PooledConnectionProvider) exchanges.provider())
			.getConnection()) {
			assertThat(connection.ping()).as("plain calls still work, on a new connection").isTrue();
		}
		assertThat(this.server.connections()).as("the checked connection was dropped").isEqualTo(2);
	}

	/** Answers like Redis, except that PING with a message gets another message back. */
	private static final class WrongEchoServer implements AutoCloseable {

		private final ServerSocket socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());

		private final List<Socket> clients = new ArrayList<>();

		private volatile int accepted;

		WrongEchoServer() throws IOException {
			Thread thread = new Thread(this::accept, "wrong-echo-server");
			thread.setDaemon(true);
			thread.start();
		}

		int port() {
			return this.socket.getLocalPort();
		}

		int connections() {
			return this.accepted;
		}

		private void accept() {
			try {
				while (!this.socket.isClosed()) {
					Socket client = this.socket.accept();
					this.accepted++;
					synchronized (this.clients) {
						this.clients.add(client);
					}
					Thread serving = new Thread(() -> serve(client), "wrong-echo-client");
					serving.setDaemon(true);
					serving.start();
				}
			}
			catch (IOException ex) {
				// closed
			}
		}

		private static void serve(Socket client) {
			try (client; InputStream in = new BufferedInputStream(client.getInputStream());
					OutputStream out = client.getOutputStream()) {
				while (true) {
					List<String> command = readCommand(in);
					if (command == null) {
						return;
					}
					String name = command.get(0).toUpperCase(Locale.ROOT);
					String reply;
					if (name.equals("PING") && command.size() > 1) {
						reply = bulk("not-" + command.get(1).substring(0, Math.min(8, command.get(1).length())));
					}
					else if (name.equals("PING")) {
						reply = "+PONG\r\n";
					}
					else {
						reply = "+OK\r\n";
					}
					out.write(reply.getBytes(StandardCharsets.UTF_8));
					out.flush();
				}
			}
			catch (IOException ex) {
				// the client went away
			}
		}

		private static String bulk(String text) {
			return "$" + text.length() + "\r\n" + text + "\r\n";
		}

		private static List<String> readCommand(InputStream in) throws IOException {
			String header = readLine(in);
			if (header == null) {
				return null;
			}
			int count = Integer.parseInt(header.substring(1));
			List<String> parts = new ArrayList<>(count);
			for (int i = 0; i < count; i++) {
				int length = Integer.parseInt(readLine(in).substring(1));
				byte[] bytes = in.readNBytes(length + 2);
				parts.add(new String(bytes, 0, length, StandardCharsets.UTF_8));
			}
			return parts;
		}

		private static String readLine(InputStream in) throws IOException {
			StringBuilder line = new StringBuilder();
			int c;
			while ((c = in.read()) >= 0) {
				if (c == '\n') {
					return line.toString().stripTrailing();
				}
				line.append((char) c);
			}
			return null;
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
			synchronized (this.clients) {
				for (Socket client : this.clients) {
					client.close();
				}
			}
		}

	}

}
