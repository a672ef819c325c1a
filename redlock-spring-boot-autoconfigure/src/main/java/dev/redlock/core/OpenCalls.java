package dev.redlock.core;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The acquisitions in flight, so that closing the engine grants no lock it would not release:
 * once closing has begun, no acquisition starts, those in flight stop retrying, and closing waits
 * (bounded) until they have ended before it releases the held locks.
 */
final class OpenCalls {

	/** A lock, not a monitor: a virtual thread that waits here must not pin its carrier. */
	private final ReentrantLock lock = new ReentrantLock();

	private final Condition idle = this.lock.newCondition();

	private int active;

	private volatile boolean closing;

	/**
	 * An acquisition starts.
	 * @throws IllegalStateException if the engine is closing or closed
	 */
	void enter() {
		this.lock.lock();
		try {
			if (this.closing) {
				throw new IllegalStateException("The Redlock engine is closed (the application is shutting down): "
						+ "it grants no new locks");
			}
			this.active++;
		}
		finally {
			this.lock.unlock();
		}
	}

	/** An acquisition that {@link #enter() entered} has ended. */
	void exit() {
		this.lock.lock();
		try {
			if (--this.active == 0) {
				this.idle.signalAll();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Whether closing has begun: an acquisition in flight stops retrying, and gives back what it got. */
	boolean closing() {
		return this.closing;
	}

	/**
	 * Begins closing, and waits until every acquisition in flight has ended.
	 * @param timeoutNanos the longest wait
	 * @return how many acquisitions were still in flight when the wait ended
	 */
	int close(long timeoutNanos) {
		this.lock.lock();
		try {
			this.closing = true;
			long left = timeoutNanos;
			while (this.active > 0 && left > 0) {
				left = this.idle.awaitNanos(left);
			}
			return this.active;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return this.active;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * How long closing waits: one retry pause and a few node calls, at least one second and at
	 * most five (a long retry pause must not hold a shutdown up).
	 */
	static long closingWaitNanos(RedlockSettings settings) {
		long nanos = settings.retryDelay().plus(settings.retryJitter()).plus(settings.nodeTimeout().multipliedBy(10))
			.toNanos();
		return Math.min(Math.max(nanos, TimeUnit.SECONDS.toNanos(1)), TimeUnit.SECONDS.toNanos(5));
	}

	/**
	 * How long closing gives holders to release their locks themselves: one retry pause and two
	 * node timeouts, at most one second.
	 */
	static long holdersWaitNanos(RedlockSettings settings) {
		long nanos = settings.retryDelay().plus(settings.retryJitter()).plus(settings.nodeTimeout().multipliedBy(2))
			.toNanos();
		return Math.min(nanos, TimeUnit.SECONDS.toNanos(1));
	}

}
