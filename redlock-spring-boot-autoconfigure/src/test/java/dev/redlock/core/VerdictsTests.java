package dev.redlock.core;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.redlock.NodeOutcome;
import dev.redlock.NodeOutcome.Status;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The algorithm's verdicts on made-up answers and times (nanoseconds): when a round is decided,
 * whether an attempt is granted, the fencing token and whether it counts, split votes, and which
 * nodes a release must reach.
 */
class VerdictsTests {

	private static final long MS = 1_000_000L;

	private static List<NodeOutcome> outcomes(Status... statuses) {
		List<NodeOutcome> outcomes = new ArrayList<>();
		for (int i = 0; i < statuses.length; i++) {
			outcomes.add(new NodeOutcome("n" + i, statuses[i], ""));
		}
		return outcomes;
	}

	@Test
	void roundShouldBeDecidedByAQuorumOfYesOrByTooManyNoes() {
		assertThat(Verdicts.decided(2, 0, 5, 3)).isFalse();
		assertThat(Verdicts.decided(3, 0, 5, 3)).as("a quorum said yes").isTrue();
		assertThat(Verdicts.decided(2, 2, 5, 3)).as("one answer may still make the quorum").isFalse();
		assertThat(Verdicts.decided(0, 3, 5, 3)).as("three noes: at most two yes are left").isTrue();
		assertThat(Verdicts.decided(2, 3, 5, 3)).as("every node answered").isTrue();
		assertThat(Verdicts.decided(1, 1, 3, 2)).isFalse();
		assertThat(Verdicts.decided(1, 2, 3, 2)).isTrue();
	}

	@Test
	void roundThatWaitsForEveryAnswerShouldBeDecidedOnlyWhenAllAnswered() {
		assertThat(Verdicts.decided(4, 0, 5, FanOut.ALL)).isFalse();
		assertThat(Verdicts.decided(0, 4, 5, FanOut.ALL)).isFalse();
		assertThat(Verdicts.decided(3, 2, 5, FanOut.ALL)).isTrue();
		assertThat(Verdicts.decided(0, 1, 1, FanOut.ALL)).isTrue();
	}

	@Test
	void attemptShouldBeGrantedOnlyWithAQuorumAndValidityLeft() {
		List<NodeOutcome> three = outcomes(Status.ACQUIRED, Status.ACQUIRED, Status.FAILED, Status.ACQUIRED,
				Status.TIMED_OUT);
		assertThat(Verdicts.refusal(three, 3, 0, 5 * MS, 9_000 * MS, 10_000)).isNull();
		assertThat(Verdicts.refusal(three, 4, 0, 5 * MS, 9_000 * MS, 10_000)).isEqualTo("quorum not reached");
		List<NodeOutcome> two = outcomes(Status.ACQUIRED, Status.HELD_BY_OTHER, Status.HELD_BY_OTHER, Status.ACQUIRED,
				Status.TIMED_OUT);
		assertThat(Verdicts.refusal(two, 3, 0, 5 * MS, 9_000 * MS, 10_000)).isEqualTo("quorum not reached");
	}

	@Test
	void attemptDecidedAtOrAfterItsValidityShouldBeRefusedNamingTheTimeItTook() {
		List<NodeOutcome> all = outcomes(Status.ACQUIRED, Status.ACQUIRED, Status.ACQUIRED);
		assertThat(Verdicts.refusal(all, 2, 1_000 * MS, 1_099 * MS, 1_100 * MS, 150)).isNull();
		assertThat(Verdicts.refusal(all, 2, 1_000 * MS, 1_100 * MS, 1_100 * MS, 150))
			.isEqualTo("validity used up (the attempt took 100ms of a 150ms lease)");
		assertThat(Verdicts.refusal(all, 2, 1_000 * MS, 1_250 * MS, 1_100 * MS, 150))
			.isEqualTo("validity used up (the attempt took 250ms of a 150ms lease)");
	}

	@Test
	void verdictsShouldHoldAcrossTheWrapOfTheMonotonicClock() {
		long start = Long.MAX_VALUE - 5 * MS;
		long validUntil = start + 100 * MS;
		List<NodeOutcome> all = outcomes(Status.ACQUIRED, Status.ACQUIRED, Status.ACQUIRED);
		assertThat(validUntil).as("wrapped").isNegative();
		assertThat(Verdicts.refusal(all, 2, start, start + 10 * MS, validUntil, 150)).isNull();
		assertThat(Verdicts.refusal(all, 2, start, start + 100 * MS, validUntil, 150)).startsWith("validity used up");
		assertThat(Verdicts.fenceCounts(2, 2, start + 10 * MS, validUntil)).isTrue();
		assertThat(Verdicts.fenceCounts(2, 2, start + 101 * MS, validUntil)).isFalse();
	}

	@Test
	void fencingTokenShouldBeOneAboveTheHighestCounterOfTheNodesThatGranted() {
		List<NodeOutcome> outcomes = outcomes(Status.ACQUIRED, Status.HELD_BY_OTHER, Status.ACQUIRED, Status.FAILED,
				Status.ACQUIRED);
		assertThat(Verdicts.nextFence(outcomes, new long[] { 4, 99, 7, 50, 6 }))
			.as("the refusing and the failed node's numbers do not count").isEqualTo(8);
		assertThat(Verdicts.nextFence(outcomes, new long[] { 0, 0, 0, 0, 0 })).as("a key never fenced").isEqualTo(1);
	}

	@Test
	void fencingTokenShouldCountOnlyWhenAQuorumRecordedItWithinTheValidity() {
		assertThat(Verdicts.fenceCounts(3, 3, 10 * MS, 11 * MS)).isTrue();
		assertThat(Verdicts.fenceCounts(2, 3, 10 * MS, 11 * MS)).as("too few recorded it").isFalse();
		assertThat(Verdicts.fenceCounts(5, 3, 11 * MS, 11 * MS)).as("recorded when the validity ended").isFalse();
	}

	@Test
	void voteShouldBeSplitOnlyWhenSomeGrantedAndOthersWereHeldByAnother() {
		assertThat(Verdicts.splitVote(outcomes(Status.ACQUIRED, Status.HELD_BY_OTHER, Status.HELD_BY_OTHER))).isTrue();
		assertThat(Verdicts.splitVote(outcomes(Status.ACQUIRED, Status.ACQUIRED, Status.FAILED)))
			.as("failures are no contender").isFalse();
		assertThat(Verdicts.splitVote(outcomes(Status.HELD_BY_OTHER, Status.HELD_BY_OTHER, Status.TIMED_OUT)))
			.as("nothing granted: another simply holds it").isFalse();
	}

	@Test
	void releaseShouldReachEveryNodeThatMayHaveSetTheKey() {
		assertThat(Verdicts.releaseNeeded(true, false)).as("granted, failed or no answer in time").isTrue();
		assertThat(Verdicts.releaseNeeded(true, true)).as("another owner holds the key there").isFalse();
		assertThat(Verdicts.releaseNeeded(false, false)).as("never sent").isFalse();
	}

}
