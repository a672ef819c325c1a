package dev.redlock.core;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ClockWatch} on made-up readings: a node clock that jumps or runs fast against this
 * process's monotonic clock, beyond the drift budget and the round trips, and one that keeps time.
 */
class ClockWatchTests {

	private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

	private static final long EPOCH_MICROS = 1_780_000_000_000_000L;

	private final ClockWatch watch = new ClockWatch(1, 0.01, 1000 * MS);

	/** A reading at our time {@code localMs}, the node saying {@code nodeMs} past the epoch, 0.2 ms round trip. */
	private static NodeStatus.Clock at(long localMs, long nodeMs) {
		return new NodeStatus.Clock(EPOCH_MICROS + nodeMs * 1000, localMs * MS, MS / 5);
	}

	@Test
	void firstLookShouldTellNothing() {
		assertThat(this.watch.look(0, at(0, 5_000))).isNull();
	}

	@Test
	void clockThatKeepsTimeWithinTheBudgetShouldPass() {
		this.watch.look(0, at(0, 0));
		assertThat(this.watch.look(0, at(1000, 1009))).as("0.9%% fast over a second: within 1%% + 2 ms").isNull();
		assertThat(this.watch.look(0, at(2000, 2011))).isNull();
		assertThat(this.watch.look(0, at(2001, 2011))).as("no reading missing").isNull();
	}

	@Test
	void jumpForwardShouldBeSeenWithItsSize() {
		this.watch.look(0, at(0, 0));
		ClockWatch.Jump jump = this.watch.look(0, at(1000, 2500));
		assertThat(jump).isNotNull();
		assertThat(jump.forward()).isTrue();
		assertThat(jump.nanos()).isEqualTo(1500 * MS);
		assertThat(jump.overNanos()).isEqualTo(1000 * MS);
		assertThat(this.watch.look(0, at(2000, 3500))).as("the new reading is the anchor: kept time since").isNull();
	}

	@Test
	void jumpBackShouldBeSeenAsBackward() {
		this.watch.look(0, at(0, 0));
		ClockWatch.Jump jump = this.watch.look(0, at(1000, 0));
		assertThat(jump).isNotNull();
		assertThat(jump.forward()).isFalse();
		assertThat(this.watch.look(0, at(1500, 2000)))
			.as("stepping forward again after a jump back is a jump forward: keys set meanwhile expire early")
			.isNotNull()
			.satisfies((again) -> assertThat(again.forward()).isTrue());
	}

	@Test
	void clockRunningFastShouldBeSeenEvenWhenLooksComeClose() {
		this.watch.look(0, at(0, 0));
		ClockWatch.Jump jump = null;
		// 20% fast, looked at every 5 ms: each step alone is within the budget
		for (int step = 1; step <= 200 && jump == null; step++) {
			jump = this.watch.look(0, at(5L * step, 6L * step));
		}
		assertThat(jump).isNotNull();
		assertThat(jump.forward()).isTrue();
		assertThat(jump.overNanos()).isLessThan(100 * MS);
	}

	@Test
	void slowRoundTripsShouldWidenTheBudget() {
		this.watch.look(0, new NodeStatus.Clock(EPOCH_MICROS, 0, 40 * MS));
		assertThat(this.watch.look(0, new NodeStatus.Clock(EPOCH_MICROS + 1_030_000, 1000 * MS, 40 * MS)))
			.as("30 ms ahead, but each reading may be 20 ms off").isNull();
	}

}
