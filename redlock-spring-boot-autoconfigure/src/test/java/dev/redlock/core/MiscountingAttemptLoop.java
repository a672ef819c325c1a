package dev.redlock.core;

import java.util.ArrayList;
import java.util.List;

import dev.redlock.NodeOutcome;
import dev.redlock.NodeOutcome.Status;

/**
 * A deliberately broken attempt loop, for the simulation's negative control: one vote short of a
 * quorum, it counts a node held by another owner as one that granted the lock.
 */
final class MiscountingAttemptLoop extends AttemptLoop {

	private final int quorum;

	MiscountingAttemptLoop(int quorum, long leaseNanos, boolean fenced, long deadline, RedlockSettings settings) {
		super(quorum, leaseNanos, fenced, deadline, settings);
		this.quorum = quorum;
	}

	@Override
	Step answered(List<NodeOutcome> outcomes, long now) {
		if (Verdicts.count(outcomes, Status.ACQUIRED) != this.quorum - 1) {
			return super.answered(outcomes, now);
		}
		List<NodeOutcome> miscounted = new ArrayList<>(outcomes);
		for (int i = 0; i < miscounted.size(); i++) {
			NodeOutcome outcome = miscounted.get(i);
			if (outcome.status() == Status.HELD_BY_OTHER) {
				miscounted.set(i, new NodeOutcome(outcome.node(), Status.ACQUIRED, "miscounted"));
				break;
			}
		}
		return super.answered(miscounted, now);
	}

}
