package dev.redlock.core;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The simulation's runtime for one engine's rounds, as {@link FanOut} is production's: each node's
 * call goes out as the engine's own {@link Dispatch} decides, is counted by the engine's own
 * {@link Ballot}, and the round is closed into the engine's own {@link Round} once decided or at
 * its deadline. What differs is only how a call travels: here a message with its own latency to a
 * {@link SimulatedNode} and back ({@link VirtualCall}), bounded by the node timeout, on virtual time;
 * a call still running when its round closes goes on, as on a real socket.
 */
final class VirtualFanOut {

	/** The Lua script or command a round's calls run. */
	enum Op {

		ACQUIRE, ACQUIRE_FENCED, RAISE_FENCE, RELEASE, EXTEND

	}

	/**
	 * What a round's calls run.
	 * @param op the script
	 * @param keys the lock's keys, in order (one for a fenced lock)
	 * @param token the owner's token
	 * @param ttlMillis the lease asked for
	 * @param value the fencing token to record ({@link Op#RAISE_FENCE})
	 */
	record Command(Op op, List<String> keys, String token, long ttlMillis, long value) {

		/** The lock's keys joined by commas, as the engine names a lock ({@code RedlockHandle.key}). */
		String key() {
			return (this.keys.size() == 1) ? this.keys.get(0) : String.join(",", this.keys);
		}

	}

	/** One round on its way: its count, what fenced acquisitions read, and once closed the round. */
	static final class Run {

		final Command command;

		final Ballot ballot;

		/** Per node, the fencing counter it read ({@link Op#ACQUIRE_FENCED}). */
		final long[] counters;

		Round round;

		Run(Command command, int nodes, int needed) {
			this.command = command;
			this.ballot = new Ballot(nodes, needed);
			this.counters = new long[nodes];
		}

	}

	private final SimulatedEngine engine;

	private final EngineSimulation sim;

	private final List<LockNode> nodes;

	VirtualFanOut(SimulatedEngine engine, List<LockNode> nodes) {
		this.engine = engine;
		this.sim = engine.sim;
		this.nodes = nodes;
	}

	/**
	 * Runs a round, as {@link FanOut#run(NodeCall, int, long, Preceding, boolean)} does, and hands
	 * it to {@code then} once it is closed (not if the engine died meanwhile).
	 * @param heldOut per node, why it must not be sent this call, or {@code null}
	 * @param first the gate's first call, whose node 0 answer is already read, or {@code null}
	 */
	void run(Command command, int needed, long timeoutNanos, Preceding after, boolean sheddable, List<String> heldOut,
			Run first, Consumer<Run> then) {
		int n = this.nodes.size();
		Run run = new Run(command, n, needed);
		long deadline = this.sim.now() + Math.max(timeoutNanos, 0);
		NodeLoad load = this.engine.load();
		for (int i = 0; i < n; i++) {
			boolean answered = i == 0 && first != null;
			CompletableFuture<Boolean> call;
			switch (Dispatch.of(after, i, sheddable, answered, (heldOut != null) ? heldOut.get(i) : null, load)) {
				case FOLLOW -> {
					call = new CompletableFuture<>();
					int index = i;
					after.tail(i).whenComplete((r, e) -> this.sim.completing(
							() -> new VirtualCall(this.engine, run, index, call, true).send()));
				}
				case SKIP -> call = CompletableFuture.completedFuture(false);
				case SHED -> call = CompletableFuture
					.failedFuture(NodeFailure.notSent(NodeFailure.Kind.SATURATED, load.saturation(i)));
				case HOLD_OUT -> call = CompletableFuture
					.failedFuture(NodeFailure.notSent(NodeFailure.Kind.HELD_OUT, heldOut.get(i)));
				default -> {
					call = new CompletableFuture<>();
					VirtualCall sent = new VirtualCall(this.engine, run, i, call, true);
					if (answered) {
						sent.answered(first);
					}
					else {
						sent.send();
					}
				}
			}
			run.ballot.cast(i, call);
		}
		this.sim.at(deadline, () -> close(run, true, then));
		run.ballot.decided().thenRun(() -> this.sim.completing(() -> close(run, false, then)));
	}

	/**
	 * One call to node 0 outside any round: the gate's first call, which the engine neither
	 * counts in the node's load nor reports ({@link SplitVoteGate}).
	 */
	void lone(Command command, Consumer<Run> then) {
		Run run = new Run(command, this.nodes.size(), 1);
		CompletableFuture<Boolean> call = new CompletableFuture<>();
		run.ballot.cast(0, call);
		call.whenComplete((r, e) -> this.sim.completing(() -> then.accept(run)));
		new VirtualCall(this.engine, run, 0, call, false).send();
	}

	/** A call to node 0 the engine did not send: the gate's first call when node 0 is held out. */
	Run notSent(Command command, NodeFailure failure) {
		Run run = new Run(command, this.nodes.size(), 1);
		run.ballot.cast(0, CompletableFuture.failedFuture(failure));
		return run;
	}

	private void close(Run run, boolean timedOut, Consumer<Run> then) {
		if (run.round != null) {
			return;
		}
		run.round = run.ballot.close(this.nodes, timedOut, this.engine);
		if (!this.engine.dead()) {
			then.accept(run);
		}
	}

}
