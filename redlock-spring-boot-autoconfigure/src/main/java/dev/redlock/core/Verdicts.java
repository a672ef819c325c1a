package dev.redlock.core;

import java.time.Duration;
import java.util.List;

import dev.redlock.NodeOutcome;
import dev.redlock.NodeOutcome.Status;

/**
 * The decisions of the algorithm, as pure functions of what the nodes answered and when: when a
 * round is decided, whether an attempt is granted, which token a fenced acquisition gets and
 * whether it counts, whether the votes were split, and which nodes a release must reach. The
 * engine's rounds ({@link FanOut}, {@link Acquisition}, {@link LockCommands}) decide with these, and
 * so does the simulation that checks them on virtual time.
 */
final class Verdicts {

	private Verdicts() {
	}

	/**
	 * Whether a round is decided: {@code needed} yes answers, or so many no answers or failures
	 * that {@code needed} can no longer be reached, or every node answered.
	 * @param yes nodes that said yes
	 * @param no nodes that said no or failed
	 * @param nodes how many were asked
	 * @param needed yes answers that decide; negative to wait for every answer
	 * @return whether the round is decided
	 */
	static boolean decided(int yes, int no, int nodes, int needed) {
		return yes + no == nodes || (needed >= 0 && (yes >= needed || no > nodes - needed));
	}

	/**
	 * Why an attempt is not granted, or {@code null} if it is: a quorum must have set the key and
	 * validity must be left.
	 * @param outcomes each node's answer
	 * @param quorum how many must have set the key
	 * @param startNanos when the attempt began
	 * @param nowNanos when it was decided
	 * @param validUntilNanos its validity deadline ({@link LeaseMath#validUntil})
	 * @param leaseMillis the lease, for the message
	 * @return the reason, or {@code null} when granted
	 */
	static String refusal(List<NodeOutcome> outcomes, int quorum, long startNanos, long nowNanos, long validUntilNanos,
			long leaseMillis) {
		if (Round.count(outcomes, Status.ACQUIRED) < quorum) {
			return "quorum not reached";
		}
		if (nowNanos - validUntilNanos >= 0) {
			return "validity used up (the attempt took " + Duration.ofNanos(nowNanos - startNanos).toMillis() + "ms of a "
					+ leaseMillis + "ms lease)";
		}
		return null;
	}

	/**
	 * The fencing token of a fenced acquisition: one above the highest counter read from the
	 * nodes that granted the lock (a quorum max-register).
	 * @param outcomes each node's answer
	 * @param counters per node, the counter it read
	 * @return the token
	 */
	static long nextFence(List<NodeOutcome> outcomes, long[] counters) {
		long highest = 0;
		for (int i = 0; i < outcomes.size(); i++) {
			if (outcomes.get(i).status() == Status.ACQUIRED) {
				highest = Math.max(highest, counters[i]);
			}
		}
		return highest + 1;
	}

	/**
	 * Whether a fencing token counts: a quorum recorded it before the validity ended.
	 */
	static boolean fenceCounts(int recorded, int quorum, long nowNanos, long validUntilNanos) {
		return recorded >= quorum && nowNanos - validUntilNanos < 0;
	}

	/**
	 * Whether an attempt split the votes: some nodes granted it, others were held by another
	 * contender, so the next attempt asks the first node alone first ({@link SplitVoteGate}).
	 */
	static boolean splitVote(List<NodeOutcome> outcomes) {
		return Round.count(outcomes, Status.HELD_BY_OTHER) > 0 && Round.count(outcomes, Status.ACQUIRED) > 0;
	}

	/**
	 * Whether a release must be sent to a node after its acquisition call: not if the call was
	 * never sent, nor if the node answered that another owner holds a key (it never took this
	 * token).
	 * @param acquisitionSent whether the acquisition was sent
	 * @param refused whether the node answered no
	 * @return whether to release there
	 */
	static boolean releaseNeeded(boolean acquisitionSent, boolean refused) {
		return acquisitionSent && !refused;
	}

}
