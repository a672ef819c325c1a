package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.redlock.LockHandle;
import dev.redlock.LockNotAcquiredException;
import dev.redlock.NodeOutcome;
import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.protocol.RedisNodeAddress;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * docs/operations.md ("Restarted nodes"): "any failed command to a node holds it out until the next probe has seen it": a
 * node that timed out is not asked again, although it answers, until a probe; then it counts
 * again. The engine's own probes are an hour apart here; the test probes by hand.
 */
class FailedNodeHoldOutTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	@Test
	void nodeThatTimedOutShouldBeHeldOutUntilTheNextProbe() {
		Duration lease = Duration.ofSeconds(1);
		RedlockSettings settings = new RedlockSettings(lease, Duration.ZERO, Duration.ofMillis(5), Duration.ofMillis(5),
				Duration.ofMillis(100), 0.01, "test:");
		List<LockNode> nodes = new ArrayList<>();
		for (String uri : redis.uris()) {
			nodes.add(new JedisLockNode(RedisNodeAddress.parse("node", uri), settings.nodeTimeout(), 4));
		}
		List<NodeOutcome> failures = new CopyOnWriteArrayList<>();
		String first = "127.0.0.1:" + redis.get(0).port();
		try (Redlock redlock = Redlock.builder(nodes, settings)
			.restartGuard(lease, Duration.ofHours(1))
			.observer(new LockObserver() {

				@Override
				public void nodeFailed(NodeOutcome outcome) {
					failures.add(outcome);
				}

			})
			.build()) {
			await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
				.until(() -> redlock.probe().stream().allMatch((status) -> status.lockable() && status.problem().isEmpty()));
			redis.get(0).pause(Duration.ofMillis(500));
			redlock.acquire("during-the-pause", lease, Duration.ZERO).close();
			await().atMost(Duration.ofSeconds(5)).until(() -> "PONG".equals(redis.get(0).call("PING")));
			assertThat(failures).as("the frozen node timed out")
				.anyMatch((outcome) -> outcome.node().equals(first) && outcome.status() == NodeOutcome.Status.TIMED_OUT);

			// another owner holds the key on node 1: a lock needs node 0, which answers again
			redis.get(1).call("SET", "test:needs-n0", "someone-else", "PX", "30000");
			assertThatExceptionOfType(LockNotAcquiredException.class)
				.isThrownBy(() -> redlock.acquire("needs-n0", lease, Duration.ZERO))
				.satisfies((ex) -> assertThat(ex.getNodeOutcomes().get(0).detail())
					.as("held out until a probe has seen it").contains("since its last probe"));
			assertThat(redlock.probe().get(0).problem()).isEmpty();
			try (LockHandle handle = redlock.acquire("needs-n0", lease, Duration.ZERO)) {
				assertThat(handle.isValid()).as("taken on nodes 0 and 2 once the probe let node 0 count").isTrue();
			}
		}
	}

}
