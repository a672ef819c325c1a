package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;

import dev.redlock.LockHandle;
import dev.redlock.LockNotAcquiredException;
import dev.redlock.NodeOutcome.Status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The quorum rule over every combination of free, down and held-by-other nodes. In-memory nodes
 * stand in for Redis here only to enumerate the combinations; Redis itself is exercised in
 * {@link RedlockIntegrationTests}.
 */
class QuorumArithmeticTests {

	enum State {

		FREE, DOWN, HELD

	}

	@Test
	void everyCombinationOfFiveNodesShouldBeDecidedByTheQuorumOfFreeNodes() {
		int combinations = 0;
		for (int mask = 0; mask < 243; mask++) {
			List<State> states = new ArrayList<>();
			for (int i = 0, m = mask; i < 5; i++, m /= 3) {
				states.add(State.values()[m % 3]);
			}
			long free = states.stream().filter((s) -> s == State.FREE).count();
			List<MemoryNode> nodes = new ArrayList<>();
			for (int i = 0; i < 5; i++) {
				nodes.add(new MemoryNode("n" + i, states.get(i)));
			}
			RedlockSettings settings = new RedlockSettings(Duration.ofSeconds(10), Duration.ZERO, Duration.ZERO,
					Duration.ZERO, Duration.ofMillis(500), 0.01, "");
			try (Redlock redlock = new Redlock(nodes, settings)) {
				if (free >= 3) {
					LockHandle handle = redlock.acquire("k", Duration.ofSeconds(10), Duration.ZERO);
					assertThat(handle.isValid()).as("states %s", states).isTrue();
					long holders = nodes.stream().filter((node) -> node.holds("k")).count();
					assertThat(holders).as("nodes holding the key of %s", states).isGreaterThanOrEqualTo(3);
					for (int i = 0; i < 5; i++) {
						if (states.get(i) != State.FREE) {
							assertThat(nodes.get(i).holds("k")).as("node %d of %s", i, states).isFalse();
						}
					}
					handle.close();
					// close waits for the nodes known to hold the lock; the others are released right after
					org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(2))
						.untilAsserted(() -> assertThat(nodes).allSatisfy((node) -> assertThat(node.ownKeys()).isEmpty()));
				}
				else {
					assertThatExceptionOfType(LockNotAcquiredException.class)
						.isThrownBy(() -> redlock.acquire("k", Duration.ofSeconds(10), Duration.ZERO))
						.satisfies((ex) -> {
							assertThat(ex.getQuorum()).isEqualTo(3);
							assertThat(ex.getAcquiredNodes()).isLessThan(3);
							for (int i = 0; i < 5; i++) {
								Status status = ex.getNodeOutcomes().get(i).status();
								if (states.get(i) == State.DOWN) {
									assertThat(status).isEqualTo(Status.FAILED);
								}
								if (states.get(i) == State.HELD) {
									assertThat(status).isEqualTo(Status.HELD_BY_OTHER);
								}
							}
						});
					assertThat(nodes).as("released everywhere after %s", states)
						.allSatisfy((node) -> assertThat(node.ownKeys()).isEmpty());
				}
			}
			combinations++;
		}
		assertThat(combinations).isEqualTo(243);
	}

	@Test
	void quorumShouldBeAMajority() {
		for (int n = 1; n <= 7; n++) {
			List<MemoryNode> nodes = new ArrayList<>();
			for (int i = 0; i < n; i++) {
				nodes.add(new MemoryNode("n" + i, State.FREE));
			}
			try (Redlock redlock = new Redlock(nodes, RedlockSettings.defaults())) {
				assertThat(redlock.quorum()).as("quorum of %d", n).isEqualTo(n / 2 + 1);
			}
		}
	}

	/** A node whose state is fixed: free nodes keep keys in a map, held nodes refuse, down nodes throw. */
	static final class MemoryNode implements LockNode {

		private final String name;

		private final State state;

		private final Map<String, String> keys = new ConcurrentHashMap<>();

		MemoryNode(String name, State state) {
			this.name = name;
			this.state = state;
		}

		boolean holds(String key) {
			return this.keys.containsKey(key);
		}

		Map<String, String> ownKeys() {
			return this.keys;
		}

		@Override
		public String name() {
			return this.name;
		}

		@Override
		public boolean tryAcquire(List<String> keys, String token, long ttlMillis) {
			check();
			return this.state == State.FREE && this.keys.putIfAbsent(keys.get(0), token) == null;
		}

		@Override
		public boolean release(List<String> keys, String token) {
			check();
			return this.keys.remove(keys.get(0), token);
		}

		@Override
		public boolean extend(List<String> keys, String token, long ttlMillis) {
			check();
			return token.equals(this.keys.get(keys.get(0)));
		}

		private void check() {
			if (this.state == State.DOWN) {
				throw new IllegalStateException("connection refused");
			}
		}

		@Override
		public void close() {
		}

	}

}
