package dev.redlock.core;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.redlock.LockHandle;
import dev.redlock.LockRequest;

/**
 * The handle of an engine that takes no locks ({@link Redlock#disabled}): valid until closed,
 * with the lease as its remaining time; nothing is sent anywhere.
 */
final class UnlockedHandle implements LockHandle {

	/** Fencing tokens of this process: seeded from the wall clock, so a restart does not go back. */
	private static final AtomicLong TOKENS = new AtomicLong(TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis()));

	private final String key;

	private final long token;

	private final AtomicBoolean closed = new AtomicBoolean();

	private volatile long validUntilNanos;

	UnlockedHandle(LockRequest request, List<String> fullKeys) {
		this.key = String.join(",", fullKeys);
		this.token = request.fencing() ? TOKENS.incrementAndGet() : 0;
		this.validUntilNanos = System.nanoTime() + request.leaseTime().toNanos();
	}

	@Override
	public String key() {
		return this.key;
	}

	@Override
	public boolean isValid() {
		return !this.closed.get();
	}

	@Override
	public Duration remaining() {
		return this.closed.get() ? Duration.ZERO : Duration.ofNanos(Math.max(0, this.validUntilNanos - System.nanoTime()));
	}

	@Override
	public boolean extend(Duration leaseTime) {
		if (this.closed.get()) {
			return false;
		}
		this.validUntilNanos = System.nanoTime() + leaseTime.toNanos();
		return true;
	}

	@Override
	public OptionalLong fencingToken() {
		return (this.token > 0) ? OptionalLong.of(this.token) : OptionalLong.empty();
	}

	@Override
	public void close() {
		this.closed.set(true);
	}

	@Override
	public String toString() {
		return "LockHandle[" + this.key + ", no lock taken: locking is disabled]";
	}

}
