package dev.redlock.core;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import dev.redlock.NodeOutcome;

/**
 * Whether a quorum can still count before a deadline, so that a wait that cannot succeed ends at
 * once instead of keeping the caller. A node cannot count if the engine's fresh news of it is that
 * it cannot be reached (a probe missed it, or a call's connection was refused, and nothing answered
 * since: {@link NodeReach}), or, with the restart guard, if its soonest time to count (now, the end
 * of its hold-out, or the next probe) comes after the deadline. A node not heard of lately, or that
 * answered last, may count.
 */
final class QuorumReach implements AttemptLoop.Reach {

	private final Members members;

	private final NodeStanding standing;

	private final boolean guarded;

	private final Ticker ticker;

	/**
	 * @param standing which nodes may count
	 * @param guarded whether the restart guard is on
	 * @param ticker the clock
	 */
	QuorumReach(Members members, NodeStanding standing, boolean guarded, Ticker ticker) {
		this.members = members;
		this.standing = standing;
		this.guarded = guarded;
		this.ticker = ticker;
	}

	/**
	 * Why no quorum can count before {@code deadline}, or {@code null} if one may.
	 * @param deadline on the ticker's clock
	 * @return the reason, with the nodes that cannot count
	 */
	OutOfReach quorumOutOfReach(long deadline) {
		long now = this.ticker.nanoTime();
		List<NodeOutcome> late = new ArrayList<>();
		for (int i = 0; i < this.members.size(); i++) {
			String why = this.standing.late(i, now, deadline);
			if (why != null) {
				late.add(new NodeOutcome(this.members.name(i), NodeOutcome.Status.FAILED, why));
			}
		}
		int counting = this.members.size() - late.size();
		if (counting >= this.members.quorum) {
			return null;
		}
		return new OutOfReach("a quorum cannot be reached before the wait time ends: only " + counting + " of "
				+ this.members.size() + " nodes can count by then (" + late.stream()
					.map((outcome) -> outcome.node() + ": " + outcome.detail())
					.collect(Collectors.joining(", ")) + ")", List.copyOf(late));
	}

	/**
	 * {@link #quorumOutOfReach} before a call's first attempt: with the restart guard only, which
	 * sends no lock to a node that cannot count, so an attempt could not do better; without the
	 * guard every call tries the nodes once, the only way the engine hears that one is back.
	 */
	OutOfReach quorumOutOfReachBeforeTrying(long deadline) {
		return this.guarded ? quorumOutOfReach(deadline) : null;
	}

	@Override
	public String outOfReach(long deadline) {
		OutOfReach hopeless = quorumOutOfReach(deadline);
		return (hopeless != null) ? hopeless.reason() : null;
	}

	/**
	 * Why no quorum can count in time.
	 * @param reason the whole reason, naming each node that cannot count and why
	 * @param nodes one {@code FAILED} outcome for each node that cannot count, the others left out
	 */
	record OutOfReach(String reason, List<NodeOutcome> nodes) {
	}

}
