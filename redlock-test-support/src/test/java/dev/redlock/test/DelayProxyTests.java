package dev.redlock.test;

import java.io.IOException;
import java.net.ConnectException;
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
		try (DelayProxy proxy = DelayProxy.to(redis.get(0)); RespConnection client = RespConnection.open(RedisServerProcess.HOST, proxy.port(), 5000, null)) {
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
		try (DelayProxy proxy = DelayProxy.to(redis.get(0)); RespConnection client = RespConnection.open(RedisServerProcess.HOST, proxy.port(), 5000, null)) {
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
		try (DelayProxy proxy = DelayProxy.to(redis.get(0)); RespConnection client = RespConnection.open(RedisServerProcess.HOST, proxy.port(), 5000, null)) {
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
		try (DelayProxy proxy = DelayProxy.to(redis.get(0)); RespConnection client = RespConnection.open(RedisServerProcess.HOST, proxy.port(), 5000, null)) {
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
		try (RespConnection client = RespConnection.open(RedisServerProcess.HOST, port, 5000, null)) {
			assertThat(client.call("PING")).isEqualTo("PONG");
			proxy.close();
			assertThat(client.readEnded()).isTrue();
		}
		assertThat(proxy.openConnections()).isZero();
		assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> RespConnection.open(RedisServerProcess.HOST, port, 5000, null).close());
	}

	@Test
	void killedTargetShouldCloseClientConnectionsAndARestartedOneShouldServeNewConnections() throws IOException {
		try (RedisServerProcess server = RedisServerProcess.start(); DelayProxy proxy = DelayProxy.to(server)) {
			try (RespConnection client = RespConnection.open(RedisServerProcess.HOST, proxy.port(), 5000, null)) {
				assertThat(client.call("PING")).isEqualTo("PONG");
				server.kill();
				assertThat(client.readEnded()).isTrue();
			}
			try (RespConnection refused = RespConnection.open(RedisServerProcess.HOST, proxy.port(), 5000, null)) {
				assertThat(refused.readEnded()).isTrue();
			}
			server.restart();
			try (RespConnection client = RespConnection.open(RedisServerProcess.HOST, proxy.port(), 5000, null)) {
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

	private static Duration fastestRoundTrip(RespConnection client, int pings) throws IOException {
		long fastest = Long.MAX_VALUE;
		for (int i = 0; i < pings; i++) {
			fastest = Math.min(fastest, roundTrip(client));
		}
		return Duration.ofNanos(fastest);
	}

	private static long roundTrip(RespConnection client) throws IOException {
		long start = System.nanoTime();
		assertThat(client.call("PING")).isEqualTo("PONG");
		return System.nanoTime() - start;
	}

}
