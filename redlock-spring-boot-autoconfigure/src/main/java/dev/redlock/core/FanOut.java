package dev.redlock.core;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Runs one command on every node at once (a round), for acquisitions, extensions and releases
 * alike, and returns as soon as the outcome is decided or the node timeout has passed, without
 * waiting for slow nodes. The calling thread sends to every node that can take the command now
 * and reads the answers itself ({@link CallerReads}); other nodes' calls run on I/O threads.
 */
final class FanOut implements Rounds {

	/** {@code needed} value that waits for every node's answer (up to the timeout). */
	static final int ALL = -1;

	private final List<LockNode> nodes;

	private final Executor executor;

	private final long timeoutNanos;

	private final NodeCallListener listener;

	private final NodeLoad load;

	private final CallerReads callerReads;

	FanOut(List<LockNode> nodes, Executor executor, long timeoutNanos, NodeCallListener listener, Ticker ticker) {
		this.nodes = nodes;
		this.executor = executor;
		this.timeoutNanos = timeoutNanos;
		this.listener = listener;
		this.load = new NodeLoad(nodes, timeoutNanos, ticker);
		this.callerReads = new CallerReads(executor, this.load, listener);
	}

	/**
	 * A node's recent call latency.
	 * @param index the node
	 * @return the moving average of its calls' durations, in nanoseconds (0 before the first)
	 */
	@Override
	public long recentLatencyNanos(int index) {
		return this.load.recentLatencyNanos(index);
	}

	@Override
	public long timeoutNanos() {
		return this.timeoutNanos;
	}

	/** Runs the round on the calling thread, and {@code then} on it once the round is decided. */
	@Override
	public void run(NodeCall call, int needed, long timeoutNanos, Preceding after, boolean sheddable,
			Consumer<Round> then) {
		then.accept(run(call, needed, timeoutNanos, after, sheddable));
	}

	/** Calls the node on the calling thread. */
	@Override
	public void alone(NodeCall call, int index, BiConsumer<Boolean, RuntimeException> then) {
		boolean answer;
		try {
			answer = call.call(index, this.nodes.get(index));
		}
		catch (RuntimeException ex) {
			then.accept(false, ex);
			return;
		}
		then.accept(answer, null);
	}

	/** Parks the calling thread for the delay, then runs {@code then} on it. */
	@Override
	public void after(long delayNanos, Runnable then) {
		LockSupport.parkNanos(delayNanos);
		then.run();
	}

	/** Runs a round bounded by the node timeout. */
	Round run(NodeCall call, int needed, Preceding after) {
		return run(call, needed, this.timeoutNanos, after, after == null);
	}

	/**
	 * Calls every node and waits until {@code needed} nodes said yes, until so many said no or
	 * failed that {@code needed} can no longer be reached, or until the timeout, whichever comes
	 * first.
	 * @param call the command
	 * @param needed how many {@code true} answers decide the round; {@link #ALL} waits for every
	 * node's answer
	 * @param timeoutNanos the longest wait
	 * @param after per node, the calls this one must follow (so a lock's commands reach each node in
	 * the order they were decided), or {@code null}; a node where the lock's key was never set is
	 * not called
	 * @param sheddable whether a call to a slow, saturated node may fail at once instead of being
	 * sent (not for a release, which must reach every node that may hold the key)
	 * @return the round, with the calls still running on slow nodes
	 */
	Round run(NodeCall call, int needed, long timeoutNanos, Preceding after, boolean sheddable) {
		int n = this.nodes.size();
		if (n == 1 && (after == null || after.tail(0).isDone())) {
			return single(call, after);
		}
		long deadline = this.load.now() + Math.max(timeoutNanos, 0);
		Ballot ballot = new Ballot(n, needed);
		Exchange[] started = new Exchange[n];
		long[] sentAt = new long[n];
		boolean callerMayRead = CallerReads.callerMayRead();
		for (int i = 0; i < n; i++) {
			ballot.cast(i, begin(call, i, after, sheddable, callerMayRead, started, sentAt));
		}
		this.callerReads.drive(started, sentAt, ballot, deadline);
		boolean timedOut = !await(ballot.decided(), deadline - this.load.now());
		return ballot.close(this.nodes, timedOut, this.listener);
	}

	/** One node: no hand-off to another thread; the call is bounded by the socket timeout. */
	private Round single(NodeCall call, Preceding after) {
		@SuppressWarnings("unchecked")
		CompletableFuture<Boolean>[] calls = new CompletableFuture[1];
		Dispatch dispatch = Dispatch.of(after, 0, false, call.answered(0), call.heldOut(0), this.load);
		if (dispatch == Dispatch.SKIP) {
			calls[0] = CompletableFuture.completedFuture(false);
		}
		else if (dispatch == Dispatch.HOLD_OUT) {
			calls[0] = CompletableFuture.failedFuture(NodeFailure.notSent(NodeFailure.Kind.HELD_OUT, call.heldOut(0)));
		}
		else {
			try {
				calls[0] = CompletableFuture.completedFuture(call.call(0, this.nodes.get(0)));
				this.listener.answered(0);
			}
			catch (RuntimeException | Error ex) {
				calls[0] = CompletableFuture.failedFuture(ex);
			}
		}
		Round round = new Round(this.nodes, calls, new boolean[] { true }, false);
		round.onFailure(this.listener);
		return round;
	}

	/** Starts node {@code index}'s call, or decides it needs none. */
	private CompletableFuture<Boolean> begin(NodeCall call, int index, Preceding after, boolean sheddable,
			boolean callerMayRead, Exchange[] started, long[] sentAt) {
		LockNode node = this.nodes.get(index);
		switch (Dispatch.of(after, index, sheddable, call.answered(index), call.heldOut(index), this.load)) {
			case FOLLOW:
				return after.tail(index).handle((r, e) -> null).thenApplyAsync((x) -> tracked(call, index, node), this.executor);
			case SKIP:
				return CompletableFuture.completedFuture(false);
			case SHED:
				return CompletableFuture.failedFuture(NodeFailure.notSent(NodeFailure.Kind.SATURATED, this.load.saturation(index)));
			case HOLD_OUT:
				return CompletableFuture.failedFuture(NodeFailure.notSent(NodeFailure.Kind.HELD_OUT, call.heldOut(index)));
			default:
				break;
		}
		Exchange exchange;
		try {
			exchange = callerMayRead ? call.start(index, node) : null;
		}
		catch (RuntimeException | Error ex) {
			return CompletableFuture.failedFuture(ex);
		}
		if (exchange == null) {
			return CompletableFuture.supplyAsync(() -> tracked(call, index, node), this.executor);
		}
		started[index] = exchange;
		sentAt[index] = this.load.started(index);
		return new CompletableFuture<>();
	}

	private boolean tracked(NodeCall call, int index, LockNode node) {
		long start = this.load.started(index);
		try {
			boolean result = call.call(index, node);
			this.listener.answered(index);
			return result;
		}
		finally {
			this.load.ended(index, start);
		}
	}

	/** Waits for the decision; {@code false} if the timeout (or an interrupt) came first. */
	private static boolean await(CompletableFuture<Void> decided, long timeoutNanos) {
		try {
			decided.get(Math.max(timeoutNanos, 0), TimeUnit.NANOSECONDS);
			return true;
		}
		catch (TimeoutException ex) {
			return false;
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

}
