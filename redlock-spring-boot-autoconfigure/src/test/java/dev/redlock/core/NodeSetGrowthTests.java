package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.redlock.LockHandle;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Growing the node set keeps locking: fresh nodes added to a used set (1 → 3, 3 → 5) are armed at
 * once, while a node that restarted empty after it was armed is still held out for the hold-out.
 * The hold-out is long (a minute), so a node held out by mistake shows as a failed lock.
 */
class NodeSetGrowthTests {

	private static final Duration HOLD_OUT = Duration.ofMinutes(1);

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(5);

	private final List<Redlock> engines = new ArrayList<>();

	@AfterEach
	void closeEngines() {
		this.engines.forEach(Redlock::close);
	}

	/** An engine on the first {@code count} servers. */
	private Redlock engine(String prefix, int count) {
		RedlockSettings settings = TestNodes.settings(Duration.ZERO, prefix);
		Redlock engine = Redlock.builder(TestNodes.of(redis.servers().uris().subList(0, count), settings, 4), settings).restartGuard(HOLD_OUT, Duration.ofMillis(100)).build();
		this.engines.add(engine);
		return engine;
	}

	/** A lock within a second: "at once" next to a hold-out of a minute, yet robust on a loaded machine. */
	private static Optional<LockHandle> lockOnce(Redlock engine, String key) {
		return engine.tryAcquire(key, Duration.ofSeconds(1), Duration.ofSeconds(1));
	}

	private static void grow(String prefix, int from, int to, NodeSetGrowthTests test) {
		Redlock before = test.engine(prefix, from);
		lockOnce(before, "k").orElseThrow().close();
		Redlock after = test.engine(prefix, to);
		Optional<LockHandle> handle = lockOnce(after, "k");
		assertThat(handle).as("a lock right after growing from %d to %d nodes (nodes: %s)", from, to, after.probe())
			.isPresent();
		handle.get().close();
		assertThat(after.probe()).allSatisfy((status) -> assertThat(status.problem()).isEmpty());
		lockOnce(before, "k").orElseThrow().close();
	}

	@Test
	void freshNodesAddedToOneUsedNodeShouldLockAtOnce() {
		grow("grow1to3:", 1, 3, this);
	}

	@Test
	void freshNodesAddedToThreeUsedNodesShouldLockAtOnce() {
		grow("grow3to5:", 3, 5, this);
	}

	@Test
	void aUsedNodeThatRestartedEmptyShouldStayHeldOutWhenFreshOnesAreAdded() {
		Redlock before = engine("growrestart:", 3);
		lockOnce(before, "k").orElseThrow().close();
		before.close();
		redis.get(1).restart();
		Redlock after = engine("growrestart:", 5);
		Optional<LockHandle> handle = lockOnce(after, "k");
		assertThat(handle).as("4 of 5 nodes count (nodes: %s)", after.probe()).isPresent();
		handle.get().close();
		List<NodeStatus> statuses = after.probe();
		assertThat(statuses.get(1).problem()).contains("restarted empty");
		for (int i : new int[] { 0, 2, 3, 4 }) {
			assertThat(statuses.get(i).problem()).as("node %d", i).isEmpty();
		}
	}

}
