package dev.redlock.core;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;

/**
 * What renewal ({@link LeaseKeeper}) needs of its runtime: the settings, the TTL a node is told,
 * a timer and a clock. The engine provides them on real threads and {@link System#nanoTime()}
 * ({@link LeaseOps}); the simulation on virtual time.
 */
interface Renewals {

	RedlockSettings settings();

	/** The TTL a node is told for a lease: the lease, at most what the restart guard covers. */
	Duration ttl(Duration leaseTime);

	/** Runs a renewal step after a delay, off the renewal thread. */
	ScheduledFuture<?> scheduleRenewal(Runnable renewal, long delayNanos);

	/** The time now, in {@link System#nanoTime()} terms. */
	default long nanoTime() {
		return System.nanoTime();
	}

}
