package dev.redlock.core.jedis;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.redlock.core.NodeStatus;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * A node that must be armed grants no lock until a probe has armed it, which happens only once the
 * node has been up for the hold-out; a restart wipes the marker, so an emptied node refuses locks
 * again even through brand-new connections that never failed.
 */
class ArmingTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(1);

	private static final String MARKER = "test:__redlock_armed__";

	@Test
	void emptiedNodeShouldRefuseLocksUntilAProbeArmsItAfterTheHoldOut() {
		Duration holdOut = Duration.ofSeconds(2);
		try (JedisLockNode node = new JedisLockNode(RedisNodeAddress.parse("n", redis.uris().get(0)),
				Duration.ofMillis(500), 4)) {
			assertThat(node.requireArming(MARKER, holdOut)).isTrue();
			await().atMost(Duration.ofSeconds(10)).until(() -> {
				NodeStatus status = node.probe("test:canary");
				return status.lockable();
			});
			assertThat(node.tryAcquire(List.of("test:k"), "t1", 10_000)).isTrue();
			assertThat(node.release(List.of("test:k"), "t1")).isTrue();

			redis.get(0).restart();
			try (JedisLockNode fresh = new JedisLockNode(RedisNodeAddress.parse("n", redis.uris().get(0)),
					Duration.ofMillis(500), 4)) {
				fresh.requireArming(MARKER, holdOut);
				assertThatIllegalStateException().as("brand-new connection to the emptied node")
					.isThrownBy(() -> fresh.tryAcquire(List.of("test:k"), "t2", 10_000))
					.withMessageContaining("not armed");
				assertThatIllegalStateException()
					.isThrownBy(() -> fresh.tryAcquireFenced("test:k", "t2", 10_000, "test:k:fencing"));
				NodeStatus early = fresh.probe("test:canary");
				assertThat(early.lockable()).as("a probe before the hold-out does not arm").isFalse();
				assertThat(early.problem()).contains("not armed");
				await().atMost(Duration.ofSeconds(10)).until(() -> fresh.probe("test:canary").lockable());
				assertThat(redis.get(0).call("GET", MARKER)).isEqualTo(early.runId());
				assertThat(fresh.tryAcquire(List.of("test:k"), "t2", 10_000)).isTrue();
				assertThat(fresh.tryAcquire(List.of("test:k"), "t3", 10_000)).as("held by t2").isFalse();
			}
		}
	}

	@Test
	void clusterMembersShouldNotClaimArming() {
		try (JedisLockNode node = new JedisLockNode(
				RedisNodeAddress.parse("n", "redis-cluster://127.0.0.1:" + redis.get(0).port()), Duration.ofMillis(500),
				1)) {
			assertThat(node.requireArming(MARKER, Duration.ofSeconds(1))).isFalse();
		}
		catch (RuntimeException ex) {
			// a non-cluster server may refuse the cluster client at construction; arming is what matters
			assertThat(ex).isNotNull();
		}
	}

}
