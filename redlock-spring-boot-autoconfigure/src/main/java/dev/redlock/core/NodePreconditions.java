package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two safety preconditions of Redlock a client can see, checked at every probe rather than
 * assumed:
 * <ul>
 * <li><b>A node must not evict keys.</b> With {@code maxmemory} set and a
 * {@code maxmemory-policy} other than {@code noeviction} (every {@code volatile-*} policy too:
 * lock keys carry a time to live), memory pressure may drop a held lock or a fencing counter. Such
 * a node is held out of the quorum unless evicting nodes are allowed, and once it stops evicting
 * it is held out for the hold-out more (it may have dropped locks granted before). Either way it
 * is logged as a warning. A node that hides its memory settings (ACLs, a managed service) is
 * counted, with one warning.</li>
 * <li><b>A node's clock must not jump forward.</b> A node whose clock advanced faster than ours
 * since an earlier look ({@link ClockWatch}) may have expired keys early: like a node that
 * restarted empty, it is held out until it has kept time for the hold-out. A jump back is
 * harmless for mutual exclusion (keys live longer) and only logged.</li>
 * </ul>
 * Probes come one at a time (the caller serializes them); {@link #heldOut} may be asked from any
 * thread.
 */
final class NodePreconditions {

	private static final Logger logger = LoggerFactory.getLogger(NodePreconditions.class);

	/** How long a clock reading stays the anchor of later looks, at least. */
	private static final long ANCHOR_NANOS = Duration.ofSeconds(1).toNanos();

	private final List<LockNode> nodes;

	private final boolean allowEvicting;

	/** How long a node stays out after a jump or eviction; {@code null} without the restart guard. */
	private final Duration holdOut;

	private final LockObserver observer;

	private final ClockWatch clocks;

	private final AtomicReferenceArray<State> states;

	/**
	 * @param evicting the {@code maxmemory-policy} of a node that may evict, or {@code null}
	 * @param unknownWarned whether the node's hidden memory settings or clock were warned about
	 * @param heldOutUntil until when the node is held out after a clock jump or eviction
	 * @param why why it is held out until then, or {@code null}
	 */
	private record State(String evicting, boolean unknownWarned, long heldOutUntil, String why) {

	}

	/**
	 * @param nodes the nodes
	 * @param allowEvicting whether nodes that may evict keys count (with a warning)
	 * @param driftFactor the drift factor: clock rates within it are fine
	 * @param holdOut how long a node whose clock jumped is held out; {@code null} (no restart
	 * guard) to only warn
	 * @param observer told of every forward clock jump
	 */
	NodePreconditions(List<LockNode> nodes, boolean allowEvicting, double driftFactor, Duration holdOut,
			LockObserver observer) {
		this.nodes = nodes;
		this.allowEvicting = allowEvicting;
		this.holdOut = holdOut;
		this.observer = observer;
		this.clocks = new ClockWatch(nodes.size(), driftFactor, ANCHOR_NANOS);
		this.states = new AtomicReferenceArray<>(nodes.size());
		for (int i = 0; i < nodes.size(); i++) {
			this.states.set(i, new State(null, false, 0, null));
		}
	}

	/**
	 * Takes what a probe of node {@code index} found.
	 * @param index the node
	 * @param status the probe's result
	 * @param now this process's monotonic time
	 * @return the status, with the reason in its problem if the node must not count now
	 */
	NodeStatus checked(int index, NodeStatus status, long now) {
		if (status.reachable()) {
			State state = this.states.get(index);
			state = eviction(index, status, state, now);
			state = clock(index, status, state, now);
			this.states.set(index, state);
		}
		String heldOut = heldOut(index, now);
		return (heldOut == null) ? status
				: status.withProblem(status.problem().isEmpty() ? heldOut : status.problem() + "; " + heldOut);
	}

	private State eviction(int index, NodeStatus status, State state, long now) {
		String name = this.nodes.get(index).name();
		if (status.mayEvict()) {
			if (!status.maxmemoryPolicy().equals(state.evicting())) {
				logger.warn("Redlock node {} may evict lock keys (maxmemory {} bytes, maxmemory-policy {}): {}; fix it "
						+ "with CONFIG SET maxmemory-policy noeviction (and maxmemory-policy noeviction in redis.conf)",
						name, status.maxmemory(), status.maxmemoryPolicy(), this.allowEvicting
								? "it counts toward the quorum because evicting nodes are allowed "
										+ "(redlock.allow-evicting-nodes=true), and a held lock may be dropped"
								: "it is held out of the quorum");
			}
			return new State(status.maxmemoryPolicy(), state.unknownWarned(), state.heldOutUntil(), state.why());
		}
		if (state.evicting() != null && status.maxmemoryPolicy() != null) {
			long until = (this.allowEvicting || this.holdOut == null) ? now : now + this.holdOut.toNanos();
			logger.info("Redlock node {} no longer evicts keys (maxmemory-policy {}){}", name,
					status.maxmemoryPolicy(), (until == now) ? ""
							: "; it may have dropped locks before: held out of the quorum for " + this.holdOut.toSeconds()
									+ "s more");
			return holdOut(new State(null, state.unknownWarned(), state.heldOutUntil(), state.why()), until,
					"evicted keys until recently (maxmemory-policy " + state.evicting() + ")");
		}
		// a cluster member's clock is not read: it has a clock per shard
		if ((status.maxmemoryPolicy() == null || status.clock() == null && status.topology() == null)
				&& status.version() != null
				&& !state.unknownWarned()) {
			logger.warn("Redlock node {} does not tell {} (denied by its ACL, or hidden by the service): it counts, "
					+ "but {}", name, (status.maxmemoryPolicy() == null) ? "its maxmemory-policy (INFO memory)"
							: "its clock (TIME)", (status.maxmemoryPolicy() == null)
									? "make sure it is noeviction, or a held lock may be evicted"
									: "a jump of its clock cannot be seen (allow +time)");
			return new State(state.evicting(), true, state.heldOutUntil(), state.why());
		}
		return state;
	}

	private State clock(int index, NodeStatus status, State state, long now) {
		ClockWatch.Jump jump = this.clocks.look(index, status.clock());
		if (jump == null) {
			return state;
		}
		String name = this.nodes.get(index).name();
		String moved = Duration.ofNanos(Math.abs(jump.nanos())).toMillis() + "ms " + (jump.forward() ? "ahead" : "behind")
				+ " of this process's clock over " + Duration.ofNanos(jump.overNanos()).toMillis() + "ms";
		if (!jump.forward()) {
			logger.info("Redlock node {}'s clock fell {}: harmless for mutual exclusion (its keys expire later, "
					+ "not sooner)", name, moved);
			return state;
		}
		this.observer.nodeClockJumped(name, Duration.ofNanos(jump.nanos()));
		if (this.holdOut == null) {
			logger.warn("Redlock node {}'s clock jumped {}: it may have expired lock keys early", name, moved);
			return state;
		}
		logger.warn("Redlock node {}'s clock jumped {}: it may have expired lock keys early; held out of the quorum "
				+ "until it has kept time for {}s", name, moved, this.holdOut.toSeconds());
		return holdOut(state, now + this.holdOut.toNanos(), "its clock jumped " + moved);
	}

	private static State holdOut(State state, long until, String why) {
		return (until - state.heldOutUntil() > 0) ? new State(state.evicting(), state.unknownWarned(), until, why)
				: state;
	}

	/**
	 * Why node {@code index} must not count toward a quorum now.
	 * @param index the node
	 * @param now this process's monotonic time
	 * @return the reason, or {@code null} if it may count
	 */
	String heldOut(int index, long now) {
		State state = this.states.get(index);
		if (state.evicting() != null && !this.allowEvicting) {
			return "may evict lock keys (maxmemory-policy " + state.evicting() + "); held out of the quorum until "
					+ "it is set to noeviction";
		}
		long left = state.heldOutUntil() - now;
		if (state.why() != null && left > 0) {
			return state.why() + "; held out of the quorum for " + Duration.ofNanos(left).toMillis() + "ms more";
		}
		return null;
	}

	/**
	 * Each node's reason not to count now, added to reasons found elsewhere.
	 * @param others per node a reason, or {@code null}; or {@code null} for none
	 * @param now this process's monotonic time
	 * @return per node the first reason, or {@code null} if no node is held out and {@code others}
	 * was {@code null}
	 */
	List<String> heldOut(List<String> others, long now) {
		List<String> reasons = null;
		for (int i = 0; i < this.nodes.size(); i++) {
			String reason = (others != null && others.get(i) != null) ? others.get(i) : heldOut(i, now);
			if (reason != null && reasons == null) {
				reasons = new ArrayList<>(this.nodes.size());
				for (int j = 0; j < i; j++) {
					reasons.add((others != null) ? others.get(j) : null);
				}
			}
			if (reasons != null) {
				reasons.add(reason);
			}
		}
		return (reasons != null) ? reasons : others;
	}

	/**
	 * The soonest node {@code index} may count as far as these preconditions go: a node that may
	 * evict counts only once someone fixes its configuration, which no wait should count on.
	 * @param index the node
	 * @param now this process's monotonic time
	 * @return the time
	 */
	long countsAt(int index, long now) {
		State state = this.states.get(index);
		if (state.evicting() != null && !this.allowEvicting) {
			return now + Long.MAX_VALUE / 4;
		}
		return (state.why() != null && state.heldOutUntil() - now > 0) ? state.heldOutUntil() : now;
	}

}
