package dev.redlock.core;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The load bookkeeping on a fake clock: a node counts as saturated only when all its connections
 * are busy and it is slow (lately, or no call ended for a quarter of the node timeout); the
 * caller's patience is four recent latencies, at least a millisecond.
 */
class NodeLoadTests {

	private static final long MS = 1_000_000L;

	private final AtomicLong clock = new AtomicLong(1_000 * MS);

	private final NodeLoad load = new NodeLoad(List.of(new FakeNode(2)), 100 * MS, this.clock::get);

	@Test
	void busyButFastNodeShouldNotBeSaturated() {
		long first = this.load.started(0);
		long second = this.load.started(0);
		assertThat(this.load.saturated(0)).as("every connection busy, calls fast").isFalse();
		this.clock.addAndGet(26 * MS);
		assertThat(this.load.saturated(0)).as("no call ended for over a quarter of the node timeout").isTrue();
		this.load.ended(0, first);
		assertThat(this.load.saturated(0)).as("a connection is free").isFalse();
		this.load.ended(0, second);
	}

	@Test
	void slowCallsShouldMakeABusyNodeSaturatedAtOnce() {
		for (int i = 0; i < 30; i++) {
			long start = this.load.started(0);
			this.clock.addAndGet(40 * MS);
			this.load.ended(0, start);
		}
		assertThat(this.load.recentLatencyNanos(0)).isGreaterThan(25 * MS);
		this.load.started(0);
		assertThat(this.load.saturated(0)).isFalse();
		this.load.started(0);
		assertThat(this.load.saturated(0)).isTrue();
		assertThat(this.load.saturation(0)).contains("2 calls running").contains("ms each lately");
	}

	@Test
	void patienceShouldBeFourRecentLatenciesAndAtLeastAMillisecond() {
		assertThat(this.load.patience(0)).isEqualTo(MS);
		for (int i = 0; i < 60; i++) {
			long start = this.load.started(0);
			this.clock.addAndGet(2 * MS);
			this.load.ended(0, start);
		}
		assertThat(this.load.patience(0)).isBetween(7 * MS, 8 * MS);
	}

	@Test
	void firstCallAfterAQuietSpellShouldRestartTheStuckClock() {
		this.clock.addAndGet(10_000 * MS);
		this.load.started(0);
		this.load.started(0);
		assertThat(this.load.saturated(0)).as("a burst after a quiet spell is no stuck node").isFalse();
	}

	private record FakeNode(int connections) implements AgreeingNode {

		@Override
		public String name() {
			return "fake";
		}

		@Override
		public int maxConcurrentCalls() {
			return this.connections;
		}


	}

}
