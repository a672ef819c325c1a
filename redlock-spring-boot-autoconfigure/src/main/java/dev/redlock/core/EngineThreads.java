package dev.redlock.core;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's threads: the I/O threads that run node calls (its own, or a caller's executor),
 * one renewal scheduler for all held locks, and, with the restart guard, one monitor that probes
 * the nodes. All daemons.
 */
final class EngineThreads {

	private final ExecutorService io;

	private final boolean ownsIo;

	private final ScheduledThreadPoolExecutor renewals;

	private ScheduledExecutorService monitor;

	EngineThreads(ExecutorService io) {
		this.ownsIo = io == null;
		this.io = (io != null) ? io
				: new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
						daemon("redlock-io-"));
		this.renewals = new ScheduledThreadPoolExecutor(1, daemon("redlock-renewal-"));
		// a released lock's renewal is removed at once, not kept queued until its time
		this.renewals.setRemoveOnCancelPolicy(true);
		// a task due within a second always heads the queue, so a new renewal (due lease / 3 later)
		// does not become the head, which would wake the renewal thread at every acquisition
		this.renewals.scheduleWithFixedDelay(EngineThreads::keepQueueHead, 1, 1, TimeUnit.SECONDS);
	}

	private static void keepQueueHead() {
		// nothing to do: being queued is the point
	}

	static ThreadFactory daemon(String prefix) {
		AtomicInteger count = new AtomicInteger();
		return (task) -> {
			Thread thread = new Thread(task, prefix + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

	ExecutorService io() {
		return this.io;
	}

	/**
	 * Runs a renewal step after a delay, on an I/O thread, so that a slow node delays no other
	 * lock's renewal.
	 */
	ScheduledFuture<?> scheduleRenewal(Runnable renewal, long delayNanos) {
		return this.renewals.schedule(() -> this.io.execute(renewal), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
	}

	/** Runs {@code probe} every {@code interval}, from one interval on. */
	void monitor(Runnable probe, Duration interval) {
		this.monitor = Executors.newSingleThreadScheduledExecutor(daemon("redlock-monitor-"));
		long millis = interval.toMillis();
		this.monitor.scheduleWithFixedDelay(probe, millis, millis, TimeUnit.MILLISECONDS);
	}

	/** Stops the monitor and the renewals now. */
	void stopSchedulers() {
		if (this.monitor != null) {
			this.monitor.shutdownNow();
		}
		this.renewals.shutdownNow();
	}

	/** Lets the engine's own I/O threads end once their calls have. */
	void shutdownIo() {
		if (this.ownsIo) {
			this.io.shutdown();
		}
	}

}
