package dev.redlock.test;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link LockHold}'s valid spans and the checks of {@link LockHolds}, on made-up histories.
 */
class LockHoldsTests {

	private static LockHold hold(String id, String key, long start, long deadline, long end, long token) {
		LockHold hold = new LockHold(id, "test", List.of(key), start, 0);
		hold.granted(start, deadline, token);
		hold.ended(end);
		return hold;
	}

	@Test
	void overlappingAndNestedHoldsOfOneKeyShouldBeReported() {
		LockHold outer = hold("outer", "a", 0, 100, 100, -1);
		LockHold inner = hold("inner", "a", 10, 200, 20, -1);
		LockHold later = hold("later", "a", 50, 300, 150, -1);
		assertThat(LockHolds.overlaps(List.of(outer, inner, later))).extracting(LockHolds.Violation::text)
			.containsExactly("a: outer and inner overlap by 0.000 ms", "a: outer and later overlap by 0.000 ms");
	}

	@Test
	void consecutiveHoldsAndOtherKeysShouldNotBeReported() {
		assertThat(LockHolds.overlaps(List.of(hold("x", "a", 0, 100, 10, -1), hold("y", "a", 10, 100, 20, -1),
				hold("z", "b", 5, 100, 15, -1)))).isEmpty();
	}

	@Test
	void holdShouldCountOnlyUntilItsDeadlineEvenWhenItsWorkRanOn() {
		LockHold expired = hold("expired", "a", 0, 1_000, 5_000, -1);
		LockHold next = hold("next", "a", 1_000, 3_000, 2_000, -1);
		assertThat(expired.validSpans()).containsExactly(new LockHold.Span(0, 1_000));
		assertThat(LockHolds.overlaps(List.of(expired, next))).isEmpty();
		LockHold early = hold("early", "a", 999, 3_000, 2_000, -1);
		assertThat(LockHolds.overlaps(List.of(expired, early))).hasSize(1);
	}

	@Test
	void lostHoldShouldCountUntilTheDeadlineItHad() {
		LockHold lost = hold("lost", "a", 0, 1_000, 5_000, -1);
		lost.lost();
		assertThat(LockHolds.overlaps(List.of(lost, hold("other", "a", 500, 3_000, 2_000, -1)))).hasSize(1);
	}

	@Test
	void renewalSeenInTimeShouldExtendTheSpanAndOneSeenLateShouldOpenANewOne() {
		LockHold renewed = hold("renewed", "a", 0, 1_000, 10_000, -1);
		renewed.validUntil(800, 2_000);
		renewed.validUntil(3_000, 4_000);
		assertThat(renewed.validSpans()).containsExactly(new LockHold.Span(0, 2_000), new LockHold.Span(3_000, 4_000));
		assertThat(LockHolds.overlaps(List.of(renewed, hold("between", "a", 2_000, 3_000, 3_000, -1)))).isEmpty();
		assertThat(LockHolds.overlaps(List.of(renewed, hold("inside", "a", 1_500, 5_000, 1_600, -1)))).hasSize(1);
	}

	@Test
	void holdAtLeastShouldCountUntilItsMinimumHoldLessTheDrift() {
		LockHold nightly = new LockHold("nightly", "test", List.of("a"), 0, 1_000_000_000);
		nightly.granted(0, 5_000_000_000L, -1);
		nightly.ended(1_000);
		// 1 s minimum, less 1% and 2 ms
		assertThat(nightly.validSpans()).containsExactly(new LockHold.Span(0, 988_000_000));
	}

	@Test
	void tokenNotAboveThatOfAnEarlierHoldShouldBeReported() {
		LockHold first = hold("first", "a", 0, 100, 100, 7);
		LockHold second = hold("second", "a", 200, 300, 300, 7);
		LockHold third = hold("third", "a", 400, 500, 500, 9);
		assertThat(LockHolds.tokenOrderViolations(List.of(first, second, third))).extracting(LockHolds.Violation::text)
			.containsExactly("a: second got token 7 after first with token 7 was no longer valid");
		// holds that overlap are left to the overlap check
		assertThat(LockHolds.tokenOrderViolations(List.of(first, hold("overlapping", "a", 50, 150, 150, 3)))).isEmpty();
		assertThat(LockHolds.tokenOrderViolations(List.of(first, hold("unfenced", "a", 200, 300, 300, -1)))).isEmpty();
	}

	@Test
	void deadlineShouldAddTheRemainingTimeToAReadingThatIsNeverLate() {
		long at = System.nanoTime();
		long deadline = LockHold.deadline(at, () -> 5_000_000_000L);
		assertThat(deadline - at).isBetween(5_000_000_000L, 5_100_000_000L);
		assertThat(LockHold.deadline(at, () -> 0)).as("no validity left").isEqualTo(at);
	}

}
