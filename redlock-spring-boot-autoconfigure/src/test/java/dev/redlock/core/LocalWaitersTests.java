package dev.redlock.core;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The line of this process' callers of a key ({@link LocalWaiters}): first come, first served;
 * only the head tries; leaving lets the next one try, at once, through its callback.
 */
class LocalWaitersTests {

	private final LocalWaiters waiters = new LocalWaiters();

	private final List<String> turns = new ArrayList<>();

	private LocalWaiters.Place join(String name) {
		return this.waiters.join("k", () -> this.turns.add(name));
	}

	@Test
	void firstComerShouldHeadTheLineAndHandItOnWhenItLeaves() {
		LocalWaiters.Place first = join("first");
		LocalWaiters.Place second = join("second");
		assertThat(first.head()).isTrue();
		assertThat(second.head()).isFalse();
		assertThat(this.turns).as("a caller at the head at once is not called back").isEmpty();
		first.close();
		assertThat(second.head()).isTrue();
		assertThat(this.turns).containsExactly("second");
		second.close();
		assertThat(this.waiters.size()).as("nothing kept once the line is empty").isZero();
	}

	@Test
	void callerThatLeavesBeforeItsTurnShouldBeSkipped() {
		LocalWaiters.Place first = join("first");
		LocalWaiters.Place second = join("second");
		LocalWaiters.Place third = join("third");
		second.close();
		assertThat(this.turns).as("leaving from the middle hands on nothing").isEmpty();
		first.close();
		assertThat(third.head()).isTrue();
		assertThat(this.turns).containsExactly("third");
	}

	@Test
	void leavingTwiceShouldHandOnOnce() {
		LocalWaiters.Place first = join("first");
		LocalWaiters.Place second = join("second");
		LocalWaiters.Place third = join("third");
		first.close();
		first.close();
		assertThat(second.head()).isTrue();
		assertThat(third.head()).isFalse();
		assertThat(this.turns).containsExactly("second");
	}

	@Test
	void linesOfDifferentKeysShouldNotWaitForEachOther() {
		LocalWaiters.Place one = this.waiters.join("one", () -> this.turns.add("one"));
		LocalWaiters.Place other = this.waiters.join("other", () -> this.turns.add("other"));
		assertThat(one.head()).isTrue();
		assertThat(other.head()).isTrue();
	}

}
