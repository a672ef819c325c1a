package dev.redlock.core;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One round's count: each node's call as it ends, yes or no (a failure counts as no), and the
 * decision ({@link Verdicts#decided}) as soon as enough nodes agreed or can no longer agree. It
 * waits for nothing and reads no clock: the runtime that sends the calls (threads and sockets in
 * {@link FanOut}, messages on virtual time in the simulation) completes them, watches
 * {@link #decided()}, and closes the round when it is decided or its deadline has passed. Calls may
 * end on any thread.
 */
final class Ballot {

	private static final AtomicIntegerFieldUpdater<Ballot> YES = AtomicIntegerFieldUpdater.newUpdater(Ballot.class,
			"yes");

	private static final AtomicIntegerFieldUpdater<Ballot> NO = AtomicIntegerFieldUpdater.newUpdater(Ballot.class, "no");

	private final int needed;

	private final CompletableFuture<Boolean>[] calls;

	private final CompletableFuture<Void> decided = new CompletableFuture<>();

	private volatile int yes;

	private volatile int no;

	/**
	 * A round over {@code nodes} nodes.
	 * @param nodes how many nodes are called
	 * @param needed how many yes answers decide it ({@link FanOut#ALL}: every node's answer)
	 */
	@SuppressWarnings("unchecked")
	Ballot(int nodes, int needed) {
		this.needed = needed;
		this.calls = new CompletableFuture[nodes];
	}

	/** Counts node {@code index}'s call once it ends. */
	void cast(int index, CompletableFuture<Boolean> call) {
		this.calls[index] = call;
		// handle, not whenComplete: the stage it returns is never read, and whenComplete would wrap a
		// failed call's error in a new CompletionException there, filling in a stack trace for nothing
		call.handle((ok, error) -> {
			count(error == null && ok);
			return null;
		});
	}

	private void count(boolean success) {
		int y = success ? YES.incrementAndGet(this) : this.yes;
		int n = success ? this.no : NO.incrementAndGet(this);
		if (Verdicts.decided(y, n, this.calls.length, this.needed)) {
			this.decided.complete(null);
		}
	}

	/** Done once the round is decided. */
	CompletableFuture<Void> decided() {
		return this.decided;
	}

	/** Node {@code index}'s call. */
	CompletableFuture<Boolean> call(int index) {
		return this.calls[index];
	}

	/**
	 * The round as it stands now: decided, or out of time ({@code timedOut}); a call still running
	 * keeps running, and a failure is told to {@code listener} whenever it comes.
	 */
	Round close(List<LockNode> nodes, boolean timedOut, NodeCallListener listener) {
		boolean[] answeredInTime = new boolean[this.calls.length];
		for (int i = 0; i < answeredInTime.length; i++) {
			answeredInTime[i] = this.calls[i].isDone();
		}
		Round round = new Round(nodes, this.calls, answeredInTime, timedOut);
		round.onFailure(listener);
		return round;
	}

}
