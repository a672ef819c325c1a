package dev.redlock.core;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Keeps a node that restarted recently out of the quorum. A node that restarts without
 * persistence forgets the locks it held; counting it at once could let a second owner reach a
 * quorum while the first still holds the lock. The Redlock specification's remedy: a restarted
 * node does not take part until the longest lease has passed.
 *
 * <p>Restarts are seen from each node's {@code run_id} and {@code uptime_in_seconds}, read by the
 * engine's probes. A node that failed a command since its last probe is held out until a probe
 * has seen it again, so a restart between two probes is not missed.
 */
public final class RestartGuard {

	private final Duration holdOut;

	private final AtomicReferenceArray<State> states;

	private final AtomicLongArray failures;

	private record State(String runId, long heldOutUntil, boolean suspect) {
	}

	/**
	 * Creates a guard.
	 * @param holdOut how long a restarted node is held out: the longest lease in use
	 * @param nodes how many nodes there are
	 */
	public RestartGuard(Duration holdOut, int nodes) {
		this.holdOut = holdOut;
		this.states = new AtomicReferenceArray<>(nodes);
		this.failures = new AtomicLongArray(nodes);
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
	public Duration holdOut() {
		return this.holdOut;
	}

	/**
	 * Takes what a probe of node {@code index} found.
	 * @param index the node's index
	 * @param status the probe's result
	 * @param now {@link System#nanoTime()} at the probe
	 * @param failuresBefore {@link #failureCount} before the probe called the node
	 */
	synchronized void observe(int index, NodeStatus status, long now, long failuresBefore) {
		State previous = this.states.get(index);
		if (!status.reachable()) {
			if (previous != null) {
				this.states.set(index, new State(previous.runId(), previous.heldOutUntil(), true));
			}
			return;
		}
		if (status.runId() == null || status.uptime() == null) {
			// the node does not tell its run id (no INFO permission, or a plain LockNode): restarts
			// cannot be seen, so the guard cannot hold it out
			this.states.set(index, new State("", now, this.failures.get(index) != failuresBefore));
			return;
		}
		long restartedAt = now - provenUptime(status.uptime()).toNanos();
		long until = restartedAt + this.holdOut.toNanos();
		boolean restarted = previous == null || !status.runId().equals(previous.runId());
		long heldOutUntil = restarted ? until : previous.heldOutUntil();
		// a failure seen while the probe ran may be a restart after the probe's answer: stay suspect
		boolean suspect = this.failures.get(index) != failuresBefore;
		this.states.set(index, new State(status.runId(), heldOutUntil, suspect));
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
	synchronized void suspect(int index) {
		this.failures.incrementAndGet(index);
		State previous = this.states.get(index);
		if (previous != null && !previous.suspect()) {
			this.states.set(index, new State(previous.runId(), previous.heldOutUntil(), true));
		}
	}

	/**
	 * Why node {@code index} must not count toward a quorum now.
	 * @param index the node's index
	 * @param now {@link System#nanoTime()}
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
		long left = state.heldOutUntil() - now;
		if (left > 0) {
			return "restarted less than " + this.holdOut.toSeconds() + "s ago; held out of the quorum for "
					+ Duration.ofNanos(left).toMillis() + "ms more";
		}
		return null;
	}

	/**
	 * Why each node must not count now.
	 * @param now {@link System#nanoTime()}
	 * @return per node, the reason or {@code null}
	 */
	List<String> heldOut(long now) {
		String[] reasons = new String[this.states.length()];
		for (int i = 0; i < reasons.length; i++) {
			reasons[i] = heldOut(i, now);
		}
		return java.util.Arrays.asList(reasons);
	}

}
