package dev.redlock.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import dev.redlock.NodeOutcome;
import dev.redlock.NodeOutcome.Status;

/**
 * The calls of one fan-out, one per node in configuration order: what each node answered, or
 * that it did not answer in time. Calls that were still running when the round was decided go on
 * and complete their future later.
 */
final class Round implements Preceding {

	private final List<LockNode> nodes;

	private final CompletableFuture<Boolean>[] calls;

	private final boolean[] answeredInTime;

	private final boolean timedOut;

	Round(List<LockNode> nodes, CompletableFuture<Boolean>[] calls, boolean[] answeredInTime, boolean timedOut) {
		this.nodes = nodes;
		this.calls = calls;
		this.answeredInTime = answeredInTime;
		this.timedOut = timedOut;
	}

	/** Node {@code index}'s call. */
	CompletableFuture<Boolean> call(int index) {
		return this.calls[index];
	}

	/**
	 * Each node's state now. A node that had not answered when the round was decided and answers
	 * later keeps its answer if the round was decided early, and counts as timed out if the round
	 * ran out of time.
	 * @param yes the status of a node that answered {@code true}
	 * @param no the status of a node that answered {@code false}
	 * @return one outcome per node
	 */
	List<NodeOutcome> outcomes(Status yes, Status no) {
		List<NodeOutcome> outcomes = new ArrayList<>(this.calls.length);
		for (int i = 0; i < this.calls.length; i++) {
			NodeOutcome outcome = outcome(this.nodes.get(i).name(), this.calls[i], yes, no);
			if (this.timedOut && !this.answeredInTime[i] && outcome.status() != Status.TIMED_OUT) {
				outcome = new NodeOutcome(outcome.node(), Status.TIMED_OUT,
						"answered " + outcome.status() + " after the node timeout");
			}
			outcomes.add(outcome);
		}
		return outcomes;
	}

	/** The outcomes of an acquisition-like round: yes is {@code ACQUIRED}, no {@code HELD_BY_OTHER}. */
	List<NodeOutcome> outcomes() {
		return outcomes(Status.ACQUIRED, Status.HELD_BY_OTHER);
	}

	private static NodeOutcome outcome(String node, CompletableFuture<Boolean> call, Status yes, Status no) {
		if (!call.isDone()) {
			return new NodeOutcome(node, Status.TIMED_OUT, "no answer within the node timeout");
		}
		Throwable error = error(call);
		if (error == null) {
			return new NodeOutcome(node, call.join() ? yes : no, "");
		}
		Throwable cause = failure(error);
		return new NodeOutcome(node,
				(NodeFailure.kindOf(cause) == NodeFailure.Kind.TIMED_OUT) ? Status.TIMED_OUT : Status.FAILED,
				NodeFailure.describe(cause));
	}

	/** A done call's failure, or {@code null}: read without throwing (no exception is made for it). */
	private static Throwable error(CompletableFuture<Boolean> call) {
		return call.isCompletedExceptionally() ? call.handle((ok, error) -> error).join() : null;
	}

	private static Throwable failure(Throwable error) {
		return (error instanceof CompletionException && error.getCause() != null) ? error.getCause() : error;
	}

	/**
	 * Tells {@code listener} of every node call that ends in an error, whenever that happens, also
	 * after the round was decided.
	 */
	void onFailure(NodeCallListener listener) {
		for (int i = 0; i < this.calls.length; i++) {
			int index = i;
			CompletableFuture<Boolean> call = this.calls[i];
			if (call.isDone() && !call.isCompletedExceptionally()) {
				// answered: nothing will ever fail (most calls; no stage is made for them)
				continue;
			}
			// handle, not whenComplete: no CompletionException is made for a stage nobody reads
			call.handle((ok, error) -> {
				if (error != null) {
					listener.failed(index, outcome(this.nodes.get(index).name(), call, Status.ACQUIRED,
							Status.HELD_BY_OTHER), failure(error));
				}
				return null;
			});
		}
	}

	@Override
	public CompletableFuture<?> tail(int index) {
		return this.calls[index];
	}

	/** For a release after this acquisition: whether the node may have set the key. */
	@Override
	public boolean needed(int index) {
		return Verdicts.releaseNeeded(!notSent(index), refused(index));
	}

	/** Whether node {@code index} answered {@code false}: for an acquisition, another owner holds a key. */
	boolean refused(int index) {
		CompletableFuture<Boolean> call = this.calls[index];
		return call.isDone() && !call.isCompletedExceptionally() && !call.join();
	}

	/** Whether node {@code index}'s call was never sent: the node was saturated or held out. */
	boolean notSent(int index) {
		Throwable error = error(this.calls[index]);
		if (error == null) {
			return false;
		}
		NodeFailure.Kind kind = NodeFailure.kindOf(failure(error));
		return kind == NodeFailure.Kind.SATURATED || kind == NodeFailure.Kind.HELD_OUT;
	}

	static int count(List<NodeOutcome> outcomes, Status status) {
		return Verdicts.count(outcomes, status);
	}

}
