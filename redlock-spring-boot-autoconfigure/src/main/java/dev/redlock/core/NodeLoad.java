package dev.redlock.core;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Per node, the calls running now and how long calls took lately: what the caller's patience and
 * the saturated-node skip are decided from.
 */
final class NodeLoad {

	/** The least time the caller waits for a started call's answer before an I/O thread takes over. */
	private static final long MIN_PATIENCE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

	private final Ticker ticker;

	private final long timeoutNanos;

	/** Per node, calls running now. */
	private final AtomicIntegerArray inFlight;

	/** Per node, a moving average of how long its calls took, in nanoseconds. */
	private final AtomicLongArray latency;

	/** Per node, when a call last ended (or the load was made). */
	private final AtomicLongArray lastEnded;

	/** Per node, {@link LockNode#maxConcurrentCalls()}. */
	private final int[] capacity;

	NodeLoad(List<LockNode> nodes, long timeoutNanos, Ticker ticker) {
		this.ticker = ticker;
		this.timeoutNanos = timeoutNanos;
		this.inFlight = new AtomicIntegerArray(nodes.size());
		this.latency = new AtomicLongArray(nodes.size());
		this.capacity = nodes.stream().mapToInt(LockNode::maxConcurrentCalls).toArray();
		this.lastEnded = new AtomicLongArray(nodes.size());
		long now = ticker.nanoTime();
		for (int i = 0; i < nodes.size(); i++) {
			this.lastEnded.set(i, now);
		}
	}

	long now() {
		return this.ticker.nanoTime();
	}

	/**
	 * Whether node {@code index} is both slow and saturated: as many calls running as it has
	 * connections, and either its calls lately took more than a quarter of the node timeout or
	 * none has ended for that long. A new call would only wait for a connection, park a thread
	 * and most likely fail at the node timeout.
	 */
	boolean saturated(int index) {
		int max = this.capacity[index];
		if (max <= 0 || this.inFlight.get(index) < max) {
			return false;
		}
		long slow = this.timeoutNanos / 4;
		return this.latency.get(index) > slow || this.ticker.nanoTime() - this.lastEnded.get(index) > slow;
	}

	/** Why a saturated node gets no new call, for its outcome. */
	String saturation(int index) {
		return "not sent: the node is saturated (" + this.inFlight.get(index) + " calls running, about "
				+ TimeUnit.NANOSECONDS.toMillis(this.latency.get(index)) + "ms each lately)";
	}

	/**
	 * Counts a call as running; the first call of a busy spell restarts the "none ended lately"
	 * clock, so that a burst after a quiet spell does not look like a stuck node.
	 * @return when it started
	 */
	long started(int index) {
		long now = this.ticker.nanoTime();
		if (this.inFlight.getAndIncrement(index) == 0) {
			this.lastEnded.set(index, now);
		}
		return now;
	}

	/** Counts a call that started at {@code startNanos} as ended now. */
	void ended(int index, long startNanos) {
		long ended = this.ticker.nanoTime();
		long took = ended - startNanos;
		long average = this.latency.get(index);
		// a racing update may be lost: the average only steers patience and shedding
		this.latency.lazySet(index, average + (took - average) / 8);
		this.lastEnded.set(index, ended);
		this.inFlight.decrementAndGet(index);
	}

	/**
	 * A node's recent call latency.
	 * @return the moving average of its calls' durations, in nanoseconds (0 before the first)
	 */
	long recentLatencyNanos(int index) {
		return this.latency.get(index);
	}

	/** How long the caller waits for a started call's answer: four times its usual latency, at least 1 ms. */
	long patience(int index) {
		return Math.max(MIN_PATIENCE_NANOS, 4 * this.latency.get(index));
	}

}
