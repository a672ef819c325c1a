package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.redlock.LockHandle;
import dev.redlock.LockNotAcquiredException;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The restart guard on real nodes: a node that never granted a lock (never armed) counts at once,
 * so freshly started servers lock at once; a node that restarted empty after it may have granted
 * locks stays out of the quorum for the hold-out, also for an engine that starts after the
 * restart; and a wait that cannot reach a quorum in time ends at once. Each test uses a key prefix
 * of its own, so its markers and registry do not meet another test's.
 */
class RestartGuardArmingTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	private final List<Redlock> engines = new ArrayList<>();

	@AfterEach
	void closeEngines() {
		this.engines.forEach(Redlock::close);
	}

	private Redlock engine(String prefix, Duration holdOut) {
		RedlockSettings settings = TestNodes.settings(Duration.ZERO, prefix);
		Redlock engine = Redlock.builder(TestNodes.of(redis.uris(), settings, 4), settings).restartGuard(holdOut, Duration.ofMillis(100)).build();
		this.engines.add(engine);
		return engine;
	}

	private static boolean armed(int node, String prefix) {
		return redis.get(node).call("GET", prefix + KeySpace.ARMED_MARKER) != null;
	}

	/** Waits until every node is armed: the first lock returns on a quorum, the last node's arming may lag. */
	private static void awaitArmed(String prefix) {
		for (int i = 0; i < 3; i++) {
			int node = i;
			await("node " + node + " armed").atMost(Duration.ofSeconds(5)).until(() -> armed(node, prefix));
		}
	}

	/** A lock within a second: "at once" next to hold-outs of many seconds, yet robust on a loaded machine. */
	private static Optional<LockHandle> lockOnce(Redlock engine, String key) {
		return engine.tryAcquire(key, Duration.ofSeconds(1), Duration.ofSeconds(1));
	}

	@Test
	void freshServersShouldLockAtOnceWhateverTheHoldOut() {
		Redlock engine = engine("fresh:", Duration.ofMinutes(5));
		Optional<LockHandle> handle = lockOnce(engine, "k");
		assertThat(handle).as("first attempt, right after the engine was built").isPresent();
		handle.get().close();
		// the lock returned on a quorum (2 of 3): the third node's arming may still be on its way
		awaitArmed("fresh:");
		for (int i = 0; i < 3; i++) {
			int node = i;
			await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
					redis.get(node).keys("fresh:__redlock_registry__:*")).as("registry of node %d", node).hasSize(3));
		}
		assertThat(engine.probe()).allSatisfy((status) -> assertThat(status.problem()).isEmpty());
	}

	@Test
	void nodeRestartedEmptyAmongFreshOnesShouldStayHeldOutAlsoForANewEngine() {
		Duration holdOut = Duration.ofSeconds(3);
		Redlock first = engine("restart:", holdOut);
		lockOnce(first, "k").orElseThrow().close();
		awaitArmed("restart:");
		redis.get(0).restart();
		// an engine that never saw node 0 before: the other nodes' registries tell it restarted
		Redlock second = engine("restart:", holdOut);
		NodeStatus node0 = second.probe().get(0);
		assertThat(node0.lockable()).isFalse();
		assertThat(node0.problem()).contains("restarted empty after an earlier incarnation was armed");
		assertThat(armed(0, "restart:")).as("not armed during the hold-out").isFalse();
		assertThat(lockOnce(second, "k2")).as("nodes 1 and 2 are a quorum").isPresent().get()
			.satisfies(LockHandle::close);
		assertThat(first.probe().get(0).problem()).as("the engine that saw it armed holds it out too").isNotEmpty();
		await().atMost(holdOut.plusSeconds(5)).until(() -> armed(0, "restart:"));
		await().atMost(Duration.ofSeconds(2))
			.until(() -> second.probe().get(0).problem().isEmpty() && first.probe().get(0).problem().isEmpty());
	}

	@Test
	void everyNodeRestartedEmptyShouldLookFreshOnlyToAnEngineThatNeverSawThem() {
		Duration holdOut = Duration.ofSeconds(30);
		Redlock running = engine("all:", holdOut);
		lockOnce(running, "k").orElseThrow().close();
		awaitArmed("all:");
		for (int i = 0; i < 3; i++) {
			redis.get(i).restart();
		}
		// the running engine remembers the nodes armed: it holds them out and writes what it saw
		await().atMost(Duration.ofSeconds(5)).until(() -> running.probe().stream()
			.allMatch((status) -> status.problem().contains("restarted empty")));
		assertThat(running.tryAcquire("k", Duration.ofSeconds(1), Duration.ZERO)).isEmpty();
		Redlock later = engine("all:", holdOut);
		assertThat(later.probe()).as("an engine started now reads what the running one wrote")
			.allSatisfy((status) -> assertThat(status.problem()).contains("restarted empty"));
		for (int i = 0; i < 3; i++) {
			assertThat(armed(i, "all:")).isFalse();
		}
		// with no instance running and no record left anywhere, the nodes look freshly deployed:
		// the documented limit
		running.close();
		later.close();
		for (int i = 0; i < 3; i++) {
			redis.get(i).restart();
		}
		Redlock stranger = engine("all:", holdOut);
		assertThat(lockOnce(stranger, "k")).as("taken for a fresh deployment").isPresent().get()
			.satisfies(LockHandle::close);
	}

	@Test
	void nodeThatLostItsDataWithoutRestartingShouldWaitTheHoldOut() {
		Duration holdOut = Duration.ofSeconds(2);
		Redlock engine = engine("flushed:", holdOut);
		lockOnce(engine, "k").orElseThrow().close();
		awaitArmed("flushed:");
		redis.get(0).call("FLUSHALL");
		await().atMost(Duration.ofSeconds(2))
			.until(() -> engine.probe().get(0).problem().contains("lost its data without restarting"));
		assertThat(armed(0, "flushed:")).isFalse();
		await().atMost(holdOut.plusSeconds(5)).until(() -> armed(0, "flushed:"));
	}

	@Test
	void waitThatCannotReachAQuorumShouldEndAtOnce() {
		Duration holdOut = Duration.ofSeconds(30);
		Redlock first = engine("hopeless:", holdOut);
		lockOnce(first, "k").orElseThrow().close();
		awaitArmed("hopeless:");
		redis.get(0).restart();
		redis.get(1).restart();
		Redlock engine = engine("hopeless:", holdOut);
		long start = System.nanoTime();
		assertThatExceptionOfType(LockNotAcquiredException.class)
			.isThrownBy(() -> engine.acquire("k", Duration.ofSeconds(1), Duration.ofSeconds(20)))
			.withMessageContaining("a quorum cannot be reached before the wait time ends")
			.withMessageContaining("restarted empty");
		assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not the whole 20 s wait")
			.isLessThan(Duration.ofSeconds(5));
	}

}
