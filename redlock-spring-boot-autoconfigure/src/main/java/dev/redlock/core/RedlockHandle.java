package dev.redlock.core;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.redlock.LockHandle;
import dev.redlock.LockRequest;

/**
 * A lock granted by {@link Redlock}: knows its token and its validity deadline, renews its lease
 * while held (if asked to), and notices when it is lost.
 *
 * <p>Extensions (by the user or the watchdog) and the release run one at a time under
 * {@link #leaseLock}, so their commands reach each node in the order the handle decided them, and
 * the validity the handle believes is never longer than what a quorum was told.
 */
final class RedlockHandle implements LockHandle {

	private static final Logger logger = LoggerFactory.getLogger(RedlockHandle.class);

	private static final int HELD = 0;

	private static final int RELEASED = 1;

	private static final int LOST = 2;

	private final Redlock redlock;

	private final LockRequest request;

	private final List<String> keys;

	private final String key;

	private final String token;

	private final FanOut.Round acquisition;

	private final long fencingToken;

	private final Thread acquirer = Thread.currentThread();

	private volatile Thread holder = this.acquirer;

	private final Instant acquiredAt = Instant.now();

	private final long acquiredAtNanos;

	private final AtomicInteger state = new AtomicInteger(HELD);

	private final AtomicBoolean closed = new AtomicBoolean();

	private final ReentrantLock leaseLock = new ReentrantLock();

	private volatile long validUntilNanos;

	private volatile Duration renewalLease;

	private volatile ScheduledFuture<?> renewal;

	RedlockHandle(Redlock redlock, LockRequest request, List<String> keys, String token, FanOut.Round acquisition,
			long acquiredAtNanos, long validUntilNanos, long fencingToken) {
		this.redlock = redlock;
		this.request = request;
		this.keys = keys;
		this.key = String.join(",", keys);
		this.token = token;
		this.acquisition = acquisition;
		this.acquiredAtNanos = acquiredAtNanos;
		this.validUntilNanos = validUntilNanos;
		this.fencingToken = fencingToken;
		this.renewalLease = request.leaseTime();
	}

	@Override
	public String key() {
		return this.key;
	}

	@Override
	public boolean isValid() {
		return this.state.get() == HELD && System.nanoTime() - this.validUntilNanos < 0;
	}

	@Override
	public Duration remaining() {
		if (this.state.get() != HELD) {
			return Duration.ZERO;
		}
		return Duration.ofNanos(Math.max(0, this.validUntilNanos - System.nanoTime()));
	}

	@Override
	public OptionalLong fencingToken() {
		return (this.fencingToken > 0) ? OptionalLong.of(this.fencingToken) : OptionalLong.empty();
	}

	@Override
	public boolean extend(Duration leaseTime) {
		this.redlock.checkLease(leaseTime);
		this.leaseLock.lock();
		try {
			if (this.state.get() != HELD) {
				return false;
			}
			if (leaseTime.compareTo(this.renewalLease) > 0) {
				this.renewalLease = leaseTime;
			}
			return extendLocked(leaseTime) == Extended.YES;
		}
		finally {
			this.leaseLock.unlock();
		}
	}

	private enum Extended {

		YES, NO, REFUSED

	}

	/**
	 * One extension round; the caller holds {@link #leaseLock}. On failure the validity is cut to
	 * what the new lease would give if it is shorter, since some nodes may have applied it.
	 */
	private Extended extendLocked(Duration leaseTime) {
		long start = System.nanoTime();
		long left = this.validUntilNanos - start;
		if (left <= 0) {
			return Extended.NO;
		}
		RedlockSettings settings = this.redlock.settings();
		long leaseNanos = TimeUnit.MILLISECONDS.toNanos(leaseTime.toMillis());
		Redlock.Extension result = this.redlock.extend(this.keys, this.token, leaseTime.toMillis(),
				Math.min(left, settings.nodeTimeout().toNanos()));
		long candidate = start + leaseNanos - settings.driftNanos(leaseNanos);
		long now = System.nanoTime();
		if (result.extended() >= this.redlock.quorum() && now - this.validUntilNanos < 0 && now - candidate < 0) {
			this.validUntilNanos = candidate;
			return Extended.YES;
		}
		if (candidate - this.validUntilNanos < 0) {
			this.validUntilNanos = candidate;
		}
		return (result.refused() > this.redlock.nodes().size() - this.redlock.quorum()) ? Extended.REFUSED
				: Extended.NO;
	}

	/**
	 * Starts renewing the lease about every third of the lease time.
	 */
	void startRenewal() {
		scheduleRenewal(this.request.leaseTime().toNanos() / 3);
	}

	private void scheduleRenewal(long delayNanos) {
		if (this.state.get() == HELD) {
			this.renewal = this.redlock.scheduleRenewal(this::renew, delayNanos);
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
			logger.warn("Renewing lock '{}' failed", this.key, ex);
			long left = this.validUntilNanos - System.nanoTime();
			try {
				if (left > 0) {
					scheduleRenewal(Math.min(left, this.redlock.settings().nodeTimeout().toNanos()));
				}
				else {
					markLost();
				}
			}
			catch (RuntimeException scheduling) {
				markLost();
			}
		}
	}

	private void renewOnce() {
		if (this.state.get() != HELD) {
			return;
		}
		long now = System.nanoTime();
		long validLeft = this.validUntilNanos - now;
		if (validLeft <= 0) {
			markLost();
			return;
		}
		Duration maxHold = (this.request.maxHoldTime() != null) ? this.request.maxHoldTime()
				: this.redlock.settings().maxHoldTime();
		long holdLeft = this.acquiredAtNanos + maxHold.toNanos() - now;
		if (holdLeft <= validLeft) {
			logger.warn("Lock '{}' reached its maximum hold time of {}; its lease is no longer renewed and it "
					+ "expires in {}ms unless released", this.key, maxHold, Duration.ofNanos(validLeft).toMillis());
			return;
		}
		long leaseNanos = Math.min(this.renewalLease.toNanos(), holdLeft);
		Extended extended;
		this.leaseLock.lock();
		try {
			if (this.state.get() != HELD) {
				return;
			}
			extended = extendLocked(Duration.ofNanos(leaseNanos));
		}
		finally {
			this.leaseLock.unlock();
		}
		if (extended == Extended.YES) {
			scheduleRenewal(leaseNanos / 3);
		}
		else if (extended == Extended.REFUSED) {
			markLost();
		}
		else {
			long left = this.validUntilNanos - System.nanoTime();
			if (left <= 0) {
				markLost();
			}
			else {
				scheduleRenewal(Math.min(left, this.redlock.settings().nodeTimeout().toNanos()));
			}
		}
	}

	/**
	 * Marks the lock lost: its lease could not be extended on a quorum before its validity ended,
	 * or a majority no longer holds its key.
	 */
	void markLost() {
		if (!this.state.compareAndSet(HELD, LOST)) {
			return;
		}
		ScheduledFuture<?> scheduled = this.renewal;
		if (scheduled != null) {
			scheduled.cancel(false);
		}
		logger.warn("Lock '{}' was lost: its lease could not be extended on a quorum of nodes before its validity "
				+ "ended; its holder must not rely on it any more", this.key);
		this.redlock.lost(this);
		if (this.redlock.settings().interruptOnLoss()) {
			this.leaseLock.lock();
			try {
				Thread interrupted = this.holder;
				if (!this.closed.get() && interrupted != null) {
					interrupted.interrupt();
				}
			}
			finally {
				this.leaseLock.unlock();
			}
		}
	}

	/**
	 * Stops interrupting the acquiring thread on loss: the lock now belongs to asynchronous work.
	 */
	void detachHolder() {
		this.holder = null;
	}

	/**
	 * The full Redis keys of this lock.
	 */
	List<String> keys() {
		return this.keys;
	}

	@Override
	public void close() {
		closeKeeping(Duration.ZERO);
	}

	@Override
	public void closeKeeping(Duration keepFor) {
		Objects.requireNonNull(keepFor, "keepFor");
		this.leaseLock.lock();
		try {
			if (!this.closed.compareAndSet(false, true)) {
				return;
			}
			this.state.compareAndSet(HELD, RELEASED);
			ScheduledFuture<?> scheduled = this.renewal;
			if (scheduled != null) {
				scheduled.cancel(false);
			}
			long keepNanos = Math.max(keepFor.toNanos(),
					this.request.holdAtLeast().toNanos() - (System.nanoTime() - this.acquiredAtNanos));
			this.redlock.release(this, this.token, this.acquisition, keepNanos);
		}
		catch (RuntimeException ex) {
			logger.warn("Could not release lock '{}'; it expires with its lease", this.key, ex);
		}
		finally {
			this.leaseLock.unlock();
		}
	}

	/**
	 * What this lock looks like now, without its token.
	 */
	HeldLock snapshot() {
		return new HeldLock(this.request.name(), this.key, this.acquirer.getName(), this.acquiredAt,
				Duration.ofNanos(System.nanoTime() - this.acquiredAtNanos), remaining());
	}

	@Override
	public String toString() {
		return "LockHandle[" + this.key + ", valid for " + remaining().toMillis() + "ms]";
	}

}
