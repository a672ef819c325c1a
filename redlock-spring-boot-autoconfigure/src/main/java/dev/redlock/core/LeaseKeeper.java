package dev.redlock.core;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.redlock.LockRequest;

/**
 * Keeps the lease of one held lock: renews it about every third of the TTL told while the work
 * runs (auto-renew, up to the maximum hold time) and keeps a lease longer than the TTL a node may
 * be told up to the end asked for. It owns the schedule, the step rule ({@link LeaseMath}), retry
 * or loss after a step that did not extend, and the WARN at the maximum hold time; the extension
 * round itself and the loss belong to the handle, reached as a {@link Lease}.
 */
final class LeaseKeeper {

	// the category these messages were always logged under, before renewal left the handle
	private static final Logger logger = LoggerFactory.getLogger("dev.redlock.core.RedlockHandle");

	/** What the keeper needs of the lock it keeps. */
	interface Lease {

		/** The lock key, for messages. */
		String key();

		/** Whether the lock is still held (neither released nor lost). */
		boolean held();

		/** When the validity ends, in {@link System#nanoTime()} terms. */
		long validUntilNanos();

		/** When the lease a quorum was last told ends on the nodes. */
		long toldUntilNanos();

		/**
		 * One extension round under the lease lock; {@code then} is given its verdict once it is
		 * decided and the lease lock is free again ({@code null} if the lock was no longer held),
		 * on the thread that ends it.
		 */
		void extendHeld(Duration leaseTime, Consumer<LeaseMath.Extended> then);

		/** Marks the lock lost, {@code why} or {@code null} when its lease could not be extended. */
		void markLost(String why);

	}

	private final Lease lease;

	private final Renewals engine;

	private final LockRequest request;

	private final long acquiredAtNanos;

	/** Whether the lease is renewed while the work runs (auto-renew), up to the maximum hold time. */
	private final boolean renewed;

	private volatile Duration renewalLease;

	/** The end of the lease asked for, at acquisition or by the latest extension. */
	private volatile long leaseEndNanos;

	/** Whether the lease asked for is longer than the TTL told, so renewal keeps it to its end. */
	private volatile boolean kept;

	private volatile ScheduledFuture<?> renewal;

	/**
	 * @param ttl the TTL the acquisition told the nodes
	 */
	LeaseKeeper(Lease lease, Renewals engine, LockRequest request, long acquiredAtNanos, Duration ttl) {
		this.lease = lease;
		this.engine = engine;
		this.request = request;
		this.acquiredAtNanos = acquiredAtNanos;
		this.renewalLease = request.leaseTime();
		this.renewed = engine.settings().renewal() && request.autoRenew();
		this.leaseEndNanos = acquiredAtNanos + request.leaseTime().toNanos();
		this.kept = ttl.compareTo(request.leaseTime()) < 0;
	}

	/**
	 * Starts renewing the lease about every third of the TTL told, if it is renewed while the work
	 * runs or is longer than that TTL.
	 */
	void start() {
		if (this.renewed || this.kept) {
			scheduleRenewal(this.engine.ttl(this.request.leaseTime()).toNanos() / 3);
		}
	}

	/**
	 * A lease asked for by hand, before its extension round (under the lease lock): renewal steps
	 * are never shorter than the longest lease asked for.
	 */
	void asked(Duration leaseTime) {
		if (leaseTime.compareTo(this.renewalLease) > 0) {
			this.renewalLease = leaseTime;
		}
	}

	/**
	 * A lease asked for by hand was set on a quorum (under the lease lock): it is kept to its end
	 * if longer than the TTL told, and the next step comes within a third of that TTL.
	 * @param start when its extension round started
	 */
	void extended(long start, Duration leaseTime, Duration ttl) {
		this.leaseEndNanos = start + leaseTime.toNanos();
		this.kept = ttl.compareTo(leaseTime) < 0;
		ScheduledFuture<?> scheduled = this.renewal;
		if (this.kept && (scheduled == null || scheduled.isDone())) {
			scheduleRenewal(ttl.toNanos() / 3);
		}
		else {
			renewSoonerIfDue(ttl.toNanos() / 3);
		}
	}

	/** Cancels the next step: the lock was released or lost. */
	void stop() {
		ScheduledFuture<?> scheduled = this.renewal;
		if (scheduled != null) {
			scheduled.cancel(false);
		}
	}

	/**
	 * After a shorter lease was set by hand: the next renewal must come within a third of it, not
	 * at the time the longer lease had planned (the lock would expire first).
	 */
	private void renewSoonerIfDue(long delayNanos) {
		ScheduledFuture<?> scheduled = this.renewal;
		if (scheduled != null && scheduled.getDelay(TimeUnit.NANOSECONDS) > delayNanos && scheduled.cancel(false)) {
			scheduleRenewal(delayNanos);
		}
	}

	private void scheduleRenewal(long delayNanos) {
		if (this.lease.held()) {
			this.renewal = this.engine.scheduleRenewal(this::renew, delayNanos);
		}
	}

	/**
	 * One renewal step, run by the engine's renewal scheduler on an I/O thread.
	 */
	void renew() {
		try {
			renewOnce();
		}
		catch (Throwable ex) {
			logger.warn("Renewing lock '{}' failed", this.lease.key(), ex);
			try {
				retryOrLose();
			}
			catch (RuntimeException scheduling) {
				this.lease.markLost(null);
			}
		}
	}

	private void renewOnce() {
		if (!this.lease.held()) {
			return;
		}
		long now = this.engine.nanoTime();
		Duration maxHold = (this.request.maxHoldTime() != null) ? this.request.maxHoldTime()
				: this.engine.settings().maxHoldTime();
		boolean kept = this.kept;
		if (!kept && !this.renewed) {
			// a lease set by hand that a node is told in full: nothing left to keep
			return;
		}
		long leaseEnd = this.leaseEndNanos;
		long holdUntil = LeaseMath.holdUntil(leaseEnd, this.renewed, this.acquiredAtNanos + maxHold.toNanos());
		long step = this.engine.ttl(this.renewalLease).toNanos();
		long leaseNanos = kept
				? LeaseMath.keptLease(now, this.lease.validUntilNanos(), this.lease.toldUntilNanos(), holdUntil, step)
				: LeaseMath.renewalLease(now, this.lease.validUntilNanos(), this.acquiredAtNanos, maxHold.toNanos(),
						step);
		boolean endsWithLease = kept && holdUntil == leaseEnd;
		if (leaseNanos == 0) {
			boolean leaseEnded = endsWithLease
					&& holdUntil - this.lease.toldUntilNanos() < TimeUnit.MILLISECONDS.toNanos(1);
			this.lease.markLost(leaseEnded
					? "the lease asked for ended while it was still held (the work ran longer)" : null);
			return;
		}
		if (leaseNanos < 0 && endsWithLease) {
			// no more steps: at the validity's end the holder that still has it learns it is lost
			scheduleRenewal(this.lease.validUntilNanos() - now);
			return;
		}
		if (leaseNanos < 0) {
			logger.warn("Lock '{}' reached its maximum hold time of {}; its lease is no longer renewed and it "
					+ "expires in {}ms unless released", this.lease.key(), maxHold,
					Duration.ofNanos(this.lease.validUntilNanos() - now).toMillis());
			return;
		}
		this.lease.extendHeld(Duration.ofNanos(leaseNanos), (extended) -> stepped(extended, leaseNanos));
	}

	/** A renewal step's extension was decided ({@code null}: the lock was no longer held). */
	private void stepped(LeaseMath.Extended extended, long leaseNanos) {
		if (extended == null) {
			return;
		}
		if (extended == LeaseMath.Extended.YES) {
			scheduleRenewal(leaseNanos / 3);
		}
		else if (extended == LeaseMath.Extended.REFUSED) {
			this.lease.markLost(null);
		}
		else {
			retryOrLose();
		}
	}

	/** After a renewal step that did not extend: tries again soon, or marks the lock lost. */
	private void retryOrLose() {
		long delay = LeaseMath.retryDelay(this.engine.nanoTime(), this.lease.validUntilNanos(),
				this.engine.settings().nodeTimeout().toNanos());
		if (delay < 0) {
			this.lease.markLost(null);
		}
		else {
			scheduleRenewal(delay);
		}
	}

}
