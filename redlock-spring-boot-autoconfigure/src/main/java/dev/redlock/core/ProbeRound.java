package dev.redlock.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * One probe of every node, in its order of steps: every node's status, the news of reach each
 * brings ({@link NodeStanding#probed}); with the restart guard, arming of the nodes due (each
 * probed again, so that it counts from this probe on) and the guard's and the preconditions'
 * verdict on each, with the node's failure count from before the probe; without, the
 * preconditions' verdict. The probes themselves, the time and what becomes of a verdict come from
 * the runtime: {@link NodeHealth} (parallel probes bounded by the node timeout, the system clock,
 * logging and availability) and the simulation's engines (simulated nodes, virtual time).
 */
final class ProbeRound {

	private final NodeStanding standing;

	/** With the restart guard; {@code null} without. */
	private final RestartGuard guard;

	private final Arming arming;

	private final ArmableNode[] armable;

	private final Ticker ticker;

	/**
	 * @param standing the health decisions, with the restart guard if it is on
	 * @param arming arming, with the restart guard; {@code null} without
	 * @param armable per node, its arming capability, or {@code null} if it cannot be armed
	 * @param ticker the clock each step's time is read from
	 */
	ProbeRound(NodeStanding standing, Arming arming, ArmableNode[] armable, Ticker ticker) {
		this.standing = standing;
		this.guard = standing.guard();
		this.arming = arming;
		this.armable = armable;
		this.ticker = ticker;
	}

	/**
	 * Probes every node and judges what each said.
	 * @param probeAll every node's status, in configuration order
	 * @param probeOne node {@code index}'s status, probed again after it was armed
	 * @param listener told each node's verdict as soon as it is judged, in configuration order
	 * @return one status per node, in configuration order, with the verdict in
	 * {@link NodeStatus#problem()} for a node that must not count now
	 */
	List<NodeStatus> run(Supplier<List<NodeStatus>> probeAll, IntFunction<NodeStatus> probeOne, Listener listener) {
		int n = this.armable.length;
		long[] failuresBefore = new long[n];
		for (int i = 0; i < n && this.guard != null; i++) {
			failuresBefore[i] = this.guard.failureCount(i);
		}
		List<NodeStatus> statuses = new ArrayList<>(probeAll.get());
		long probed = this.ticker.nanoTime();
		for (int i = 0; i < n; i++) {
			this.standing.probed(i, statuses.get(i), probed);
		}
		if (this.guard == null) {
			for (int i = 0; i < n; i++) {
				statuses.set(i, this.standing.checked(i, statuses.get(i), this.ticker.nanoTime()));
				listener.judged(i, statuses.get(i));
			}
			return statuses;
		}
		for (int armed : this.arming.armDue(statuses)) {
			// probed again, so that it counts from this probe on
			statuses.set(armed, probeOne.apply(armed));
		}
		long now = this.ticker.nanoTime();
		List<NodeStatus> judged = new ArrayList<>(n);
		for (int i = 0; i < n; i++) {
			NodeStatus status = this.standing.judged(i, statuses.get(i), this.armable[i] != null,
					this.arming.waiting(i), now, failuresBefore[i]);
			listener.judged(i, status);
			judged.add(status);
		}
		return judged;
	}

	/** What the runtime does with each node's verdict. */
	@FunctionalInterface
	interface Listener {

		/** Node {@code index}'s verdict: {@code status}, with the reason it must not count, if any. */
		void judged(int index, NodeStatus status);

	}

}
