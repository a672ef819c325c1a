package dev.redlock.core;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * After an attempt that split the votes (some nodes granted it, others were held by another
 * contender), the next attempt asks the first node alone, then the others. Contenders so meet at
 * the first node: the one that has it reaches the others first, because one that was refused
 * there sends to the others only after a head start of two of the first node's round trips (not
 * never, so that a stale key on the first node cannot keep a free majority from being taken).
 */
final class SplitVoteGate {

	private static final long MIN_HEAD_START_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

	private final Rounds rounds;

	private final int nodes;

	SplitVoteGate(Rounds rounds, int nodes) {
		this.rounds = rounds;
		this.nodes = nodes;
	}

	/**
	 * Hands {@code then} the call an attempt sends to every node: {@code acquire} itself, or after a
	 * split vote the gated form, once the first node has answered (and, if it refused, after the
	 * head start).
	 * @param acquire the attempt's call
	 * @param splitVote whether the last attempt split the votes
	 * @param then takes the call to send
	 */
	void attempt(NodeCall acquire, boolean splitVote, Consumer<NodeCall> then) {
		if (!gates(splitVote, this.nodes, this.rounds.recentLatencyNanos(0), this.rounds.timeoutNanos())) {
			then.accept(acquire);
			return;
		}
		String heldOut = acquire.heldOut(0);
		if (heldOut != null) {
			then.accept(firstAnswered(acquire, false, NodeFailure.notSent(NodeFailure.Kind.HELD_OUT, heldOut)));
			return;
		}
		this.rounds.alone(acquire, 0, (taken, failed) -> {
			NodeCall gated = firstAnswered(acquire, taken, failed);
			if (failed == null && !taken) {
				this.rounds.after(headStartNanos(), () -> then.accept(gated));
			}
			else {
				then.accept(gated);
			}
		});
	}

	/**
	 * Whether an attempt is gated: after a split vote, with more than one node, unless the first
	 * node is slow (its calls lately took over a quarter of the node timeout), which would hold up
	 * every such attempt; then all nodes are asked at once.
	 * @param splitVote whether the last attempt split the votes
	 * @param nodes how many nodes there are
	 * @param firstLatencyNanos the first node's recent call latency
	 * @param timeoutNanos the node timeout
	 * @return whether to ask the first node alone first
	 */
	static boolean gates(boolean splitVote, int nodes, long firstLatencyNanos, long timeoutNanos) {
		return splitVote && nodes > 1 && firstLatencyNanos <= timeoutNanos / 4;
	}

	/** How long a contender refused by the first node lets the one it granted go first. */
	long headStartNanos() {
		return headStartNanos(this.rounds.recentLatencyNanos(0), this.rounds.timeoutNanos());
	}

	/**
	 * The head start: two of the first node's recent round trips, at least 100 µs, at most a
	 * quarter of the node timeout.
	 * @param firstLatencyNanos the first node's recent call latency
	 * @param timeoutNanos the node timeout
	 * @return the head start in nanoseconds
	 */
	static long headStartNanos(long firstLatencyNanos, long timeoutNanos) {
		return Math.min(timeoutNanos / 4, Math.max(MIN_HEAD_START_NANOS, 2 * firstLatencyNanos));
	}

	/** {@code acquire}, with the first node's answer already read. */
	private static NodeCall firstAnswered(NodeCall acquire, boolean taken, RuntimeException failed) {
		Exchange answered = new Answered(taken, failed);
		return new NodeCall() {

			@Override
			public boolean call(int index, LockNode node) {
				return (index == 0) ? answered.finish() : acquire.call(index, node);
			}

			@Override
			public Exchange start(int index, LockNode node) {
				return (index == 0) ? answered : acquire.start(index, node);
			}

			@Override
			public boolean answered(int index) {
				return index == 0;
			}

			@Override
			public String heldOut(int index) {
				return (index == 0) ? null : acquire.heldOut(index);
			}

		};
	}

	/** The first node's answer, already read. */
	private record Answered(boolean taken, RuntimeException failed) implements Exchange {

		@Override
		public boolean isAnswered() {
			return true;
		}

		@Override
		public boolean awaitAnswer(long timeoutNanos) {
			return true;
		}

		@Override
		public boolean finish() {
			if (this.failed != null) {
				throw this.failed;
			}
			return this.taken;
		}

	}

}
