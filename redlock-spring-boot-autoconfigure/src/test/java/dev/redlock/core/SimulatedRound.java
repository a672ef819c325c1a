package dev.redlock.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import dev.redlock.NodeOutcome;
import dev.redlock.NodeOutcome.Status;

/**
 * One round of a simulated engine, as {@link FanOut} runs it: one command to every node, each a
 * message with its own latency there and back, bounded by the node timeout; decided with
 * {@link Verdicts#decided} as soon as enough nodes agreed or can no longer agree, or at the round's
 * deadline. Calls still running when it is decided go on, as on real sockets. A round that follows
 * a lock's earlier calls ({@link SimulatedChain}, as {@link Preceding}) is sent to each node by
 * {@link SimulatedEngine} only once those calls there have ended.
 */
final class SimulatedRound {

	/** The Lua script or command each call runs. */
	enum Op {

		ACQUIRE, ACQUIRE_FENCED, RAISE_FENCE, RELEASE, EXTEND

	}

	private static final int PENDING = 0;

	private static final int YES = 1;

	private static final int NO = 2;

	private static final int FAILED = 3;

	/** One node's call. */
	final class Call {

		final int index;

		private int state = PENDING;

		private NodeFailure.Kind failure;

		private long counter;

		private boolean sent;

		private boolean tracked = true;

		private long sentAt;

		/** The latest node time the armed script accepts, computed when sent ({@code JedisArming}); 0: none. */
		private long latestMicros;

		private long deadline;

		private int incarnation;

		/** What runs once the call has ended, in the order it was asked for. */
		private Runnable then;

		Call(int index) {
			this.index = index;
		}

		boolean done() {
			return this.state != PENDING;
		}

		boolean yes() {
			return this.state == YES;
		}

		/** Answered no, without failing: the gate's head start follows. */
		boolean refused() {
			return this.state == NO;
		}

		boolean failedWith(NodeFailure.Kind kind) {
			return this.state == FAILED && this.failure == kind;
		}

		long counter() {
			return this.counter;
		}

		/** Runs {@code action} once this call has ended (after what was asked for before). */
		void whenDone(Runnable action) {
			Runnable before = this.then;
			this.then = (before == null) ? action : () -> {
				before.run();
				action.run();
			};
		}

		private void arrive() {
			SimulatedNode node = SimulatedRound.this.engine.sim.node(this.index);
			EngineSimulation sim = SimulatedRound.this.engine.sim;
			if (node.isDown() || node.incarnation() != this.incarnation) {
				if (node.refusesWhileDown() || node.incarnation() != this.incarnation) {
					finishAt(Math.min(sim.now() + node.latency(), this.deadline), FAILED, NodeFailure.Kind.IO, 0);
				}
				else {
					finishAt(this.deadline, FAILED, NodeFailure.Kind.TIMED_OUT, 0);
				}
				return;
			}
			if (node.isPaused()) {
				long resume = node.pausedUntil();
				if (resume >= this.deadline) {
					finishAt(this.deadline, FAILED, NodeFailure.Kind.TIMED_OUT, 0);
					sim.at(resume, this::applyLate);
				}
				else {
					sim.at(resume, this::arrive);
				}
				return;
			}
			long result = apply(node);
			if (node.replyLost()) {
				finishAt(this.deadline, FAILED, NodeFailure.Kind.TIMED_OUT, 0);
				return;
			}
			long back = sim.now() + node.latency();
			if (back > this.deadline) {
				finishAt(this.deadline, FAILED, NodeFailure.Kind.TIMED_OUT, 0);
			}
			else if (result == -2) {
				finishAt(back, FAILED, NodeFailure.Kind.NOT_ARMED, 0);
			}
			else if (result == -3) {
				// the script found the node's clock ahead of the last look: LockReplies.armed
				finishAt(back, FAILED, NodeFailure.Kind.FAILED, 0);
			}
			else {
				finishAt(back, (result >= 0) ? YES : NO, null, result);
			}
		}

		/** A request the client gave up on, run when the paused node gets to it. */
		private void applyLate() {
			SimulatedNode node = SimulatedRound.this.engine.sim.node(this.index);
			if (node.isDown() || node.incarnation() != this.incarnation) {
				return;
			}
			if (node.isPaused()) {
				SimulatedRound.this.engine.sim.at(node.pausedUntil(), this::applyLate);
				return;
			}
			apply(node);
		}

		/** Runs the command on the node: {@code -2} not armed, negative no, else yes (and the counter). */
		private long apply(SimulatedNode node) {
			long result = run(node);
			SimulatedRound round = SimulatedRound.this;
			if (round.engine.sim.tracing()) {
				round.engine.sim.trace(round.key, node.name + " " + round.op + " " + round.token + " ttl " + round.ttlMillis
						+ " value " + round.value + " from " + round.engine.name + " -> " + result + " " + node.describe(round.key));
			}
			return result;
		}

		private long run(SimulatedNode node) {
			SimulatedRound round = SimulatedRound.this;
			boolean armedOnly = round.engine.guarded();
			return switch (round.op) {
				case ACQUIRE -> {
					long set = node.acquire(round.key, round.token, round.ttlMillis, armedOnly, this.latestMicros);
					yield (set == 1) ? 0 : (set == 0) ? -1 : set;
				}
				case ACQUIRE_FENCED -> node.acquireFenced(round.key, round.token, round.ttlMillis,
						KeySpace.counterKey(round.key), armedOnly, this.latestMicros);
				case RAISE_FENCE -> node.raiseFence(round.key, round.token, KeySpace.counterKey(round.key), round.value) ? 0 : -1;
				case RELEASE -> node.release(round.key, round.token) ? 0 : -1;
				case EXTEND -> node.extend(round.key, round.token, round.ttlMillis) ? 0 : -1;
			};
		}

		private void finishAt(long time, int outcome, NodeFailure.Kind kind, long value) {
			SimulatedRound.this.engine.sim.at(time, () -> complete(outcome, kind, value));
		}

		void complete(int outcome, NodeFailure.Kind kind, long value) {
			if (this.state != PENDING) {
				return;
			}
			SimulatedEngine engine = SimulatedRound.this.engine;
			if (this.tracked && this.sent && !engine.dead()) {
				engine.load().ended(this.index, this.sentAt);
			}
			this.state = outcome;
			this.failure = kind;
			this.counter = Math.max(value, 0);
			if (this.tracked) {
				report();
			}
			callDone(this);
			Runnable next = this.then;
			this.then = null;
			if (next != null) {
				next.run();
			}
		}

		/** Tells the engine, as {@code NodeHealth} hears of every call. */
		private void report() {
			if (this.state == FAILED) {
				SimulatedRound.this.engine.failed(this.index, this.failure);
			}
			else {
				SimulatedRound.this.engine.answered(this.index);
			}
		}

	}

	final SimulatedEngine engine;

	final Op op;

	final String key;

	final String token;

	final long ttlMillis;

	final long value;

	private final Call[] calls;

	private final int needed;

	private final long startedAt;

	private int yes;

	private int no;

	private boolean decided;

	private boolean timedOut;

	private boolean[] answeredInTime;

	/** Whether every call was started or settled, so that the caller may go on. */
	private boolean opened;

	private final Consumer<SimulatedRound> onDecided;

	SimulatedRound(SimulatedEngine engine, Op op, String key, String token, long ttlMillis, long value, int needed,
			Consumer<SimulatedRound> onDecided) {
		this.engine = engine;
		this.onDecided = onDecided;
		this.op = op;
		this.key = key;
		this.token = token;
		this.ttlMillis = ttlMillis;
		this.value = value;
		this.needed = needed;
		this.startedAt = engine.sim.now();
		this.calls = new Call[engine.sim.nodes()];
		for (int i = 0; i < this.calls.length; i++) {
			this.calls[i] = new Call(i);
		}
	}

	/** A call outside any round: the gate's first call, which {@code FanOut} does not track. */
	static void lone(SimulatedEngine engine, Op op, String key, String token, long ttlMillis, Consumer<Call> then) {
		SimulatedRound round = new SimulatedRound(engine, op, key, token, ttlMillis, 0, 1, null);
		Call call = round.calls[0];
		call.tracked = false;
		call.whenDone(() -> then.accept(call));
		round.send(call);
	}

	/** A call the engine did not send, as the gate's first call when node 0 is held out. */
	static Call notSentCall(SimulatedEngine engine, NodeFailure.Kind kind) {
		SimulatedRound round = new SimulatedRound(engine, Op.ACQUIRE, "", "", 0, 0, 1, null);
		Call call = round.calls[0];
		call.tracked = false;
		call.complete(FAILED, kind, 0);
		return call;
	}

	/** Every call is started or settled: the caller waits for the decision from now on. */
	void open() {
		this.opened = true;
		if (this.decided) {
			fire();
		}
	}

	Call call(int index) {
		return this.calls[index];
	}

	long startedAt() {
		return this.startedAt;
	}

	/** Sends to node {@code index} now. */
	void send(int index) {
		send(this.calls[index]);
	}

	private void send(Call call) {
		EngineSimulation sim = this.engine.sim;
		if (this.engine.dead()) {
			// a process that died sends nothing more (a call that waited for an earlier one)
			return;
		}
		SimulatedNode node = sim.node(call.index);
		call.sent = true;
		call.incarnation = node.incarnation();
		call.sentAt = call.tracked ? this.engine.load().started(call.index) : sim.now();
		call.deadline = sim.now() + this.engine.nodeTimeout();
		call.latestMicros = this.engine.latestServerMicros(call.index);
		sim.at(sim.now() + node.latency(), call::arrive);
		sim.tally.messages++;
	}

	/** Node {@code index}'s call is not sent: held out or saturated. */
	void notSent(int index, NodeFailure.Kind kind) {
		this.calls[index].complete(FAILED, kind, 0);
	}

	/** Node {@code index} needs no call: counted as a no, as {@code FanOut} counts it. */
	void skip(int index) {
		Call call = this.calls[index];
		call.tracked = false;
		call.complete(NO, null, 0);
	}

	/**
	 * Node {@code index}'s call is the answer already read (the gate's first call): counted as a
	 * call that took no time, as {@code FanOut} counts it.
	 */
	void answered(int index, Call answer) {
		Call call = this.calls[index];
		call.sent = true;
		call.sentAt = this.engine.load().started(index);
		call.complete(answer.state, answer.failure, answer.counter);
	}

	/** Times the round out at {@code deadline} if it is not decided by then. */
	void deadline(long deadline) {
		this.engine.sim.at(deadline, () -> decide(true));
	}

	private void callDone(Call call) {
		if (call.state == YES) {
			this.yes++;
		}
		else {
			this.no++;
		}
		if (!this.decided && Verdicts.decided(this.yes, this.no, this.calls.length, this.needed)) {
			decide(false);
		}
	}

	private void decide(boolean timedOut) {
		if (this.decided) {
			return;
		}
		this.decided = true;
		this.timedOut = timedOut;
		this.answeredInTime = new boolean[this.calls.length];
		for (int i = 0; i < this.calls.length; i++) {
			this.answeredInTime[i] = this.calls[i].done();
		}
		if (this.opened) {
			fire();
		}
	}

	private void fire() {
		if (this.onDecided != null && !this.engine.dead()) {
			this.onDecided.accept(this);
		}
	}

	/** Whether node {@code index}'s call was never sent ({@link Round#notSent}). */
	boolean notSent(int index) {
		Call call = this.calls[index];
		return call.failedWith(NodeFailure.Kind.HELD_OUT) || call.failedWith(NodeFailure.Kind.SATURATED);
	}

	/** Whether node {@code index} answered no ({@link Round#refused}). */
	boolean refused(int index) {
		return this.calls[index].state == NO;
	}

	/** Each node's state now, as {@link Round#outcomes()} tells it. */
	List<NodeOutcome> outcomes() {
		List<NodeOutcome> outcomes = new ArrayList<>(this.calls.length);
		for (Call call : this.calls) {
			Status status = switch (call.state) {
				case YES -> Status.ACQUIRED;
				case NO -> Status.HELD_BY_OTHER;
				case FAILED -> (call.failure == NodeFailure.Kind.TIMED_OUT) ? Status.TIMED_OUT : Status.FAILED;
				default -> Status.TIMED_OUT;
			};
			if (this.timedOut && !this.answeredInTime[call.index]) {
				status = Status.TIMED_OUT;
			}
			outcomes.add(new NodeOutcome(this.engine.sim.node(call.index).name, status,
					(call.failure != null) ? call.failure.name() : ""));
		}
		return outcomes;
	}

}
