package dev.redlock.core;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps a node out of the quorum while it must not count: a node that restarted recently (seen by
 * this engine with another run id before, or, for a node that cannot be armed, not proven up for
 * the hold-out), a node that is not armed yet ({@link Arming}), and a node that failed a command
 * since its last probe (so a restart between two probes is not missed). A node that restarts
 * without persistence forgets the locks it held; counting it at once could let a second owner
 * reach a quorum while the first still holds the lock.
 *
 * <p>Restarts are seen from each node's {@code run_id} and {@code uptime_in_seconds}, read by the
 * engine's probes every check interval.
 */
final class RestartGuard {

	private final Duration holdOut;

	private final long intervalNanos;

	private final AtomicReferenceArray<State> states;

	private final AtomicLongArray failures;

	private final ReentrantLock lock = new ReentrantLock();

	private volatile long lastProbe;

	/**
	 * @param runId the run id last seen, or empty if the node does not tell it
	 * @param heldOutUntil until when a restart holds the node out
	 * @param suspect whether the node failed since its last probe, or was unreachable then
	 * @param unarmed why the node is not armed, or {@code null}
	 * @param unarmedUntil the soonest it may be armed
	 * @param seenAt when a probe last saw the node answer
	 */
	private record State(String runId, long heldOutUntil, boolean suspect, String unarmed, long unarmedUntil,
			long seenAt) {

		State suspected() {
			return new State(this.runId, this.heldOutUntil, true, this.unarmed, this.unarmedUntil, this.seenAt);
		}

	}

	/**
	 * Creates a guard.
	 * @param holdOut how long a restarted node is held out: the longest lease in use
	 * @param checkInterval how often the engine probes the nodes
	 * @param nodes how many nodes there are
	 * @param now the ticker's time now
	 */
	RestartGuard(Duration holdOut, Duration checkInterval, int nodes, long now) {
		this.holdOut = holdOut;
		this.intervalNanos = checkInterval.toNanos();
		this.states = new AtomicReferenceArray<>(nodes);
		this.failures = new AtomicLongArray(nodes);
		this.lastProbe = now;
	}

	/**
	 * How many failures node {@code index} has had; a probe takes this before it calls the node,
	 * and hands it to {@link #observe} so that a failure during the probe is not forgotten.
	 */
	long failureCount(int index) {
		return this.failures.get(index);
	}

	/**
	 * How long a restarted node is held out.
	 * @return the hold-out time
	 */
	Duration holdOut() {
		return this.holdOut;
	}

	/**
	 * Takes what a probe of node {@code index} found.
	 * @param index the node's index
	 * @param status the probe's result
	 * @param armable whether the node is armed before it grants locks (then the marker, not the
	 * uptime, tells whether a node this engine sees for the first time may count)
	 * @param unarmedUntil for an unarmed node, the soonest it may be armed
	 * @param now the ticker's time at the probe
	 * @param failuresBefore {@link #failureCount} before the probe called the node
	 */
	void observe(int index, NodeStatus status, boolean armable, long unarmedUntil, long now, long failuresBefore) {
		this.lock.lock();
		try {
			this.lastProbe = now;
			this.states.set(index, next(this.states.get(index), status, armable, unarmedUntil, now,
					this.failures.get(index) != failuresBefore));
		}
		finally {
			this.lock.unlock();
		}
	}

	private State next(State previous, NodeStatus status, boolean armable, long unarmedUntil, long now,
			boolean failedMeanwhile) {
		if (!status.reachable()) {
			return (previous != null) ? previous.suspected() : new State("", now, true, null, now, now);
		}
		String unarmed = Boolean.FALSE.equals(status.armed()) ? status.problem() : null;
		if (status.runId() == null || status.uptime() == null) {
			// the node does not tell its run id (no INFO permission, or a plain LockNode): restarts
			// cannot be seen, so the guard cannot hold it out
			return new State("", now, failedMeanwhile, unarmed, unarmedUntil, now);
		}
		long restartedAt = now - provenUptime(status.uptime()).toNanos();
		boolean sameRun = previous != null && status.runId().equals(previous.runId());
		if (previous != null && !sameRun && !previous.runId().isEmpty() && restartedAt - previous.seenAt() < 0) {
			// another run id, but a process that was already up when the last probe saw the former one:
			// a failover (a promoted replica) or another server, not a restart; it may lack locks the
			// former one granted, so the hold-out runs from now
			return new State(status.runId(), now + this.holdOut.toNanos(), failedMeanwhile, unarmed, unarmedUntil, now);
		}
		long heldOutUntil;
		if (sameRun) {
			heldOutUntil = previous.heldOutUntil();
		}
		else if (armable && (previous == null || previous.runId().isEmpty())) {
			// first sight of a node whose marker decides: armed means some engine judged it may count
			heldOutUntil = now;
		}
		else {
			heldOutUntil = restartedAt + this.holdOut.toNanos();
		}
		// a failure seen while the probe ran may be a restart after the probe's answer: stay suspect
		return new State(status.runId(), heldOutUntil, failedMeanwhile, unarmed, unarmedUntil, now);
	}

	/**
	 * How long a node has surely been up: Redis counts {@code uptime_in_seconds} between two
	 * wall-clock seconds, so a server started 0.1 s ago may already say 1; one second less is
	 * what the number proves.
	 * @param uptime the reported uptime
	 * @return the uptime it proves, never negative
	 */
	static Duration provenUptime(Duration uptime) {
		return uptime.isZero() ? uptime : uptime.minusSeconds(1);
	}

	/**
	 * Marks a node whose command failed: it counts again once a probe has seen it.
	 * @param index the node's index
	 */
	void suspect(int index) {
		this.lock.lock();
		try {
			this.failures.incrementAndGet(index);
			State previous = this.states.get(index);
			if (previous != null && !previous.suspect()) {
				this.states.set(index, previous.suspected());
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Why node {@code index} must not count toward a quorum now.
	 * @param index the node's index
	 * @param now the ticker's time
	 * @return the reason, or {@code null} if the node may count
	 */
	String heldOut(int index, long now) {
		State state = this.states.get(index);
		if (state == null) {
			return "not probed yet";
		}
		if (state.suspect()) {
			return "failed since its last probe; counts again once a probe has seen it";
		}
		if (state.unarmed() != null) {
			return state.unarmed();
		}
		long left = state.heldOutUntil() - now;
		if (left > 0) {
			return "restarted less than " + this.holdOut.toSeconds() + "s ago; held out of the quorum for "
					+ Duration.ofNanos(left).toMillis() + "ms more";
		}
		return null;
	}

	/**
	 * Why each node must not count now.
	 * @param now the ticker's time
	 * @return per node, the reason or {@code null}
	 */
	List<String> heldOut(long now) {
		String[] reasons = new String[this.states.length()];
		for (int i = 0; i < reasons.length; i++) {
			reasons[i] = heldOut(i, now);
		}
		return Arrays.asList(reasons);
	}

	/**
	 * The soonest node {@code index} may count: now for a node that counts, the end of its
	 * hold-out, or the next probe for a node that only a probe can let count again.
	 * @param index the node
	 * @param now the ticker's time
	 * @return the ticker's time when it may count, at the soonest
	 */
	long countsAt(int index, long now) {
		State state = this.states.get(index);
		long nextProbe = Math.max(now, this.lastProbe + this.intervalNanos);
		if (state == null || state.suspect()) {
			return nextProbe;
		}
		long at = now;
		if (state.heldOutUntil() - at > 0) {
			at = Math.max(state.heldOutUntil(), nextProbe);
		}
		if (state.unarmed() != null) {
			at = Math.max(at, Math.max(state.unarmedUntil(), nextProbe));
		}
		return at;
	}

}
