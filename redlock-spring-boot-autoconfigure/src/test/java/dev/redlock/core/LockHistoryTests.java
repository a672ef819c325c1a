package dev.redlock.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LockHistoryTests {

	@Test
	void overlappingHoldsOfOneKeyShouldBeReported() {
		LockHistory history = new LockHistory();
		history.record("a", "x", 0, 10, true);
		history.record("a", "y", 5, 20, true);
		assertThat(history.overlaps()).hasSize(1);
	}

	@Test
	void holdNestedInsideALongerOneShouldBeReported() {
		LockHistory history = new LockHistory();
		history.record("a", "x", 0, 100, true);
		history.record("a", "y", 10, 20, true);
		history.record("a", "z", 30, 40, true);
		assertThat(history.overlaps()).hasSize(2);
	}

	@Test
	void consecutiveHoldsAndOtherKeysShouldNotBeReported() {
		LockHistory history = new LockHistory();
		history.record("a", "x", 0, 10, true);
		history.record("a", "y", 10, 20, true);
		history.record("b", "z", 5, 15, true);
		assertThat(history.overlaps()).isEmpty();
	}

}
