package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.redlock.NodeOutcome;

/**
 * What the engine knows of each node's health: probes (every node at once, each bounded by the
 * node timeout), the restart guard and arming when the guard is on, the answers and failures of
 * lock calls, and the availability they add up to ({@link NodeAvailability}, which logs each
 * change).
 */
final class NodeHealth implements NodeCallListener {

	private static final Logger logger = LoggerFactory.getLogger(NodeHealth.class);

	private final Members members;

	private final KeySpace keys;

	private final Executor executor;

	private final long nodeTimeoutNanos;

	private final LockObserver observer;

	private final NodeAvailability availability;

	/** Which nodes may count: reach, the restart guard (if on), the preconditions. */
	private final NodeStanding standing;

	/** Whether a quorum can count in time, from {@link #standing}. */
	private final QuorumReach reach;

	/** The restart guard; {@code null} without. */
	private final RestartGuard guard;

	/** A probe's steps (with arming when the guard is on), on the system clock. */
	private final ProbeRound probeRound;

	private final ReentrantLock probeLock = new ReentrantLock();

	NodeHealth(Members members, KeySpace keys, Executor executor, long nodeTimeoutNanos, LockObserver observer,
			Duration holdOut, Duration checkInterval, NodePreconditions preconditions) {
		this.members = members;
		this.keys = keys;
		this.executor = executor;
		this.nodeTimeoutNanos = nodeTimeoutNanos;
		this.observer = observer;
		this.availability = new NodeAvailability(members.nodes, members.quorum, holdOut == null);
		this.guard = (holdOut != null) ? new RestartGuard(holdOut, checkInterval, members.size(), System.nanoTime())
				: null;
		this.standing = new NodeStanding(members.size(), this.guard, preconditions, checkInterval, nodeTimeoutNanos);
		this.reach = new QuorumReach(members, this.standing, this.guard != null, Ticker.SYSTEM);
		Arming arming = null;
		if (holdOut != null) {
			arming = new Arming(members.nodes, members.armable, keys.prefix(), holdOut, Ticker.SYSTEM);
			ArmableNode.Keys armingKeys = keys.armingKeys();
			for (ArmableNode node : members.armable) {
				if (node != null) {
					node.requireArming(armingKeys);
				}
			}
		}
		this.probeRound = new ProbeRound(this.standing, arming, members.armable, Ticker.SYSTEM);
	}

	/** The restart guard's hold-out, if the guard is on. */
	Optional<Duration> holdOut() {
		return Optional.ofNullable(this.guard).map(RestartGuard::holdOut);
	}

	/**
	 * Per node, why it must not be sent a lock now, or {@code null} if it may; {@code null} for the
	 * whole list when no node is held out without the restart guard.
	 */
	List<String> heldOut() {
		return this.standing.heldOut(System.nanoTime());
	}

	/**
	 * Probes every node in parallel: a canary lock, and what the node says about itself. With the
	 * restart guard, arms the nodes that may be armed and updates the guard.
	 * @return one status per node, in configuration order, with the guard's verdict in
	 * {@link NodeStatus#problem()} for held-out nodes
	 */
	List<NodeStatus> probe() {
		this.probeLock.lock();
		try {
			return probeNodes();
		}
		finally {
			this.probeLock.unlock();
		}
	}

	/** The engine is closing: node news is no longer logged. */
	void close() {
		this.availability.close();
	}

	/** A probe run by the monitor: never throws. */
	void probeQuietly() {
		try {
			probe();
		}
		catch (RuntimeException ex) {
			logger.warn("Probing the Redlock nodes failed", ex);
		}
	}

	private List<NodeStatus> probeNodes() {
		String canaryKey = this.keys.canaryKey();
		return this.probeRound.run(() -> probeAll(canaryKey), (index) -> this.members.nodes.get(index).probe(canaryKey),
				this::report);
	}

	/** A probe's verdict; refused credentials are news also for a node that is down already. */
	private void report(int index, NodeStatus status) {
		if (status.credentialsRejected()) {
			this.availability.refused(index, status.problem());
		}
		else {
			this.availability.probed(index, status.lockable() && status.problem().isEmpty(), status.problem());
		}
	}

	private List<NodeStatus> probeAll(String canaryKey) {
		List<CompletableFuture<NodeStatus>> probes = new ArrayList<>(this.members.size());
		for (LockNode node : this.members.nodes) {
			probes.add(CompletableFuture.supplyAsync(() -> node.probe(canaryKey), this.executor));
		}
		long deadline = System.nanoTime() + 8 * this.nodeTimeoutNanos;
		List<NodeStatus> statuses = new ArrayList<>(this.members.size());
		for (int i = 0; i < probes.size(); i++) {
			NodeStatus status;
			try {
				status = probes.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				status = NodeStatus.unreachable(this.members.name(i), "interrupted");
			}
			catch (Exception ex) {
				status = NodeStatus.unreachable(this.members.name(i), "no answer within the node timeout");
			}
			statuses.add(status);
		}
		return statuses;
	}

	@Override
	public void answered(int index) {
		this.standing.answered(index);
		this.availability.answered(index);
	}

	/**
	 * Told of every failed node call, of every round. Any failure but a call not sent or an
	 * exhausted connection pool may hide a restart (a stale connection to a restarted node fails
	 * with an end of stream, and no probe has seen the new run id yet), so with the restart guard
	 * the node stops counting until a probe has seen it.
	 */
	@Override
	public void failed(int index, NodeOutcome outcome, Throwable error) {
		NodeFailure.Kind kind = NodeFailure.kindOf(error);
		if (kind == NodeFailure.Kind.HELD_OUT) {
			return;
		}
		this.observer.nodeFailed(outcome);
		if (this.standing.failed(index, kind, outcome.detail(), System.nanoTime())) {
			String problem = outcome.detail() + ((this.guard != null) ? "; held out until a probe has seen it" : "");
			if (kind == NodeFailure.Kind.ACCESS_DENIED) {
				this.availability.refused(index, problem);
			}
			else {
				this.availability.failed(index, problem);
			}
		}
	}

	/** Whether a quorum can still count before a deadline, on the system clock. */
	QuorumReach reach() {
		return this.reach;
	}

}
