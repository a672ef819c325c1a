package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.redlock.LockHandle;
import dev.redlock.LockRequest;
import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.protocol.RedisNodeAddress;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A chaos scenario for the restart guard's rule, on five real nodes, seeded: fresh nodes lock at
 * once, and a node restarted empty among fresh ones must not let a newcomer in while the lock it
 * forgot is still valid. Each round is a fresh deployment (a key prefix of its own): a holder takes
 * the lock on exactly a quorum (the two other nodes briefly held by someone else), one node of
 * that quorum restarts empty, and an engine that never saw the nodes tries to take the lock: with
 * the restarted node counted at once it would reach a quorum with the two others while the first
 * holder's validity runs. Replay with {@code -Dchaos.seed=N}.
 */
class RestartAmongFreshChaosTests {

	private static final int NODES = 5;

	private static final int ROUNDS = 4;

	private static final Duration HOLD_OUT = Duration.ofSeconds(2);

	private static final Duration LEASE = HOLD_OUT;

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(NODES);

	private final List<Redlock> engines = new ArrayList<>();

	@AfterEach
	void closeEngines() {
		this.engines.forEach(Redlock::close);
	}

	private Redlock engine(String prefix) {
		RedlockSettings settings = new RedlockSettings(LEASE, Duration.ZERO, Duration.ofMillis(5), Duration.ofMillis(10),
				Duration.ofMillis(300), 0.01, prefix, false, RedlockSettings.DEFAULT_MAX_HOLD_TIME, false);
		List<LockNode> nodes = new ArrayList<>();
		for (String uri : redis.uris()) {
			nodes.add(new JedisLockNode(RedisNodeAddress.parse("node", uri), settings.nodeTimeout(), 4));
		}
		Redlock engine = Redlock.builder(nodes, settings).restartGuard(HOLD_OUT, Duration.ofMillis(100)).build();
		this.engines.add(engine);
		return engine;
	}

	@Test
	void nodeRestartedEmptyAmongFreshOnesShouldNotLetANewcomerInWhileTheLockItForgotIsValid() {
		long seed = Long.getLong("chaos.seed", ChaosTests.DEFAULT_SEED);
		System.out.println("RestartAmongFreshChaosTests seed " + seed);
		Random random = new Random(seed);
		for (int round = 0; round < ROUNDS; round++) {
			String prefix = "fresh-" + round + ":";
			List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3, 4));
			Collections.shuffle(order, random);
			List<Integer> quorum = order.subList(0, 3);
			List<Integer> others = order.subList(3, 5);
			int restarted = quorum.get(random.nextInt(3));

			Redlock holder = engine(prefix);
			// the two other nodes are held by someone else for a moment: the holder gets exactly a quorum
			for (int node : others) {
				redis.get(node).call("SET", prefix + "k", "someone-else", "PX", "400");
			}
			long start = System.nanoTime();
			LockHandle held = holder.acquire(LockRequest.of("k", LEASE, Duration.ZERO).withAutoRenew(false));
			long validUntil = start + held.remaining().toNanos();
			assertThat(held.isValid()).as("round %d: fresh nodes lock at once", round).isTrue();
			for (int node : quorum) {
				assertThat(redis.get(node).call("GET", prefix + "k")).isNotEqualTo("someone-else");
			}
			await().atMost(Duration.ofSeconds(2))
				.until(() -> others.stream().allMatch((node) -> redis.get(node).call("GET", prefix + "k") == null));

			redis.get(restarted).restart();
			long restartedAt = System.nanoTime();
			Redlock newcomer = engine(prefix);
			Optional<LockHandle> taken = Optional.empty();
			while (taken.isEmpty() && System.nanoTime() - validUntil < 0) {
				taken = newcomer.tryAcquire(LockRequest.of("k", LEASE, Duration.ZERO).withAutoRenew(false));
				long grantedAt = System.nanoTime();
				assertThat(taken.isPresent() && grantedAt - validUntil < 0)
					.as("round %d (seed %d): node %d restarted empty let a newcomer in %d ms before the holder's "
							+ "validity ended", round, seed, restarted, Duration.ofNanos(validUntil - grantedAt).toMillis())
					.isFalse();
			}
			assertThat(redis.get(restarted).call("GET", prefix + KeySpace.ARMED_MARKER))
				.as("round %d: the restarted node is not armed again within the hold-out", round)
				.satisfiesAnyOf((marker) -> assertThat(marker).isNull(),
						(marker) -> assertThat(System.nanoTime() - restartedAt).isGreaterThanOrEqualTo(HOLD_OUT.toNanos()));
			taken.ifPresent(LockHandle::close);
			held.close();
		}
	}

}
