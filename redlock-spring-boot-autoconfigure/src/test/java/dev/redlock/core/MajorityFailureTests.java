package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.redlock.LockNotAcquiredException;
import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.core.jedis.RedisNodeAddress;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With a majority of nodes gone, every acquisition ends in time with
 * {@link LockNotAcquiredException}: no hang, no connection kept from the pools, no thread left
 * once the engine is closed.
 */
class MajorityFailureTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(5);

	private static long redlockThreads() {
		return Thread.getAllStackTraces().keySet().stream()
			.filter((thread) -> thread.getName().startsWith("redlock-"))
			.count();
	}

	@Test
	void acquisitionsShouldEndWithinWaitPlusNodeTimeoutAndLeakNothing() throws Exception {
		long threadsBefore = redlockThreads();
		Duration nodeTimeout = Duration.ofMillis(100);
		Duration waitTime = Duration.ofMillis(400);
		RedlockSettings settings = new RedlockSettings(Duration.ofSeconds(5), waitTime, Duration.ofMillis(20),
				Duration.ofMillis(20), nodeTimeout, 0.01, "test:");
		List<JedisLockNode> nodes = new ArrayList<>();
		for (String uri : redis.uris()) {
			nodes.add(new JedisLockNode(RedisNodeAddress.parse("node", uri), nodeTimeout, 4));
		}
		Redlock redlock = Redlock.builder(nodes, settings).restartGuard(Duration.ofSeconds(5), Duration.ofMillis(200))
			.build();
		redis.get(0).kill();
		redis.get(2).kill();
		redis.get(3).pause(Duration.ofSeconds(3));
		ExecutorService callers = Executors.newFixedThreadPool(8);
		List<Future<Long>> calls = new ArrayList<>();
		for (int i = 0; i < 16; i++) {
			String key = "key-" + (i % 4);
			calls.add(callers.submit(() -> {
				long start = System.nanoTime();
				try {
					redlock.acquire(key, Duration.ofSeconds(5), waitTime).close();
					return -1L;
				}
				catch (LockNotAcquiredException ex) {
					return System.nanoTime() - start;
				}
			}));
		}
		long bound = waitTime.plus(nodeTimeout.multipliedBy(3)).plusMillis(500).toNanos();
		for (Future<Long> call : calls) {
			long elapsed = call.get(10, TimeUnit.SECONDS);
			assertThat(elapsed).as("acquisition refused").isNotNegative();
			assertThat(Duration.ofNanos(elapsed)).as("refused in time").isLessThan(Duration.ofNanos(bound));
		}
		callers.shutdown();
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(nodes)
			.allSatisfy((node) -> assertThat(node.connectionsInUse()).as("%s borrowed", node).isZero()));
		redlock.close();
		await().atMost(Duration.ofSeconds(10)).until(() -> redlockThreads() <= threadsBefore);
		await().atMost(Duration.ofSeconds(5)).until(() -> redis.get(3).call("PING") != null);
		// no lock key left; the engine's own keys (arming marker and registry) live on by design
		assertThat(redis.get(1).keys("test:*")).allMatch((key) -> key.contains("__redlock_"));
		assertThat(redis.get(4).keys("test:*")).allMatch((key) -> key.contains("__redlock_"));
	}

}
