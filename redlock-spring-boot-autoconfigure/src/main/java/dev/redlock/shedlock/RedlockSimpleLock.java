package dev.redlock.shedlock;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import net.javacrumbs.shedlock.core.SimpleLock;

import dev.redlock.LockHandle;

/**
 * A ShedLock lock over a Redlock handle. Used once: by {@link #unlock()} or by
 * {@link #extend(Duration, Duration)}, whose new lock shares the handle.
 */
final class RedlockSimpleLock implements SimpleLock {

	private final String name;

	private final LockHandle handle;

	private final long lockAtLeastUntilNanos;

	private final AtomicBoolean used = new AtomicBoolean();

	/**
	 * Creates the lock.
	 * @param name the ShedLock name
	 * @param handle the held lock
	 * @param leaseStartNanos when the lease was asked for ({@link System#nanoTime()}), so the key
	 * is never kept past the lease
	 * @param lockAtLeastFor how long from then the key stays after {@link #unlock()}
	 */
	RedlockSimpleLock(String name, LockHandle handle, long leaseStartNanos, Duration lockAtLeastFor) {
		this.name = name;
		this.handle = handle;
		this.lockAtLeastUntilNanos = leaseStartNanos + lockAtLeastFor.toNanos();
	}

	@Override
	public void unlock() {
		use();
		this.handle.closeKeeping(lockAtLeastLeft());
	}

	@Override
	public Optional<SimpleLock> extend(Duration lockAtMostFor, Duration lockAtLeastFor) {
		Objects.requireNonNull(lockAtMostFor, "lockAtMostFor");
		Objects.requireNonNull(lockAtLeastFor, "lockAtLeastFor");
		if (lockAtMostFor.isNegative() || lockAtMostFor.isZero()) {
			throw new IllegalArgumentException(
					"lockAtMostFor of lock '" + this.name + "' must be positive, but was " + lockAtMostFor);
		}
		if (lockAtLeastFor.isNegative() || lockAtLeastFor.compareTo(lockAtMostFor) > 0) {
			throw new IllegalArgumentException("lockAtLeastFor of lock '" + this.name + "' must be between 0 and "
					+ "lockAtMostFor (" + lockAtMostFor + "), but was " + lockAtLeastFor);
		}
		use();
		long start = System.nanoTime();
		boolean extended;
		try {
			extended = this.handle.extend(lockAtMostFor);
		}
		catch (IllegalArgumentException ex) {
			// refused before any node was asked: this lock is still usable
			this.used.set(false);
			throw new IllegalArgumentException("Cannot extend lock '" + this.name + "': " + ex.getMessage(), ex);
		}
		if (extended) {
			return Optional.of(new RedlockSimpleLock(this.name, this.handle, start, lockAtLeastFor));
		}
		// nobody may use this lock any more, and no new one is returned: release it here
		this.handle.closeKeeping(lockAtLeastLeft());
		return Optional.empty();
	}

	private void use() {
		if (!this.used.compareAndSet(false, true)) {
			throw new IllegalStateException(
					"Lock '" + this.name + "' has already been unlocked or extended; it cannot be used again");
		}
	}

	private Duration lockAtLeastLeft() {
		return Duration.ofNanos(this.lockAtLeastUntilNanos - System.nanoTime());
	}

	@Override
	public String toString() {
		return "RedlockSimpleLock[" + this.name + ", " + this.handle + "]";
	}

}
