package dev.redlock.core;

import java.time.Duration;
import java.util.List;

/**
 * The health decisions about the nodes, from what the engine heard of them: which may be sent a
 * lock now, which can count before a deadline, what a failed call or a probe changes. It keeps
 * the news of reach ({@link NodeReach}), the restart guard ({@link RestartGuard}, if on) and the
 * preconditions ({@link NodePreconditions}); it reads no clock (every event brings its time) and
 * waits for nothing, so {@link NodeHealth} runs it beside its probes, logging and observers, and
 * the simulation's engines on virtual time.
 */
final class NodeStanding {

	private final int nodes;

	private final NodeReach reach;

	private final RestartGuard guard;

	private final NodePreconditions preconditions;

	/**
	 * @param nodes how many nodes
	 * @param guard the restart guard, or {@code null} without
	 * @param preconditions the preconditions, or {@code null} for none (the simulation's control)
	 * @param checkInterval how often the nodes are probed
	 * @param nodeTimeoutNanos the node timeout
	 */
	NodeStanding(int nodes, RestartGuard guard, NodePreconditions preconditions, Duration checkInterval,
			long nodeTimeoutNanos) {
		this.nodes = nodes;
		this.guard = guard;
		this.preconditions = preconditions;
		this.reach = new NodeReach(nodes, reachNewsFresh(guard != null, checkInterval, nodeTimeoutNanos));
	}

	/**
	 * How long the news that a node cannot be reached is believed: with the restart guard, until two
	 * probes (each bounded by eight node timeouts) have missed it; without, where only lock calls
	 * tell, for a second (every call tries the nodes once, and renews the news).
	 */
	private static Duration reachNewsFresh(boolean guarded, Duration checkInterval, long nodeTimeoutNanos) {
		if (!guarded) {
			return Duration.ofSeconds(1);
		}
		return checkInterval.multipliedBy(2).plusNanos(8 * nodeTimeoutNanos);
	}

	RestartGuard guard() {
		return this.guard;
	}

	/**
	 * Per node, why it must not be sent a lock now, or {@code null} if it may; {@code null} for the
	 * whole list when none is held out.
	 */
	List<String> heldOut(long now) {
		List<String> guarded = (this.guard != null) ? this.guard.heldOut(now) : null;
		return (this.preconditions != null) ? this.preconditions.heldOut(guarded, now) : guarded;
	}

	/** A node answered a call or a probe. */
	void answered(int index) {
		this.reach.answered(index);
	}

	/**
	 * A call failed. A refused connection is news that the node cannot be reached; any failure but
	 * a call not sent or an exhausted pool may hide a restart, so with the guard the node stops
	 * counting until a probe has seen it.
	 * @return whether the failure makes the node suspect
	 */
	boolean failed(int index, NodeFailure.Kind kind, String detail, long now) {
		if (kind == NodeFailure.Kind.HELD_OUT) {
			return false;
		}
		if (kind == NodeFailure.Kind.REFUSED) {
			this.reach.unreachable(index, detail, now);
		}
		if (!NodeFailure.makesSuspect(kind)) {
			return false;
		}
		if (this.guard != null) {
			this.guard.suspect(index);
		}
		return true;
	}

	/** A probe's result, before the guard judges it: whether the node could be reached. */
	void probed(int index, NodeStatus status, long now) {
		if (status.reachable()) {
			this.reach.answered(index);
		}
		else {
			this.reach.unreachable(index, status.problem(), now);
		}
	}

	/** The preconditions' verdict on a probe (without the restart guard). */
	NodeStatus checked(int index, NodeStatus status, long now) {
		return (this.preconditions != null) ? this.preconditions.checked(index, status, now) : status;
	}

	/**
	 * The guard's and the preconditions' verdict on a probe (with the restart guard).
	 * @param status what the probe found
	 * @param armable whether the node can be armed
	 * @param wait why and until when the node waits to be armed, or {@code null}
	 * @param failuresBefore the node's failure count before the probe began
	 * @return the status, with the reason in its problem if the node must not count now
	 */
	NodeStatus judged(int index, NodeStatus status, boolean armable, ArmingWaits.Wait wait, long now, long failuresBefore) {
		NodeStatus judged = status;
		if (Boolean.FALSE.equals(judged.armed()) && wait != null) {
			judged = judged.withProblem("not armed yet: " + wait.reason());
		}
		this.guard.observe(index, judged, armable, (wait != null) ? wait.untilNanos() : now, now, failuresBefore);
		String heldOut = judged.reachable() ? this.guard.heldOut(index, now) : null;
		judged = (heldOut == null) ? judged : judged.withProblem(heldOut);
		return (this.preconditions != null) ? this.preconditions.checked(index, judged, now) : judged;
	}

	/**
	 * Why node {@code index} cannot count before {@code deadline}, or {@code null} if it may: fresh
	 * news that it cannot be reached, or its soonest time to count (the end of its hold-out, the
	 * next probe) after the deadline.
	 */
	String late(int index, long now, long deadline) {
		String why = this.reach.unreachable(index, now);
		if (why == null && this.guard != null && this.guard.countsAt(index, now) - deadline >= 0) {
			why = this.guard.heldOut(index, now);
		}
		if (why == null && this.preconditions != null && this.preconditions.countsAt(index, now) - deadline >= 0) {
			why = this.preconditions.heldOut(index, now);
		}
		return why;
	}

	/** How many nodes can count before {@code deadline}. */
	int counting(long now, long deadline) {
		int counting = 0;
		for (int i = 0; i < this.nodes; i++) {
			counting += (late(i, now, deadline) == null) ? 1 : 0;
		}
		return counting;
	}

}
