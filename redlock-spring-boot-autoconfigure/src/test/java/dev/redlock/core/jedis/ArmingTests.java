package dev.redlock.core.jedis;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.redlock.core.ArmableNode;
import dev.redlock.core.NodeFailure;
import dev.redlock.core.NodeStatus;
import dev.redlock.protocol.RedisNodeAddress;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A node that must be armed grants no lock until it is armed (the engine does that once the node
 * has been up for the hold-out); a restart wipes the marker, so an emptied node refuses locks again
 * even through brand-new connections that never failed. Its fencing counters can be read and
 * raised in batches. (Cluster members are never armed: {@code TopologyTests}.)
 */
class ArmingTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(1);

	private static final String MARKER = "test:__redlock_armed__";

	private static final ArmableNode.Keys KEYS = new ArmableNode.Keys(MARKER, "test:__redlock_arming__",
			"test:__redlock_registry__:");

	private static ArmableNode arming(JedisLockNode node) {
		ArmableNode arming = node.capability(ArmableNode.class).orElseThrow();
		arming.requireArming(KEYS);
		return arming;
	}

	@Test
	void emptiedNodeShouldRefuseLocksUntilAProbeArmsItAfterTheHoldOut() {
		Duration holdOut = Duration.ofSeconds(2);
		try (JedisLockNode node = new JedisLockNode(RedisNodeAddress.parse("n", redis.uris().get(0)),
				Duration.ofMillis(500), 4)) {
			ArmableNode arming = arming(node);
			NodeStatus unarmed = node.probe("test:canary");
			assertThat(unarmed.armed()).isFalse();
			assertThat(unarmed.reachable()).isTrue();
			assertThat(unarmed.lockable()).isFalse();
			assertThat(arming.arm(arming.beginArming(), unarmed.runId())).isTrue();
			NodeStatus armed = node.probe("test:canary");
			assertThat(armed.armed()).isTrue();
			assertThat(armed.lockable()).isTrue();
			assertThat(node.tryAcquire(List.of("test:k"), "t1", 10_000)).isTrue();
			assertThat(node.release(List.of("test:k"), "t1")).isTrue();

			redis.get(0).restart();
			try (JedisLockNode fresh = new JedisLockNode(RedisNodeAddress.parse("n", redis.uris().get(0)),
					Duration.ofMillis(500), 4)) {
				ArmableNode freshArming = arming(fresh);
				assertThatExceptionOfType(NodeFailure.class).as("brand-new connection to the emptied node")
					.isThrownBy(() -> fresh.tryAcquire(List.of("test:k"), "t2", 10_000))
					.withMessageContaining("not armed");
				assertThatExceptionOfType(NodeFailure.class)
					.isThrownBy(() -> fresh.tryAcquireFenced("test:k", "t2", 10_000, "test:k:fencing"));
				NodeStatus early = fresh.probe("test:canary");
				assertThat(early.lockable()).as("a probe does not arm").isFalse();
				assertThat(early.armed()).isFalse();
				assertThat(early.problem()).contains("not armed");
				assertThat(early.uptime()).isLessThan(holdOut);
				assertThat(freshArming.arm(freshArming.beginArming(), early.runId())).isTrue();
				assertThat(fresh.probe("test:canary").lockable()).isTrue();
				assertThat(redis.get(0).call("GET", MARKER)).isEqualTo(early.runId());
				assertThat(fresh.tryAcquire(List.of("test:k"), "t2", 10_000)).isTrue();
				assertThat(fresh.tryAcquire(List.of("test:k"), "t3", 10_000)).as("held by t2").isFalse();
			}
		}
	}

	@Test
	void fencingCountersShouldBeReadInBatchesAndRaisedButNeverLowered() {
		try (JedisLockNode node = new JedisLockNode(RedisNodeAddress.parse("n", redis.uris().get(0)),
				Duration.ofMillis(500), 4)) {
			ArmableNode arming = arming(node);
			Map<String, Long> read = new HashMap<>();
			assertThat(arming.readFencingCounters("test:", ":fencing", read::putAll)).as("not armed").isFalse();
			assertThat(arming.arm(arming.beginArming(), "r1")).isTrue();
			for (int i = 0; i < 1200; i++) {
				redis.get(0).call("SET", "test:key-" + i + ":fencing", Integer.toString(i));
			}
			redis.get(0).call("SET", "test:key-0", "a lock, not a counter");
			redis.get(0).call("SET", "other:key:fencing", "7");
			assertThat(arming.readFencingCounters("test:", ":fencing", read::putAll)).isTrue();
			assertThat(read).hasSize(1200).containsEntry("test:key-1199:fencing", 1199L);

			arming.raiseFencingCounters(Map.of("test:key-5:fencing", 3L, "test:key-6:fencing", 60L,
					"test:new:fencing", 2L));
			assertThat(redis.get(0).call("GET", "test:key-5:fencing")).as("never lowered").isEqualTo("5");
			assertThat(redis.get(0).call("GET", "test:key-6:fencing")).isEqualTo("60");
			assertThat(redis.get(0).call("GET", "test:new:fencing")).isEqualTo("2");
		}
	}

}
