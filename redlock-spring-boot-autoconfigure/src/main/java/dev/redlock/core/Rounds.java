package dev.redlock.core;

import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * How the lock commands' rounds are carried out, so that {@link LockCommands} and
 * {@link SplitVoteGate} decide the same way on every runtime: production's {@link FanOut} on
 * threads and sockets, or the simulation's on virtual time. Each hands its result to a
 * continuation; on threads the continuation runs on the calling thread before the method returns.
 */
interface Rounds {

	/**
	 * Runs a round (as {@link FanOut#run(NodeCall, int, long, Preceding, boolean)}) and hands it to
	 * {@code then} once it is decided or timed out.
	 */
	void run(NodeCall call, int needed, long timeoutNanos, Preceding after, boolean sheddable, Consumer<Round> then);

	/**
	 * Calls one node alone, outside any round, neither counted in its load nor reported (the
	 * gate's first node), and hands {@code then} its answer, or what it threw.
	 */
	void alone(NodeCall call, int index, BiConsumer<Boolean, RuntimeException> then);

	/** Runs {@code then} once {@code delayNanos} have passed. */
	void after(long delayNanos, Runnable then);

	/** A node's recent call latency, in nanoseconds (0 before the first). */
	long recentLatencyNanos(int index);

	/** The node timeout, in nanoseconds. */
	long timeoutNanos();

}
