package dev.redlock.core;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.redlock.LockNotAcquiredException;
import dev.redlock.test.RedisServerProcess;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Outages fail callers at once: once the engine knows that fewer than a quorum of nodes can answer
 * (a probe missed them, a call's connection was refused), an acquisition fails with that reason
 * instead of spending its whole wait time, and locking comes back once a quorum does.
 */
class OutageFailFastTests {

	/** "Well under 100 ms" on an idle machine; this bound leaves room for a loaded one, and is far from 2.5 s. */
	private static final Duration FAST = Duration.ofMillis(250);

	private static final Duration WAIT = Duration.ofMillis(2500);

	private static final Duration CHECK_INTERVAL = Duration.ofMillis(250);

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(5);

	private final List<Redlock> engines = new ArrayList<>();

	@AfterEach
	void closeEngines() {
		this.engines.forEach(Redlock::close);
	}

	private Redlock engine(List<String> uris, Duration holdOut) {
		RedlockSettings settings = new RedlockSettings(Duration.ofSeconds(2), WAIT, Duration.ofMillis(50),
				Duration.ofMillis(50), Duration.ofMillis(300), 0.01, "outage:", false,
				RedlockSettings.DEFAULT_MAX_HOLD_TIME, false);
		Redlock.Builder builder = Redlock.builder(TestNodes.of(uris, settings, 4), settings);
		if (holdOut != null) {
			builder.restartGuard(holdOut, CHECK_INTERVAL);
		}
		Redlock engine = builder.build();
		this.engines.add(engine);
		return engine;
	}

	/** Acquires and expects a fast failure that names every node in {@code named}; returns how long it took. */
	private static Duration failsFast(Redlock engine, String key, List<String> named) {
		long start = System.nanoTime();
		LockNotAcquiredException failure = null;
		try {
			engine.acquire(key, Duration.ofSeconds(2), WAIT).close();
		}
		catch (LockNotAcquiredException ex) {
			failure = ex;
		}
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		assertThat(failure).as("acquisition of %s", key).isNotNull();
		assertThat(failure.getMessage()).contains("a quorum cannot be reached").contains("unreachable");
		for (String node : named) {
			assertThat(failure.getMessage()).contains(node);
		}
		return took;
	}

	/** Waits until a lock is taken again: within a probe interval, plus the hold-out of nodes that restarted empty. */
	private static void awaitLocking(Redlock engine, Duration holdOut) {
		await().atMost(holdOut.plus(CHECK_INTERVAL).plusSeconds(8))
			.until(() -> engine.tryAcquire("k", Duration.ofSeconds(2), Duration.ZERO).map((handle) -> {
				handle.close();
				return true;
			}).orElse(false));
	}

	private static List<String> hostPorts(List<RedisServerProcess> servers) {
		return servers.stream().map((server) -> RedisServerProcess.HOST + ":" + server.port()).toList();
	}

	@Test
	void threeOfFiveNodesDownShouldFailEveryCallAtOnceAndLockAgainOnceTheyAreBack() {
		Duration holdOut = Duration.ofSeconds(2);
		Redlock engine = engine(redis.servers().uris(), holdOut);
		engine.acquire("k", Duration.ofSeconds(2), WAIT).close();
		List<RedisServerProcess> stopped = redis.servers().all().subList(2, 5);
		stopped.forEach(RedisServerProcess::kill);
		List<String> named = hostPorts(stopped);
		// the engine learns of the outage from its next probe (or a refused call)
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(failsFast(engine, "k", named)).isLessThan(FAST));
		Duration slowest = Duration.ZERO;
		for (int i = 0; i < 20; i++) {
			Duration took = failsFast(engine, "k" + i, named);
			slowest = (took.compareTo(slowest) > 0) ? took : slowest;
		}
		System.out.println("Slowest of 20 calls while 3 of 5 nodes are down: " + slowest.toMillis() + " ms");
		assertThat(slowest).as("the slowest of 20 calls while 3 of 5 nodes are down").isLessThan(FAST);
		stopped.forEach(RedisServerProcess::restart);
		awaitLocking(engine, holdOut);
	}

	@Test
	void oneNodeOnAClosedPortShouldFailEveryCallAtOnceWithAndWithoutTheRestartGuard() throws IOException {
		int port;
		try (ServerSocket socket = new ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		String uri = "redis://" + RedisServerProcess.HOST + ":" + port;
		for (Duration holdOut : new Duration[] { Duration.ofSeconds(2), null }) {
			Redlock engine = engine(List.of(uri), holdOut);
			for (int i = 0; i < 10; i++) {
				Duration took = failsFast(engine, "k", List.of(RedisServerProcess.HOST + ":" + port));
				assertThat(took).as("call %d, restart guard %s", i, (holdOut != null) ? "on" : "off").isLessThan(FAST);
			}
		}
	}

	@Test
	void oneNodeThatStopsShouldFailCallsAtOnceAndLockAgainOnceItIsBack() {
		Duration holdOut = Duration.ofSeconds(2);
		RedisServerProcess server = redis.get(0);
		Redlock engine = engine(List.of(server.uri()), holdOut);
		engine.acquire("k", Duration.ofSeconds(2), WAIT).close();
		server.kill();
		List<String> named = hostPorts(List.of(server));
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(failsFast(engine, "k", named)).isLessThan(FAST));
		for (int i = 0; i < 10; i++) {
			assertThat(failsFast(engine, "k", named)).isLessThan(FAST);
		}
		server.restart();
		awaitLocking(engine, holdOut);
	}

	@Test
	void aNodeThatAnsweredLastShouldStillBeTried() {
		// two of three nodes answer; one refused call to the third must not fail the others' calls
		Redlock engine = engine(redis.servers().uris().subList(0, 3), Duration.ofSeconds(2));
		redis.get(2).kill();
		for (int i = 0; i < 10; i++) {
			engine.acquire("k" + i, Duration.ofSeconds(2), WAIT).close();
		}
	}

}
