package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.redlock.LockNotAcquiredException;
import dev.redlock.NodeOutcome;
import dev.redlock.NodeOutcome.Status;
import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.protocol.RedisNodeAddress;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With a majority of nodes gone (two killed, one frozen), every acquisition ends in time with
 * {@link LockNotAcquiredException}: no hang, no connection kept from the pools, no thread left
 * once the engine is closed. The faults strike only once every node counts (armed, not held out
 * by the restart guard), and the test checks that commands did reach the killed and the frozen
 * nodes: the engine reported their connection failures and timeouts, not only a guard that kept
 * them out.
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
		Duration lease = Duration.ofSeconds(2);
		RedlockSettings settings = new RedlockSettings(lease, waitTime, Duration.ofMillis(20), Duration.ofMillis(20),
				nodeTimeout, 0.01, "test:");
		List<JedisLockNode> nodes = new ArrayList<>();
		for (String uri : redis.uris()) {
			nodes.add(new JedisLockNode(RedisNodeAddress.parse("node", uri), nodeTimeout, 4));
		}
		List<NodeOutcome> failures = new CopyOnWriteArrayList<>();
		Redlock redlock = Redlock.builder(nodes, settings)
			.restartGuard(lease, Duration.ofMillis(200))
			.observer(new LockObserver() {

				@Override
				public void nodeFailed(NodeOutcome outcome) {
					failures.add(outcome);
				}

			})
			.build();
		// fresh nodes may be held out until armed: the faults must meet nodes that count
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
			.until(() -> redlock.probe().stream().allMatch((status) -> status.lockable() && status.problem().isEmpty()));
		redlock.acquire("warm-up", lease, Duration.ZERO).close();
		failures.clear();
		String killed0 = node(0);
		String killed2 = node(2);
		String frozen = node(3);
		redis.get(0).kill();
		redis.get(2).kill();
		redis.get(3).pause(Duration.ofSeconds(3));
		ExecutorService callers = Executors.newFixedThreadPool(8);
		List<Future<Object>> calls = new ArrayList<>();
		for (int i = 0; i < 16; i++) {
			String key = "key-" + (i % 4);
			calls.add(callers.submit(() -> {
				long start = System.nanoTime();
				try {
					redlock.acquire(key, lease, waitTime).close();
					return "acquired";
				}
				catch (LockNotAcquiredException ex) {
					return new Refusal(System.nanoTime() - start);
				}
			}));
		}
		long bound = waitTime.plus(nodeTimeout.multipliedBy(3)).plusMillis(500).toNanos();
		for (Future<Object> call : calls) {
			Object result = call.get(10, TimeUnit.SECONDS);
			assertThat(result).as("acquisition refused").isInstanceOf(Refusal.class);
			assertThat(Duration.ofNanos(((Refusal) result).nanos())).as("refused in time")
				.isLessThan(Duration.ofNanos(bound));
		}
		callers.shutdown();
		// after its first failure a node is held out until the next probe: the early attempts show it was reached
		List<NodeOutcome> outcomes = List.copyOf(failures);
		// a refused connection is FAILED; on a loaded machine the 100 ms node timeout may end the call first
		assertThat(outcomes).as("a command reached the killed node n0 and failed")
			.anyMatch((outcome) -> reached(outcome, killed0, Status.FAILED) || reached(outcome, killed0, Status.TIMED_OUT));
		assertThat(outcomes).as("a command reached the killed node n2 and failed")
			.anyMatch((outcome) -> reached(outcome, killed2, Status.FAILED) || reached(outcome, killed2, Status.TIMED_OUT));
		assertThat(outcomes).as("a command reached the frozen node n3 and timed out")
			.anyMatch((outcome) -> reached(outcome, frozen, Status.TIMED_OUT));
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(nodes)
			.allSatisfy((node) -> assertThat(node.connectionsInUse()).as("%s borrowed", node).isZero()));
		redlock.close();
		await().atMost(Duration.ofSeconds(10)).until(() -> redlockThreads() <= threadsBefore);
		await().atMost(Duration.ofSeconds(5)).until(() -> redis.get(3).call("PING") != null);
		assertThat(redis.get(1).keys("test:key-*")).isEmpty();
		assertThat(redis.get(4).keys("test:key-*")).isEmpty();
	}

	private record Refusal(long nanos) {
	}

	private static String node(int index) {
		return "127.0.0.1:" + redis.get(index).port();
	}

	/** An outcome of a command that was sent to the node, not one of a node the guard held out. */
	private static boolean reached(NodeOutcome outcome, String node, Status status) {
		return outcome.node().equals(node) && outcome.status() == status && !outcome.detail().contains("probe")
				&& !outcome.detail().contains("held out");
	}

}
