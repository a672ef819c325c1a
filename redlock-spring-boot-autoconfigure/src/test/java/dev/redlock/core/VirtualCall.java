package dev.redlock.core;

import java.util.concurrent.CompletableFuture;

/**
 * One call of a simulated engine to a simulated node, as the network and the node carry it: a
 * message there with the node's latency, run by the node (or not: down, restarted, paused past the
 * timeout, its reply lost), and the answer back, bounded by the node timeout. It completes the
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

	private final SimulatedEngine engine;

	private final EngineSimulation sim;

	private final VirtualFanOut.Run run;

	private final int index;

	private final CompletableFuture<Boolean> future;

	private final boolean tracked;

	private boolean sent;

	private long sentAt;

	/** The latest node time the armed script accepts, computed when sent ({@code JedisArming}); 0: none. */
	private long latestMicros;

	private long deadline;

	private int incarnation;

	VirtualCall(SimulatedEngine engine, VirtualFanOut.Run run, int index, CompletableFuture<Boolean> future,
			boolean tracked) {
		this.engine = engine;
		this.sim = engine.sim;
		this.run = run;
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
	 * The answer already read by the gate's lone call: counted as a call that took no time, as
	 * {@link FanOut} counts the gate's first node.
	 */
	void answered(VirtualFanOut.Run first) {
		this.sent = true;
		this.sentAt = this.engine.load().started(this.index);
		CompletableFuture<Boolean> answer = first.ballot.call(0);
		if (answer.isCompletedExceptionally()) {
			this.engine.load().ended(this.index, this.sentAt);
			answer.handle((r, error) -> this.future.completeExceptionally(error));
			return;
		}
		complete(answer.join(), null, first.counters[0]);
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
		long result = apply(node);
		if (node.replyLost()) {
			failAt(this.deadline, NodeFailure.Kind.TIMED_OUT);
			return;
		}
		long back = this.sim.now() + node.latency();
		if (back > this.deadline) {
			failAt(this.deadline, NodeFailure.Kind.TIMED_OUT);
		}
		else if (result == -2) {
			failAt(back, NodeFailure.Kind.NOT_ARMED);
		}
		else if (result == -3) {
			// the script found the node's clock ahead of the last look: LockReplies.armed
			failAt(back, NodeFailure.Kind.FAILED);
		}
		else {
			this.sim.at(back, () -> complete(result >= 0, null, result));
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
		apply(node);
	}

	/** Runs the command on the node: {@code -2} not armed, {@code -3} clock ahead, negative no, else yes. */
	private long apply(SimulatedNode node) {
		long result = execute(node);
		if (this.sim.tracing()) {
			VirtualFanOut.Command c = this.run.command;
			this.sim.trace(c.key(), node.name + " " + c.op() + " " + c.token() + " ttl " + c.ttlMillis() + " value "
					+ c.value() + " from " + this.engine.name + " -> " + result + " " + node.describe(c.keys().get(0)));
		}
		return result;
	}

	private long execute(SimulatedNode node) {
		VirtualFanOut.Command c = this.run.command;
		boolean armedOnly = this.engine.guarded();
		return switch (c.op()) {
			case ACQUIRE -> {
				long set = node.acquire(c.keys(), c.token(), c.ttlMillis(), armedOnly, this.latestMicros);
				yield (set == 1) ? 0 : (set == 0) ? -1 : set;
			}
			case ACQUIRE_FENCED -> node.acquireFenced(c.key(), c.token(), c.ttlMillis(), KeySpace.counterKey(c.key()),
					armedOnly, this.latestMicros);
			case RAISE_FENCE -> node.raiseFence(c.key(), c.token(), KeySpace.counterKey(c.key()), c.value()) ? 0 : -1;
			case RELEASE -> node.release(c.keys(), c.token()) ? 0 : -1;
			case EXTEND -> node.extend(c.keys(), c.token(), c.ttlMillis()) ? 0 : -1;
		};
	}

	private void failAt(long time, NodeFailure.Kind kind) {
		this.sim.at(time, () -> complete(false, kind, 0));
	}

	/** Ends the call: a yes or a no ({@code failure == null}), or a failure of that kind. */
	private void complete(boolean yes, NodeFailure.Kind failure, long value) {
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
		this.run.counters[this.index] = Math.max(value, 0);
		if (this.tracked) {
			this.engine.answered(this.index);
		}
		this.future.complete(yes);
	}

}
