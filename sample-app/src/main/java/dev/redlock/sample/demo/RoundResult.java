package dev.redlock.sample.demo;

import java.util.Arrays;

/**
 * What one phase of the demo measured.
 *
 * @param phase what the phase shows, such as {@code all nodes up}
 * @param locked whether payments took the order's lock
 * @param nodesUp how many nodes could take part in a lock before the phase (up, not held out)
 * @param nodes how many nodes there are
 * @param attempts how many times a thread tried to pay an order
 * @param acquired how many attempts got the lock
 * @param refused how many attempts did not get the lock (another instance held it, or no
 * quorum)
 * @param ordersPaid how many orders ended up charged
 * @param orders how many orders the phase had
 * @param doublePayments how many times an order was charged while already charged
 * @param acquireNanos the time each acquired attempt took to get its lock, sorted
 */
record RoundResult(String phase, boolean locked, int nodesUp, int nodes, int attempts, int acquired, int refused,
		int ordersPaid, int orders, int doublePayments, long[] acquireNanos) {

	RoundResult {
		acquireNanos = acquireNanos.clone();
		Arrays.sort(acquireNanos);
	}

	/**
	 * A percentile of the acquire latency, nearest-rank.
	 * @param percent such as 50 or 99
	 * @return the latency in nanoseconds, or -1 without acquired attempts
	 */
	long percentileNanos(double percent) {
		return percentile(this.acquireNanos, percent);
	}

	static long percentile(long[] sorted, double percent) {
		if (sorted.length == 0) {
			return -1;
		}
		int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
		return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
	}

}
