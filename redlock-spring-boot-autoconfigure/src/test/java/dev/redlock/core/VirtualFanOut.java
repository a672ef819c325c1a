package dev.redlock.core;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The simulation's runtime for one engine's rounds ({@link Rounds}), as {@link FanOut} is
 * production's: the engine's own {@link LockCommands} and {@link SplitVoteGate} send their
 * {@link NodeCall}s through it; each node's call goes out as the engine's own {@link Dispatch}
 * decides, is counted by the engine's own {@link Ballot}, and the round is closed into the
 * engine's own {@link Round} once decided or at its deadline. What differs is only how a call
 * travels: here a message with its own latency to a {@link SimulatedNode}, which runs the call
 * there, and back ({@link VirtualCall}), bounded by the node timeout, on virtual time; a call still
 * running when its round closes goes on, as on a real socket.
 */
final class VirtualFanOut implements Rounds {

	private final SimulatedEngine engine;

	private final EngineSimulation sim;

	private final List<LockNode> nodes;

	VirtualFanOut(SimulatedEngine engine, List<LockNode> nodes) {
		this.engine = engine;
		this.sim = engine.sim;
		this.nodes = nodes;
	}

	@Override
	public void run(NodeCall call, int needed, long timeoutNanos, Preceding after, boolean sheddable,
			Consumer<Round> then) {
		int n = this.nodes.size();
		Ballot ballot = new Ballot(n, needed);
		Round[] closed = new Round[1];
		long deadline = this.sim.now() + Math.max(timeoutNanos, 0);
		NodeLoad load = this.engine.load();
		if (call.answered(0)) {
			// an attempt gated after a split vote (SplitVoteGate)
			this.sim.tally.gated++;
		}
		for (int i = 0; i < n; i++) {
			CompletableFuture<Boolean> future;
			String heldOut = call.heldOut(i);
			switch (Dispatch.of(after, i, sheddable, call.answered(i), heldOut, load)) {
				case FOLLOW -> {
					future = new CompletableFuture<>();
					int index = i;
					CompletableFuture<Boolean> waiting = future;
					after.tail(i).whenComplete((r, e) -> this.sim.completing(
							() -> new VirtualCall(this.engine, call, index, waiting, true).send()));
				}
				case SKIP -> {
					if (!sheddable) {
						this.engine.checkSkipped(call, i);
					}
					future = CompletableFuture.completedFuture(false);
				}
				case SHED -> future = CompletableFuture
					.failedFuture(NodeFailure.notSent(NodeFailure.Kind.SATURATED, load.saturation(i)));
				case HOLD_OUT -> future = CompletableFuture
					.failedFuture(NodeFailure.notSent(NodeFailure.Kind.HELD_OUT, heldOut));
				default -> {
					future = new CompletableFuture<>();
					VirtualCall sent = new VirtualCall(this.engine, call, i, future, true);
					if (call.answered(i)) {
						sent.answered();
					}
					else {
						sent.send();
					}
				}
			}
			ballot.cast(i, future);
		}
		this.sim.at(deadline, () -> close(ballot, closed, true, then));
		ballot.decided().thenRun(() -> this.sim.completing(() -> close(ballot, closed, false, then)));
	}

	/** One call to the node outside any round: neither counted in the node's load nor reported. */
	@Override
	public void alone(NodeCall call, int index, BiConsumer<Boolean, RuntimeException> then) {
		CompletableFuture<Boolean> future = new CompletableFuture<>();
		future.whenComplete((yes, error) -> this.sim.completing(() -> {
			if (!this.engine.dead()) {
				then.accept(error == null && yes, (RuntimeException) error);
			}
		}));
		new VirtualCall(this.engine, call, index, future, false).send();
	}

	@Override
	public void after(long delayNanos, Runnable then) {
		this.sim.after(delayNanos, () -> {
			if (!this.engine.dead()) {
				then.run();
			}
		});
	}

	@Override
	public long recentLatencyNanos(int index) {
		return this.engine.load().recentLatencyNanos(index);
	}

	@Override
	public long timeoutNanos() {
		return this.engine.nodeTimeout();
	}

	private void close(Ballot ballot, Round[] closed, boolean timedOut, Consumer<Round> then) {
		if (closed[0] != null) {
			return;
		}
		closed[0] = ballot.close(this.nodes, timedOut, this.engine);
		if (!this.engine.dead()) {
			then.accept(closed[0]);
		}
	}

}
