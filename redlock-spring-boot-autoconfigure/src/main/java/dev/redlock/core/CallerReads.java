package dev.redlock.core;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The locking thread reads the answers of the commands it sent ({@link Exchange}) as they arrive,
 * until the round is decided. When no answer is there, it waits for the node expected to answer
 * first, for at most that node's patience ({@link NodeLoad#patience}); a node that takes longer is
 * handed to an I/O thread, so a slow node delays the decision by that patience at most, once: its
 * usual latency then grows past the others'. Calls still unanswered at the end are left to I/O
 * threads.
 */
final class CallerReads {

	/** {@code Thread.isVirtual()} where the JDK has it (21+). */
	private static final MethodHandle IS_VIRTUAL = isVirtualHandle();

	private final Executor executor;

	private final NodeLoad load;

	private final NodeCallListener listener;

	CallerReads(Executor executor, NodeLoad load, NodeCallListener listener) {
		this.executor = executor;
		this.load = load;
		this.listener = listener;
	}

	private static MethodHandle isVirtualHandle() {
		try {
			return MethodHandles.publicLookup()
				.findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
		}
		catch (ReflectiveOperationException ex) {
			return null;
		}
	}

	/**
	 * Whether the calling thread may read answers itself: not a virtual thread, which may wait long
	 * for a carrier before it reads an answer, holding the connection and making the node look stuck.
	 */
	static boolean callerMayRead() {
		if (IS_VIRTUAL == null) {
			return true;
		}
		try {
			return !(boolean) IS_VIRTUAL.invokeExact(Thread.currentThread());
		}
		catch (Throwable ex) {
			return true;
		}
	}

	/**
	 * Reads the started calls' answers until {@code decided} is done, the deadline has passed or
	 * none is left.
	 * @param started per node, the exchange started on this thread, or {@code null}
	 * @param sentAt per node, when it was started
	 * @param ballot the round's count, whose calls the answers complete
	 * @param deadline the round's deadline
	 */
	void drive(Exchange[] started, long[] sentAt, Ballot ballot, long deadline) {
		CompletableFuture<Void> decided = ballot.decided();
		int pending = 0;
		for (Exchange exchange : started) {
			pending += (exchange != null) ? 1 : 0;
		}
		// right after the sends, no answer is likely there yet: wait for the first expected, without looking at each
		boolean look = false;
		while (pending > 0 && !decided.isDone()) {
			boolean progress = false;
			for (int i = 0; look && i < started.length && !decided.isDone(); i++) {
				if (started[i] != null && started[i].isAnswered()) {
					finish(i, started[i], sentAt[i], ballot.call(i));
					started[i] = null;
					pending--;
					progress = true;
				}
			}
			long now = this.load.now();
			if (progress || pending == 0 || decided.isDone()) {
				continue;
			}
			if (now - deadline >= 0) {
				break;
			}
			int next = -1;
			for (int i = 0; i < started.length; i++) {
				if (started[i] == null) {
					continue;
				}
				if (now - (sentAt[i] + this.load.patience(i)) >= 0) {
					handOver(i, started[i], sentAt[i], ballot.call(i));
					started[i] = null;
					pending--;
				}
				else if (next < 0 || this.load.recentLatencyNanos(i) < this.load.recentLatencyNanos(next)) {
					next = i;
				}
			}
			if (next >= 0) {
				long until = sentAt[next] + this.load.patience(next);
				started[next].awaitAnswer(((until - deadline) < 0 ? until : deadline) - now);
			}
			look = true;
		}
		for (int i = 0; i < started.length; i++) {
			if (started[i] != null) {
				if (started[i].isAnswered()) {
					finish(i, started[i], sentAt[i], ballot.call(i));
				}
				else {
					handOver(i, started[i], sentAt[i], ballot.call(i));
				}
			}
		}
	}

	/** Lets an I/O thread wait for a started call's answer. */
	private void handOver(int index, Exchange exchange, long sentAt, CompletableFuture<Boolean> call) {
		try {
			this.executor.execute(() -> finish(index, exchange, sentAt, call));
		}
		catch (RuntimeException ex) {
			// the engine is closing: read it here
			finish(index, exchange, sentAt, call);
		}
	}

	/** Reads a started call's answer and completes its future. */
	private void finish(int index, Exchange exchange, long sentAt, CompletableFuture<Boolean> call) {
		boolean result = false;
		Throwable error = null;
		try {
			result = exchange.finish();
		}
		catch (RuntimeException | Error ex) {
			error = ex;
		}
		this.load.ended(index, sentAt);
		if (error != null) {
			call.completeExceptionally(error);
		}
		else {
			this.listener.answered(index);
			call.complete(result);
		}
	}

}
