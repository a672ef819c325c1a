package dev.redlock.integration;

import java.time.Duration;
import java.util.ConcurrentModificationException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.springframework.integration.support.locks.DistributedLock;

import dev.redlock.LockHandle;

/**
 * One key's lock of a {@link RedlockLockRegistry}: a thread-owned, reentrant local lock in front
 * of a Redlock lock, taken on the first hold and released with the last.
 */
final class RedlockLock implements DistributedLock {

	/** How long one engine call waits when the caller waits without a limit. */
	private static final Duration UNBOUNDED_WAIT_STEP = Duration.ofMinutes(1);

	private final RedlockLockRegistry registry;

	private final String key;

	private final ReentrantLock local = new ReentrantLock();

	/** The Redlock lock while held; written by the holding thread only. */
	private volatile LockHandle handle;

	/** The time to live of the current hold. */
	private volatile Duration ttl;

	private volatile long lastUsed = System.currentTimeMillis();

	RedlockLock(RedlockLockRegistry registry, String key) {
		this.registry = registry;
		this.key = key;
	}

	@Override
	public void lock() {
		lock(this.registry.getExpireAfter());
	}

	@Override
	public void lock(Duration ttl) {
		checkTtl(ttl);
		this.local.lock();
		boolean interrupted = false;
		try {
			while (true) {
				try {
					hold(ttl, false, 0);
					return;
				}
				catch (InterruptedException ex) {
					// lock() cannot be interrupted: keep trying, and restore the flag at the end
					interrupted = true;
				}
			}
		}
		catch (RuntimeException | Error ex) {
			this.local.unlock();
			throw ex;
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public void lockInterruptibly() throws InterruptedException {
		Duration ttl = this.registry.getExpireAfter();
		this.local.lockInterruptibly();
		try {
			hold(ttl, false, 0);
		}
		catch (InterruptedException | RuntimeException | Error ex) {
			this.local.unlock();
			throw ex;
		}
	}

	@Override
	public boolean tryLock() {
		try {
			return tryLock(Duration.ZERO, this.registry.getExpireAfter());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	@Override
	public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
		return tryLock(Duration.ofNanos(unit.toNanos(Math.max(0, time))), this.registry.getExpireAfter());
	}

	@Override
	public boolean tryLock(Duration waitTime, Duration ttl) throws InterruptedException {
		Objects.requireNonNull(waitTime, "waitTime");
		checkTtl(ttl);
		long wait = Math.max(0, waitTime.toNanos());
		long deadline = System.nanoTime() + wait;
		if (!this.local.tryLock(wait, TimeUnit.NANOSECONDS)) {
			return false;
		}
		boolean held = false;
		try {
			held = hold(ttl, true, deadline);
			return held;
		}
		finally {
			if (!held) {
				this.local.unlock();
			}
		}
	}

	/**
	 * Makes sure the Redlock lock is held, the caller holding {@link #local} (this call's hold
	 * counted). A thread that held it already extends the lease; if that lease has run out, its
	 * earlier holds are void and the lock is taken anew.
	 * @param bounded whether {@code deadline} applies
	 * @return {@code false} only if the deadline passed first
	 */
	private boolean hold(Duration ttl, boolean bounded, long deadline) throws InterruptedException {
		if (this.local.getHoldCount() > 1) {
			Boolean extended = extendHeld(ttl, bounded, deadline);
			if (extended != null) {
				return extended;
			}
			voidEarlierHolds();
		}
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
	 * Extends the held lease.
	 * @return {@code true} if extended, {@code false} if the deadline passed while the lease was
	 * still valid, {@code null} if the lease has run out
	 */
	private Boolean extendHeld(Duration ttl, boolean bounded, long deadline) throws InterruptedException {
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

	private void voidEarlierHolds() {
		LockHandle lapsed = this.handle;
		this.handle = null;
		if (lapsed != null) {
			lapsed.close();
		}
		while (this.local.getHoldCount() > 1) {
			this.local.unlock();
		}
	}

	@Override
	public void unlock() {
		if (!this.local.isHeldByCurrentThread()) {
			throw new IllegalMonitorStateException("The current thread does not hold lock '" + this.key + "'");
		}
		if (this.local.getHoldCount() > 1) {
			this.local.unlock();
			return;
		}
		LockHandle held = this.handle;
		this.handle = null;
		boolean valid = held != null && held.isValid();
		try {
			if (held != null) {
				held.close();
			}
		}
		finally {
			this.local.unlock();
		}
		if (!valid) {
			throw new ConcurrentModificationException("Lock '" + this.key + "' expired before it was unlocked: its "
					+ "lease ran out (or could not be extended on a quorum of nodes), so another holder may have had "
					+ "it meanwhile; the integrity of the data it protects may have been compromised");
		}
	}

	/**
	 * Sets the held lease to {@code ttl}, or to the hold's own time to live if {@code null}; the
	 * caller holds the lock.
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

	private static void checkTtl(Duration ttl) {
		Objects.requireNonNull(ttl, "ttl");
		if (ttl.isNegative() || ttl.isZero()) {
			throw new IllegalArgumentException("Lock ttl must be positive, but was " + ttl);
		}
	}

	@Override
	public Condition newCondition() {
		throw new UnsupportedOperationException("Conditions are not supported by Redlock locks");
	}

	boolean isHeldByCurrentThread() {
		return this.local.isHeldByCurrentThread();
	}

	boolean isAcquiredInThisProcess() {
		return this.local.isLocked();
	}

	void touch() {
		this.lastUsed = System.currentTimeMillis();
	}

	long lastUsed() {
		return this.lastUsed;
	}

	@Override
	public String toString() {
		LockHandle held = this.handle;
		return "RedlockLock[" + this.registry.getRegistryKey() + ":" + this.key + ", "
				+ ((held != null) ? "held, valid for " + held.remaining().toMillis() + "ms" : "not held") + "]";
	}

}
