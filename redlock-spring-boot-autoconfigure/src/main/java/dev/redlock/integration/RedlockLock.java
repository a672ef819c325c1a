package dev.redlock.integration;

import java.time.Duration;
import java.util.ConcurrentModificationException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.springframework.integration.support.locks.DistributedLock;

/**
 * One key's lock of a {@link RedlockLockRegistry}: a thread-owned, reentrant local lock in front
 * of a Redlock lock, taken on the first hold and released with the last.
 */
final class RedlockLock implements DistributedLock {

	private final RedlockLockRegistry registry;

	private final String key;

	private final ReentrantLock local = new ReentrantLock();

	private final RedlockLease lease;

	private volatile long lastUsed = System.currentTimeMillis();

	RedlockLock(RedlockLockRegistry registry, String key) {
		this.registry = registry;
		this.key = key;
		this.lease = new RedlockLease(registry, key);
	}

	@Override
	public void lock() {
		lock(this.registry.getExpireAfter());
	}

	@Override
	public void lock(Duration ttl) {
		RedlockLease.checkTtl(ttl);
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
		RedlockLease.checkTtl(ttl);
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
			Boolean extended = this.lease.extend(ttl, bounded, deadline);
			if (extended != null) {
				return extended;
			}
			voidEarlierHolds();
		}
		return this.lease.take(ttl, bounded, deadline);
	}

	private void voidEarlierHolds() {
		this.lease.release();
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
		boolean valid;
		try {
			valid = this.lease.release();
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
		this.lease.renew(ttl);
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
		return "RedlockLock[" + this.registry.getRegistryKey() + ":" + this.key + ", " + this.lease.describe() + "]";
	}

}
