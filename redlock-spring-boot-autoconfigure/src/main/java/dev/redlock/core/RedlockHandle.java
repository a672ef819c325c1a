package dev.redlock.core;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.redlock.LockHandle;
import dev.redlock.LockRequest;

/**
 * A lock granted by {@link Redlock}: knows its token and its validity deadline, renews its lease
 * while held (if asked to), and notices when it is lost.
 */
final class RedlockHandle implements LockHandle {

	private static final Logger logger = LoggerFactory.getLogger(RedlockHandle.class);

	private final Redlock redlock;

	private final LockRequest request;

	private final String key;

	private final String token;

	private final FanOut.Round acquisition;

	private final long fencingToken;

	private final Thread holder = Thread.currentThread();

	private final Instant acquiredAt = Instant.now();

	private final long acquiredAtNanos;

	private final AtomicBoolean released = new AtomicBoolean();

	private volatile boolean lost;

	private volatile long validUntilNanos;

	private volatile ScheduledFuture<?> renewal;

	RedlockHandle(Redlock redlock, LockRequest request, String key, String token, FanOut.Round acquisition,
			long acquiredAtNanos, long validUntilNanos, long fencingToken) {
		this.redlock = redlock;
		this.request = request;
		this.key = key;
		this.token = token;
		this.acquisition = acquisition;
		this.acquiredAtNanos = acquiredAtNanos;
		this.validUntilNanos = validUntilNanos;
		this.fencingToken = fencingToken;
	}

	@Override
	public String key() {
		return this.key;
	}

	@Override
	public boolean isValid() {
		return !this.released.get() && !this.lost && System.nanoTime() - this.validUntilNanos < 0;
	}

	@Override
	public Duration remaining() {
		if (this.released.get() || this.lost) {
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
		long leaseNanos = RedlockSettings.requirePositive("leaseTime", leaseTime).toNanos();
		long start = System.nanoTime();
		long left = this.validUntilNanos - start;
		if (this.released.get() || this.lost || left <= 0) {
			return false;
		}
		RedlockSettings settings = this.redlock.settings();
		long timeout = Math.min(left, settings.nodeTimeout().toNanos());
		int extended = this.redlock.extend(this.key, this.token, leaseTime.toMillis(), timeout);
		long validUntil = start + leaseNanos - settings.driftNanos(leaseNanos);
		long now = System.nanoTime();
		if (extended >= this.redlock.quorum() && now - this.validUntilNanos < 0 && now - validUntil < 0) {
			this.validUntilNanos = validUntil;
			return true;
		}
		return false;
	}

	/**
	 * Starts renewing the lease about every third of the lease time.
	 */
	void startRenewal() {
		scheduleRenewal(this.request.leaseTime().toNanos() / 3);
	}

	private void scheduleRenewal(long delayNanos) {
		if (!this.released.get() && !this.lost) {
			this.renewal = this.redlock.scheduleRenewal(this::renew, delayNanos);
		}
	}

	/**
	 * One renewal step, run by the engine's renewal scheduler on an I/O thread.
	 */
	void renew() {
		if (this.released.get() || this.lost) {
			return;
		}
		long now = System.nanoTime();
		if (now - this.validUntilNanos >= 0) {
			markLost();
			return;
		}
		Duration maxHold = (this.request.maxHoldTime() != null) ? this.request.maxHoldTime()
				: this.redlock.settings().maxHoldTime();
		long holdLeft = this.acquiredAtNanos + maxHold.toNanos() - now;
		long leaseNanos = this.request.leaseTime().toNanos();
		boolean last = holdLeft <= leaseNanos;
		if (holdLeft <= 0 || extend(Duration.ofNanos(Math.min(leaseNanos, Math.max(holdLeft, 1_000_000))))) {
			if (last) {
				logger.warn("Lock '{}' reached its maximum hold time of {}; its lease is no longer renewed and it "
						+ "expires in {}ms unless released", this.key, maxHold, remaining().toMillis());
				return;
			}
			scheduleRenewal(leaseNanos / 3);
			return;
		}
		long left = this.validUntilNanos - System.nanoTime();
		if (left <= 0) {
			markLost();
		}
		else {
			scheduleRenewal(Math.min(left, this.redlock.settings().nodeTimeout().toNanos()));
		}
	}

	private void markLost() {
		if (this.released.get() || this.lost) {
			return;
		}
		this.lost = true;
		logger.warn("Lock '{}' was lost: its lease could not be extended on a quorum of nodes before its validity "
				+ "ended; its holder must not rely on it any more", this.key);
		this.redlock.lost(this);
		if (this.redlock.settings().interruptOnLoss() && !this.released.get()) {
			this.holder.interrupt();
		}
	}

	/**
	 * Whether the lock was lost while held.
	 */
	boolean isLost() {
		return this.lost;
	}

	@Override
	public void close() {
		if (!this.released.compareAndSet(false, true)) {
			return;
		}
		ScheduledFuture<?> scheduled = this.renewal;
		if (scheduled != null) {
			scheduled.cancel(false);
		}
		try {
			long keepNanos = this.request.holdAtLeast().toNanos() - (System.nanoTime() - this.acquiredAtNanos);
			this.redlock.release(this, this.token, this.acquisition, keepNanos);
		}
		catch (RuntimeException ex) {
			logger.warn("Could not release lock '{}'; it expires with its lease", this.key, ex);
		}
	}

	/**
	 * What this lock looks like now, without its token.
	 */
	HeldLock snapshot() {
		return new HeldLock(this.request.name(), this.key, this.holder.getName(), this.acquiredAt,
				Duration.ofNanos(System.nanoTime() - this.acquiredAtNanos), remaining());
	}

	@Override
	public String toString() {
		return "LockHandle[" + this.key + ", valid for " + remaining().toMillis() + "ms]";
	}

}
