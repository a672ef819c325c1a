package dev.redlock.core;

import java.util.concurrent.CompletableFuture;

/**
 * One call of a simulated engine to a simulated node, as the network and the node carry it: a
 * message there with the node's latency, the engine's {@link NodeCall} run there against the
 * engine's view of the node (or not: down, restarted, paused past the timeout, its reply lost),
 * and the answer back, bounded by the node timeout. It completes the
 * call's future as a driver's call would: {@code true} or {@code false}, or a {@link NodeFailure}
 * of the kind the driver would throw; counted in the engine's {@link NodeLoad} and told to the
 * engine as {@link FanOut} tells {@code NodeHealth}, unless untracked (the gate's lone first call).
 * A request the client gave up on still runs when a paused node gets to it.
 */
final class VirtualCall {

	/** Per kind, the failure a simulated call ends with: one instance each, without a stack trace. */
	private static final NodeFailure[] FAILURES = new NodeFailure[NodeFailure.Kind.values().length];

	static {
		for (NodeFailure.Kind kind : NodeFailure.Kind.values()) {
			FAILURES[kind.ordinal()] = new NodeFailure(kind, kind.name(), null) {

				@Override
				public synchronized Throwable fillInStackTrace() {
					return this;
				}

			};
		}
	}

	/** The failure of that kind a simulated call ends with (or a node's script throws). */
	static NodeFailure failure(NodeFailure.Kind kind) {
		return FAILURES[kind.ordinal()];
	}

	private final SimulatedEngine engine;

	private final EngineSimulation sim;

	private final NodeCall call;

	private final int index;

	private final CompletableFuture<Boolean> future;

	private final boolean tracked;

	private boolean sent;

	private long sentAt;

	/** The latest node time the armed script accepts, computed when sent ({@code JedisArming}); 0: none. */
	private long latestMicros;

	private long deadline;

	private int incarnation;

	VirtualCall(SimulatedEngine engine, NodeCall call, int index, CompletableFuture<Boolean> future,
			boolean tracked) {
		this.engine = engine;
		this.sim = engine.sim;
		this.call = call;
		this.index = index;
		this.future = future;
		this.tracked = tracked;
	}

	/** Sends the call now (nothing, if the process died: a call that waited for an earlier one). */
	void send() {
		if (this.engine.dead()) {
			return;
		}
		SimulatedNode node = this.sim.node(this.index);
		this.sent = true;
		this.incarnation = node.incarnation();
		this.sentAt = this.tracked ? this.engine.load().started(this.index) : this.sim.now();
		this.deadline = this.sim.now() + this.engine.nodeTimeout();
		this.latestMicros = this.engine.latestServerMicros(this.index);
		this.sim.at(this.sim.now() + node.latency(), this::arrive);
		this.sim.tally.messages++;
	}

	/**
	 * The answer already read by the gate's lone call (the gated call has it): counted as a call
	 * that took no time, as {@link FanOut} counts the gate's first node.
	 */
	void answered() {
		this.sent = true;
		this.sentAt = this.engine.load().started(this.index);
		boolean yes;
		try {
			yes = this.call.call(this.index, this.engine.view(this.index));
		}
		catch (NodeFailure failure) {
			this.engine.load().ended(this.index, this.sentAt);
			this.future.completeExceptionally(failure);
			return;
		}
		complete(yes, null);
	}

	private void arrive() {
		SimulatedNode node = this.sim.node(this.index);
		if (node.isDown() || node.incarnation() != this.incarnation) {
			if (node.refusesWhileDown() || node.incarnation() != this.incarnation) {
				failAt(Math.min(this.sim.now() + node.latency(), this.deadline), NodeFailure.Kind.IO);
			}
			else {
				failAt(this.deadline, NodeFailure.Kind.TIMED_OUT);
			}
			return;
		}
		if (node.isPaused()) {
			long resume = node.pausedUntil();
			if (resume >= this.deadline) {
				failAt(this.deadline, NodeFailure.Kind.TIMED_OUT);
				this.sim.at(resume, this::applyLate);
			}
			else {
				this.sim.at(resume, this::arrive);
			}
			return;
		}
		NodeFailure.Kind refused = null;
		boolean yes = false;
		try {
			yes = apply();
		}
		catch (NodeFailure failure) {
			refused = failure.kind();
		}
		if (node.replyLost()) {
			failAt(this.deadline, NodeFailure.Kind.TIMED_OUT);
			return;
		}
		long back = this.sim.now() + node.latency();
		if (back > this.deadline) {
			failAt(this.deadline, NodeFailure.Kind.TIMED_OUT);
		}
		else if (refused != null) {
			// NOT_ARMED, or FAILED: the script found the node's clock ahead of the last look (LockReplies.armed)
			failAt(back, refused);
		}
		else {
			boolean answer = yes;
			this.sim.at(back, () -> complete(answer, null));
		}
	}

	/** A request the client gave up on, run when the paused node gets to it. */
	private void applyLate() {
		SimulatedNode node = this.sim.node(this.index);
		if (node.isDown() || node.incarnation() != this.incarnation) {
			return;
		}
		if (node.isPaused()) {
			this.sim.at(node.pausedUntil(), this::applyLate);
			return;
		}
		try {
			apply();
		}
		catch (NodeFailure failure) {
			// nobody reads it
		}
	}

	/** Runs the engine's call on the node now, as sent. */
	private boolean apply() {
		return this.call.call(this.index, this.engine.view(this.index).sent(this.latestMicros));
	}

	private void failAt(long time, NodeFailure.Kind kind) {
		this.sim.at(time, () -> complete(false, kind));
	}

	/** Ends the call: a yes or a no ({@code failure == null}), or a failure of that kind. */
	private void complete(boolean yes, NodeFailure.Kind failure) {
		if (this.future.isDone()) {
			return;
		}
		if (this.tracked && this.sent && !this.engine.dead()) {
			this.engine.load().ended(this.index, this.sentAt);
		}
		if (failure != null) {
			this.future.completeExceptionally(FAILURES[failure.ordinal()]);
			return;
		}
		if (this.tracked) {
			this.engine.answered(this.index);
		}
		this.future.complete(yes);
	}

}
