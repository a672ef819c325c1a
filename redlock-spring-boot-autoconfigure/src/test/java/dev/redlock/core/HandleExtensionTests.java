package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.redlock.LockHandle;
import dev.redlock.LockRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a handle believes while an extension round runs, and the order in which a handle's commands
 * reach a node, on in-memory nodes that record the lease each key was last given. The simulation
 * found both ({@code EngineSimulationTests}).
 */
class HandleExtensionTests {

	private static final RedlockSettings SETTINGS = new RedlockSettings(Duration.ofSeconds(10), Duration.ZERO,
			Duration.ZERO, Duration.ZERO, Duration.ofMillis(200), 0.01, "", false, RedlockSettings.DEFAULT_MAX_HOLD_TIME,
			false);

	@Test
	void validityShouldNotOutlastAShorterLeaseWhileItsExtensionRuns() {
		AtomicReference<LockHandle> handle = new AtomicReference<>();
		List<Duration> believed = new CopyOnWriteArrayList<>();
		List<LeaseNode> nodes = List.of(new LeaseNode("n0"), new LeaseNode("n1"), new LeaseNode("n2"));
		// each node applies the 5 ms lease: from then on its key lives 5 ms; the answer is still on its way
		for (LeaseNode node : nodes) {
			node.onExtend = () -> believed.add(handle.get().remaining());
		}
		try (Redlock redlock = new Redlock(nodes, SETTINGS)) {
			handle.set(redlock.acquire("k", Duration.ofSeconds(10), Duration.ZERO));
			handle.get().extend(Duration.ofMillis(5));
			// extend() returns on a quorum's answers; the last node may apply the lease after that
			await().atMost(Duration.ofSeconds(2)).until(() -> believed.size() == nodes.size());
			assertThat(believed).as("validity the handle reports once a node holds the key for 5 ms only")
				.allSatisfy((remaining) -> assertThat(remaining).isLessThanOrEqualTo(Duration.ofMillis(5)));
		}
	}

	@Test
	void extensionStillOnItsWayShouldNotOverrideTheLeaseOfTheHoldAtLeast() throws InterruptedException {
		CountDownLatch delivered = new CountDownLatch(1);
		List<LeaseNode> nodes = List.of(new LeaseNode("n0"), new LeaseNode("n1"), new LeaseNode("n2"));
		// the 50 ms extension reaches n0 and n1 only late: after the release that keeps the lock
		for (int i = 0; i < 2; i++) {
			nodes.get(i).delayed = 50;
			nodes.get(i).delivery = delivered;
		}
		try (Redlock redlock = new Redlock(nodes, SETTINGS)) {
			LockHandle handle = redlock.acquire(LockRequest.of("k", Duration.ofSeconds(10), Duration.ZERO)
				.withAutoRenew(false)
				.withHoldAtLeast(Duration.ofSeconds(5)));
			assertThat(handle.extend(Duration.ofMillis(50))).as("n0 and n1 did not answer in time").isFalse();
			handle.close();
			// the release follows the extension on each node: it waits for the late one on n0 and n1
			assertThat(nodes.get(2).lastLease("k")).isBetween(4_000L, 5_000L);
			delivered.countDown();
			await().atMost(Duration.ofSeconds(5)).until(() -> nodes.get(0).late == 0 && nodes.get(1).late == 0);
			assertThat(nodes).as("the key lives for the rest of the hold-at-least on every node")
				.allSatisfy((node) -> assertThat(node.lastLease("k")).isBetween(4_000L, 5_000L));
		}
	}

	@Test
	void shorterLeaseSetByHandShouldBringTheNextRenewalForward() {
		RedlockSettings renewing = new RedlockSettings(Duration.ofSeconds(30), Duration.ZERO, Duration.ZERO,
				Duration.ZERO, Duration.ofMillis(200), 0.01, "", true, RedlockSettings.DEFAULT_MAX_HOLD_TIME, false);
		List<LeaseNode> nodes = List.of(new LeaseNode("n0"), new LeaseNode("n1"), new LeaseNode("n2"));
		try (Redlock redlock = new Redlock(nodes, renewing)) {
			LockHandle handle = redlock.acquire("k", Duration.ofSeconds(30), Duration.ZERO);
			assertThat(handle.extend(Duration.ofMillis(600))).isTrue();
			// renewal was planned 10 s after the acquisition; the 600 ms lease needs it within 200 ms
			await().atMost(Duration.ofMillis(500))
				.untilAsserted(() -> assertThat(nodes).allSatisfy((node) -> assertThat(node.lastLease("k"))
					.as("renewed with the longest lease asked for").isEqualTo(30_000L)));
			assertThat(handle.isValid()).isTrue();
			handle.close();
		}
	}

	/** A node that keeps keys in memory with the lease each was last given (no expiry). */
	private static final class LeaseNode implements LockNode {

		private final String name;

		private final Map<String, String> tokens = new ConcurrentHashMap<>();

		private final Map<String, Long> leases = new ConcurrentHashMap<>();

		/** Called when the node applies an extension. */
		volatile Runnable onExtend = () -> {
		};

		/** An extension to this lease is applied only once {@link #delivery} opens. */
		volatile long delayed = -1;

		volatile CountDownLatch delivery;

		volatile int late;

		LeaseNode(String name) {
			this.name = name;
		}

		long lastLease(String key) {
			return this.leases.getOrDefault(key, -1L);
		}

		@Override
		public String name() {
			return this.name;
		}

		@Override
		public synchronized boolean tryAcquire(List<String> keys, String token, long ttlMillis) {
			if (this.tokens.putIfAbsent(keys.get(0), token) != null) {
				return false;
			}
			this.leases.put(keys.get(0), ttlMillis);
			return true;
		}

		@Override
		public synchronized boolean release(List<String> keys, String token) {
			this.leases.remove(keys.get(0));
			return this.tokens.remove(keys.get(0), token);
		}

		@Override
		public boolean extend(List<String> keys, String token, long ttlMillis) {
			if (ttlMillis == this.delayed) {
				this.late++;
				try {
					this.delivery.await(10, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			boolean applied;
			synchronized (this) {
				applied = token.equals(this.tokens.get(keys.get(0)));
				if (applied) {
					this.leases.put(keys.get(0), ttlMillis);
				}
			}
			this.onExtend.run();
			if (ttlMillis == this.delayed) {
				this.late--;
			}
			return applied;
		}

		@Override
		public void close() {
		}

		@Override
		public String toString() {
			return this.name;
		}

	}

}
