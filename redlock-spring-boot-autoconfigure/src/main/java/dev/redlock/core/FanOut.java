package dev.redlock.core;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

import dev.redlock.NodeOutcome;
import dev.redlock.NodeOutcome.Status;

/**
 * The one fan-out primitive behind acquire, extend and release: runs a call on every node in
 * parallel and returns as soon as the outcome is decided or the node timeout has passed, without
 * waiting for slow nodes.
 */
final class FanOut {

	/** Told of a node call that ended in an error, and of every call that got an answer. */
	interface FailureListener {

		void failed(int index, NodeOutcome outcome, Throwable error);

		/** The node answered a call (yes or no). */
		void answered(int index);

	}

	/** One command on one node; {@code true} means the node did what was asked. */
	@FunctionalInterface
	interface NodeCall {

		boolean call(int index, LockNode node);

		/**
		 * Sends the command without waiting for the answer, so that the calling thread can read
		 * the answers of all nodes as they come; {@code null} (the default) to have
		 * {@link #call} run on an I/O thread instead.
		 */
		default Exchange start(int index, LockNode node) {
			return null;
		}

	}

	/** {@code Thread.isVirtual()} where the JDK has it (21+). */
	private static final MethodHandle IS_VIRTUAL = isVirtualHandle();

	private static MethodHandle isVirtualHandle() {
		try {
			return MethodHandles.publicLookup()
				.findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
		}
		catch (ReflectiveOperationException ex) {
			return null;
		}
	}

	private static boolean isVirtual(Thread thread) {
		if (IS_VIRTUAL == null) {
			return false;
		}
		try {
			return (boolean) IS_VIRTUAL.invokeExact(thread);
		}
		catch (Throwable ex) {
			return false;
		}
	}

	/** The least time the caller waits for a started call's answer before an I/O thread takes over. */
	private static final long MIN_PATIENCE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

	/** {@code needed} value that waits for every node's answer (up to the timeout). */
	static final int ALL = -1;

	private final List<LockNode> nodes;

	private final Executor executor;

	private final long timeoutNanos;

	private final FailureListener failures;

	/** Per node, calls running now. */
	private final AtomicIntegerArray inFlight;

	/** Per node, a moving average of how long its calls took, in nanoseconds. */
	private final AtomicLongArray latency;

	/** Per node, {@link System#nanoTime()} when a call last ended (or the fan-out was made). */
	private final AtomicLongArray lastEnded;

	/** Per node, {@link LockNode#maxConcurrentCalls()}. */
	private final int[] capacity;

	FanOut(List<LockNode> nodes, Executor executor, long timeoutNanos, FailureListener failures) {
		this.nodes = nodes;
		this.executor = executor;
		this.timeoutNanos = timeoutNanos;
		this.failures = failures;
		this.inFlight = new AtomicIntegerArray(nodes.size());
		this.latency = new AtomicLongArray(nodes.size());
		this.capacity = nodes.stream().mapToInt(LockNode::maxConcurrentCalls).toArray();
		this.lastEnded = new AtomicLongArray(nodes.size());
		long now = System.nanoTime();
		for (int i = 0; i < nodes.size(); i++) {
			this.lastEnded.set(i, now);
		}
	}

	/**
	 * Whether node {@code index} is both slow and saturated: as many calls running as it has
	 * connections, and either its calls lately took more than a quarter of the node timeout or
	 * none has ended for that long. A new call would only wait for a connection, park a thread
	 * and most likely fail at the node timeout, so a first call (not a release, which must follow
	 * its acquisition) fails at once instead.
	 */
	private boolean saturated(int index) {
		int max = this.capacity[index];
		if (max <= 0 || this.inFlight.get(index) < max) {
			return false;
		}
		long slow = this.timeoutNanos / 4;
		return this.latency.get(index) > slow || System.nanoTime() - this.lastEnded.get(index) > slow;
	}

	/**
	 * Counts a call as running; the first call of a busy spell restarts the "none ended lately"
	 * clock, so that a burst after a quiet spell does not look like a stuck node.
	 */
	private void callStarted(int index) {
		if (this.inFlight.getAndIncrement(index) == 0) {
			this.lastEnded.set(index, System.nanoTime());
		}
	}

	private boolean tracked(NodeCall call, int index, LockNode node) {
		callStarted(index);
		long start = System.nanoTime();
		try {
			boolean result = call.call(index, node);
			this.failures.answered(index);
			return result;
		}
		finally {
			long took = System.nanoTime() - start;
			this.latency.getAndUpdate(index, (average) -> average + (took - average) / 8);
			this.lastEnded.set(index, start + took);
			this.inFlight.decrementAndGet(index);
		}
	}


	/**
	 * Calls every node and waits until {@code needed} nodes said yes, until so many said no or
	 * failed that {@code needed} can no longer be reached, or until the timeout, whichever comes
	 * first.
	 * @param call the command
	 * @param needed how many {@code true} answers decide the round; {@link #ALL} waits for every
	 * node's answer
	 * @param timeoutNanos the longest wait
	 * @param after per node, a call that must finish before this one starts on that node (so a
	 * release never overtakes its own acquisition), or {@code null}; a node whose call there was
	 * not sent, or answered {@code false} (a key held by another owner: nothing was set), is not
	 * called again
	 * @return the round, with the calls still running on slow nodes
	 */
	Round run(NodeCall call, int needed, long timeoutNanos, Round after) {
		int n = this.nodes.size();
		@SuppressWarnings("unchecked")
		CompletableFuture<Boolean>[] calls = new CompletableFuture[n];
		if (n == 1 && (after == null || after.calls[0].isDone())) {
			// one node: no hand-off to another thread; the call is bounded by the socket timeout
			try {
				calls[0] = CompletableFuture.completedFuture(call.call(0, this.nodes.get(0)));
				this.failures.answered(0);
			}
			catch (RuntimeException | Error ex) {
				calls[0] = CompletableFuture.failedFuture(ex);
			}
			Round round = new Round(this.nodes, calls, new boolean[] { true }, false);
			round.onFailure(this.failures);
			return round;
		}
		long deadline = System.nanoTime() + Math.max(timeoutNanos, 0);
		CompletableFuture<Void> decided = new CompletableFuture<>();
		AtomicInteger yes = new AtomicInteger();
		AtomicInteger no = new AtomicInteger();
		AtomicInteger answered = new AtomicInteger();
		Exchange[] started = new Exchange[n];
		long[] sentAt = new long[n];
		for (int i = 0; i < n; i++) {
			LockNode node = this.nodes.get(i);
			int index = i;
			CompletableFuture<Boolean> future;
			if (after != null && after.calls[i].isCompletedExceptionally() && notSent(after.calls[i])) {
				// the acquisition was never sent: nothing to release
				future = CompletableFuture.completedFuture(false);
			}
			else if (after != null && refused(after.calls[i])) {
				// the node answered that another owner holds a key: it never took this token
				future = CompletableFuture.completedFuture(false);
			}
			else if (after != null && !after.calls[i].isDone()) {
				future = after.calls[i].handle((r, e) -> null)
					.thenApplyAsync((x) -> tracked(call, index, node), this.executor);
			}
			else if (after == null && saturated(i)) {
				future = CompletableFuture.failedFuture(NodeFailure.notSent(NodeFailure.Kind.SATURATED,
						"not sent: the node is saturated (" + this.inFlight.get(i) + " calls running, about "
								+ TimeUnit.NANOSECONDS.toMillis(this.latency.get(i)) + "ms each lately)"));
			}
			else {
				future = start(call, index, node, started, sentAt);
			}
			future.whenComplete((ok, error) -> {
				boolean success = error == null && ok;
				int y = success ? yes.incrementAndGet() : yes.get();
				int f = success ? no.get() : no.incrementAndGet();
				boolean decidedEarly = needed >= 0 && (y >= needed || f > n - needed);
				if (answered.incrementAndGet() == n || decidedEarly) {
					decided.complete(null);
				}
			});
			calls[i] = future;
		}
		drive(started, sentAt, calls, decided, deadline);
		boolean timedOut = !await(decided, deadline - System.nanoTime());
		boolean[] answeredInTime = new boolean[n];
		for (int i = 0; i < n; i++) {
			answeredInTime[i] = calls[i].isDone();
		}
		Round round = new Round(this.nodes, calls, answeredInTime, timedOut);
		round.onFailure(this.failures);
		return round;
	}

	/**
	 * Starts a call on this thread if the call and the node can ({@link NodeCall#start}), else on
	 * an I/O thread.
	 */
	private CompletableFuture<Boolean> start(NodeCall call, int index, LockNode node, Exchange[] started,
			long[] sentAt) {
		Exchange exchange;
		try {
			// a virtual thread may wait long for a carrier before it reads an answer, holding the
			// connection and making the node look stuck: its calls run on I/O threads
			exchange = isVirtual(Thread.currentThread()) ? null : call.start(index, node);
		}
		catch (RuntimeException | Error ex) {
			return CompletableFuture.failedFuture(ex);
		}
		if (exchange == null) {
			return CompletableFuture.supplyAsync(() -> tracked(call, index, node), this.executor);
		}
		callStarted(index);
		started[index] = exchange;
		sentAt[index] = System.nanoTime();
		return new CompletableFuture<>();
	}

	/**
	 * Reads the answers of the calls started on this thread as they arrive, until the round is
	 * decided, the deadline has passed or none is left. When no answer is there, it waits for the
	 * node expected to answer first, for at most four times that node's usual latency (at least
	 * a millisecond); a node that takes longer is handed to an I/O thread, so a slow node delays
	 * the decision by that patience at most, once: its usual latency then grows past the
	 * others'. Calls still unanswered at the end are left to I/O threads.
	 */
	private void drive(Exchange[] started, long[] sentAt, CompletableFuture<Boolean>[] calls,
			CompletableFuture<Void> decided, long deadline) {
		int pending = 0;
		for (Exchange exchange : started) {
			pending += (exchange != null) ? 1 : 0;
		}
		while (pending > 0 && !decided.isDone()) {
			boolean progress = false;
			for (int i = 0; i < started.length && !decided.isDone(); i++) {
				if (started[i] != null && started[i].isAnswered()) {
					finish(i, started[i], sentAt[i], calls[i]);
					started[i] = null;
					pending--;
					progress = true;
				}
			}
			long now = System.nanoTime();
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
				if (now - (sentAt[i] + patience(i)) >= 0) {
					handOver(i, started[i], sentAt[i], calls[i]);
					started[i] = null;
					pending--;
				}
				else if (next < 0 || this.latency.get(i) < this.latency.get(next)) {
					next = i;
				}
			}
			if (next >= 0) {
				long until = sentAt[next] + patience(next);
				started[next].awaitAnswer(((until - deadline) < 0 ? until : deadline) - now);
			}
		}
		for (int i = 0; i < started.length; i++) {
			if (started[i] != null) {
				if (started[i].isAnswered()) {
					finish(i, started[i], sentAt[i], calls[i]);
				}
				else {
					handOver(i, started[i], sentAt[i], calls[i]);
				}
			}
		}
	}

	/**
	 * A node's recent call latency.
	 * @param index the node
	 * @return the moving average of its calls' durations, in nanoseconds (0 before the first)
	 */
	long recentLatencyNanos(int index) {
		return this.latency.get(index);
	}

	private long patience(int index) {
		return Math.max(MIN_PATIENCE_NANOS, 4 * this.latency.get(index));
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

	/** Reads a started call's answer and completes its future; tracked like {@link #tracked}. */
	private void finish(int index, Exchange exchange, long sentAt, CompletableFuture<Boolean> call) {
		boolean result = false;
		Throwable error = null;
		try {
			result = exchange.finish();
		}
		catch (RuntimeException | Error ex) {
			error = ex;
		}
		long ended = System.nanoTime();
		long took = ended - sentAt;
		this.latency.getAndUpdate(index, (average) -> average + (took - average) / 8);
		this.lastEnded.set(index, ended);
		this.inFlight.decrementAndGet(index);
		if (error != null) {
			call.completeExceptionally(error);
		}
		else {
			this.failures.answered(index);
			call.complete(result);
		}
	}

	private static boolean refused(CompletableFuture<Boolean> call) {
		return call.isDone() && !call.isCompletedExceptionally() && !call.join();
	}

	/** Whether a failed call was never sent: the node was saturated or held out. */
	private static boolean notSent(CompletableFuture<Boolean> call) {
		try {
			call.join();
			return false;
		}
		catch (CompletionException ex) {
			NodeFailure.Kind kind = NodeFailure.kindOf(ex.getCause());
			return kind == NodeFailure.Kind.SATURATED || kind == NodeFailure.Kind.HELD_OUT;
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	Round run(NodeCall call, int needed, Round after) {
		return run(call, needed, this.timeoutNanos, after);
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

	/**
	 * Describes an error for a message ({@link NodeFailure#describe}).
	 */
	static String describe(Throwable ex) {
		return NodeFailure.describe(ex);
	}

	/** The calls of one fan-out, one per node in configuration order. */
	static final class Round {

		private final List<LockNode> nodes;

		final CompletableFuture<Boolean>[] calls;

		private final boolean[] answeredInTime;

		private final boolean timedOut;

		Round(List<LockNode> nodes, CompletableFuture<Boolean>[] calls, boolean[] answeredInTime, boolean timedOut) {
			this.nodes = nodes;
			this.calls = calls;
			this.answeredInTime = answeredInTime;
			this.timedOut = timedOut;
		}

		/**
		 * Each node's state now. A node that had not answered when the round was decided and
		 * answers later keeps its answer if the round was decided early, and counts as timed out if
		 * the round ran out of time.
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

		private static NodeOutcome outcome(String node, CompletableFuture<Boolean> call, Status yes, Status no) {
			if (!call.isDone()) {
				return new NodeOutcome(node, Status.TIMED_OUT, "no answer within the node timeout");
			}
			try {
				return new NodeOutcome(node, call.join() ? yes : no, "");
			}
			catch (CompletionException ex) {
				Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
				return new NodeOutcome(node,
						(NodeFailure.kindOf(cause) == NodeFailure.Kind.TIMED_OUT) ? Status.TIMED_OUT : Status.FAILED,
						describe(cause));
			}
		}

		/**
		 * Calls {@code listener} with the outcome of every node call that ends in an error,
		 * whenever that happens, also after the round was decided.
		 */
		void onFailure(FailureListener listener) {
			for (int i = 0; i < this.calls.length; i++) {
				int index = i;
				CompletableFuture<Boolean> call = this.calls[i];
				call.whenComplete((ok, error) -> {
					if (error != null) {
						Throwable cause = (error instanceof CompletionException && error.getCause() != null)
								? error.getCause() : error;
						listener.failed(index, outcome(this.nodes.get(index).name(), call, Status.ACQUIRED,
								Status.HELD_BY_OTHER), cause);
					}
				});
			}
		}

		static int count(List<NodeOutcome> outcomes, Status status) {
			int count = 0;
			for (NodeOutcome outcome : outcomes) {
				if (outcome.status() == status) {
					count++;
				}
			}
			return count;
		}

	}

}
