package dev.redlock;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import dev.redlock.core.Redlock;

/**
 * Programmatic distributed locking: runs a callback while a Redlock lock is held, or hands out the
 * lock itself.
 *
 * <pre>{@code
 * Receipt receipt = lockTemplate.execute("order:" + orderId, (handle) -> payments.pay(orderId));
 * }</pre>
 *
 * Keys are given without the configured key prefix; the template adds it.
 */
public class LockTemplate {

	private final Redlock redlock;

	/**
	 * Creates a template over an engine.
	 * @param redlock the engine, whose settings give the default lease and wait times
	 */
	public LockTemplate(Redlock redlock) {
		this.redlock = Objects.requireNonNull(redlock, "redlock");
	}

	/**
	 * Runs {@code callback} while holding the lock on {@code key}, with the configured lease and
	 * wait times.
	 * @param <T> the result type
	 * @param key the lock key
	 * @param callback the work
	 * @return what the callback returned
	 * @throws LockNotAcquiredException if the lock was not obtained within the wait time (the
	 * callback did not run)
	 */
	public <T> T execute(String key, LockCallback<T> callback) {
		return execute(key, this.redlock.settings().leaseTime(), this.redlock.settings().waitTime(), callback);
	}

	/**
	 * Runs {@code callback} while holding the lock on {@code key}. The lock is released when the
	 * callback returns or throws; a failed release never hides the callback's result or exception.
	 * @param <T> the result type
	 * @param key the lock key
	 * @param leaseTime how long the lock lives unless released or extended
	 * @param waitTime how long to keep trying to acquire it; zero for one attempt
	 * @param callback the work
	 * @return what the callback returned
	 * @throws LockNotAcquiredException if the lock was not obtained within the wait time (the
	 * callback did not run)
	 */
	public <T> T execute(String key, Duration leaseTime, Duration waitTime, LockCallback<T> callback) {
		return execute(LockRequest.of(key, leaseTime, waitTime), callback);
	}

	/**
	 * Runs {@code callback} while holding the requested lock. The lock is released when the
	 * callback returns or throws; a failed release never hides the callback's result or
	 * exception. While the callback runs, {@link CurrentLock#handle()} returns the handle.
	 * @param <T> the result type
	 * @param request the lock, its durations and its name for metrics
	 * @param callback the work
	 * @return what the callback returned
	 * @throws LockNotAcquiredException if the lock was not obtained within the wait time (the
	 * callback did not run)
	 */
	public <T> T execute(LockRequest request, LockCallback<T> callback) {
		Objects.requireNonNull(callback, "callback");
		try (LockHandle handle = this.redlock.acquire(request)) {
			return CurrentLock.with(handle, callback);
		}
	}

	/**
	 * Tries to acquire the lock on {@code key}; the caller must {@link LockHandle#close() close}
	 * the handle, best with try-with-resources.
	 * @param key the lock key
	 * @param leaseTime how long the lock lives unless released or extended
	 * @param waitTime how long to keep trying; zero for one attempt
	 * @return the held lock, or empty if it was not obtained within the wait time
	 */
	public Optional<LockHandle> tryAcquire(String key, Duration leaseTime, Duration waitTime) {
		return this.redlock.tryAcquire(LockRequest.of(key, leaseTime, waitTime));
	}

	/**
	 * The engine behind this template.
	 * @return the engine
	 */
	public Redlock getRedlock() {
		return this.redlock;
	}

}
