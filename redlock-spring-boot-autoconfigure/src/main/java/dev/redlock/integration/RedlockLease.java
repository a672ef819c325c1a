package dev.redlock.integration;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import dev.redlock.LockHandle;

/**
 * The Redlock side of one {@link RedlockLock}: takes, extends, renews and releases the engine's
 * lock on the key, and remembers the handle and the time to live of the current hold. Only the
 * thread that holds the local lock calls the methods that change it.
 */
final class RedlockLease {

	/** How long one engine call waits when the caller waits without a limit. */
	private static final Duration UNBOUNDED_WAIT_STEP = Duration.ofMinutes(1);

	private final RedlockLockRegistry registry;

	private final String key;

	/** The Redlock lock while held; written by the holding thread only. */
	private volatile LockHandle handle;

	/** The time to live of the current hold. */
	private volatile Duration ttl;

	RedlockLease(RedlockLockRegistry registry, String key) {
		this.registry = registry;
		this.key = key;
	}

	/**
	 * Takes the Redlock lock, retrying until it is held, the deadline passes or the thread is
	 * interrupted.
	 * @param bounded whether {@code deadline} (a {@link System#nanoTime()}) applies; without it each
	 * engine call waits a minute and the next one follows
	 * @return {@code false} only if the deadline passed first
	 */
	boolean take(Duration ttl, boolean bounded, long deadline) throws InterruptedException {
		while (true) {
			Duration wait = bounded ? Duration.ofNanos(Math.max(0, deadline - System.nanoTime())) : UNBOUNDED_WAIT_STEP;
			LockHandle acquired = this.registry.acquire(this.registry.request(this.key, ttl, wait));
			if (acquired != null) {
				this.handle = acquired;
				this.ttl = ttl;
				return true;
			}
			if (Thread.interrupted()) {
				throw new InterruptedException("Interrupted while waiting for lock '" + this.key + "'");
			}
			if (bounded && deadline - System.nanoTime() <= 0) {
				return false;
			}
		}
	}

	/**
	 * Extends the held lease, retrying after the engine's retry delay while it stays valid.
	 * @return {@code true} if extended, {@code false} if the deadline passed while the lease was
	 * still valid, {@code null} if the lease has run out (or none is held)
	 */
	Boolean extend(Duration ttl, boolean bounded, long deadline) throws InterruptedException {
		LockHandle held = this.handle;
		while (held != null && held.isValid()) {
			if (held.extend(ttl)) {
				this.ttl = ttl;
				return true;
			}
			long left = deadline - System.nanoTime();
			if (!held.isValid()) {
				break;
			}
			if (bounded && left <= 0) {
				return false;
			}
			long pause = this.registry.redlock().settings().retryDelay().toNanos();
			TimeUnit.NANOSECONDS.sleep(bounded ? Math.min(pause, left) : pause);
		}
		return null;
	}

	/**
	 * Sets the held lease to {@code ttl}, or to the hold's own time to live if {@code null}.
	 * @throws IllegalStateException if a quorum did not confirm it in time
	 */
	void renew(Duration ttl) {
		Duration lease = (ttl != null) ? ttl : this.ttl;
		checkTtl(lease);
		LockHandle held = this.handle;
		if (held == null || !held.extend(lease)) {
			throw new IllegalStateException("Could not renew lock '" + this.key + "': a quorum of nodes did not "
					+ "confirm the new lease before the current one ran out");
		}
		this.ttl = lease;
	}

	/**
	 * Releases the Redlock lock, if one is held, and forgets it.
	 * @return whether it was still valid up to the release
	 */
	boolean release() {
		LockHandle held = this.handle;
		this.handle = null;
		boolean valid = held != null && held.isValid();
		if (held != null) {
			held.close();
		}
		return valid;
	}

	/**
	 * Describes the lease for {@code toString}.
	 * @return {@code held, valid for …ms} or {@code not held}
	 */
	String describe() {
		LockHandle held = this.handle;
		return (held != null) ? "held, valid for " + held.remaining().toMillis() + "ms" : "not held";
	}

	static void checkTtl(Duration ttl) {
		Objects.requireNonNull(ttl, "ttl");
		if (ttl.isNegative() || ttl.isZero()) {
			throw new IllegalArgumentException("Lock ttl must be positive, but was " + ttl);
		}
	}

}
