package dev.redlock.core;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.redlock.LockHandle;

/**
 * A lock granted by {@link Redlock}: knows its token and its validity deadline.
 */
final class RedlockHandle implements LockHandle {

	private static final Logger logger = LoggerFactory.getLogger(RedlockHandle.class);

	private final Redlock redlock;

	private final String name;

	private final String owner;

	private final Instant acquiredAt = Instant.now();

	private final long acquiredAtNanos = System.nanoTime();

	private final String key;

	private final String token;

	private final FanOut.Round acquisition;

	private final AtomicBoolean released = new AtomicBoolean();

	private volatile long validUntilNanos;

	RedlockHandle(Redlock redlock, String name, String key, String token, FanOut.Round acquisition,
			long validUntilNanos) {
		this.redlock = redlock;
		this.name = name;
		this.owner = Thread.currentThread().getName();
		this.key = key;
		this.token = token;
		this.acquisition = acquisition;
		this.validUntilNanos = validUntilNanos;
	}

	@Override
	public String key() {
		return this.key;
	}

	@Override
	public boolean isValid() {
		return !this.released.get() && System.nanoTime() - this.validUntilNanos < 0;
	}

	@Override
	public Duration remaining() {
		if (this.released.get()) {
			return Duration.ZERO;
		}
		return Duration.ofNanos(Math.max(0, this.validUntilNanos - System.nanoTime()));
	}

	@Override
	public boolean extend(Duration leaseTime) {
		long leaseNanos = RedlockSettings.requirePositive("leaseTime", leaseTime).toNanos();
		long start = System.nanoTime();
		long left = this.validUntilNanos - start;
		if (this.released.get() || left <= 0) {
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

	@Override
	public void close() {
		if (!this.released.compareAndSet(false, true)) {
			return;
		}
		try {
			this.redlock.release(this, this.token, this.acquisition);
		}
		catch (RuntimeException ex) {
			logger.warn("Could not release lock '{}'; it expires with its lease", this.key, ex);
		}
	}

	/**
	 * What this lock looks like now, without its token.
	 */
	HeldLock snapshot() {
		return new HeldLock(this.name, this.key, this.owner, this.acquiredAt,
				Duration.ofNanos(System.nanoTime() - this.acquiredAtNanos), remaining());
	}

	@Override
	public String toString() {
		return "LockHandle[" + this.key + ", valid for " + remaining().toMillis() + "ms]";
	}

}
