package dev.redlock;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What {@link LockTemplate} needs of a lock engine: the one way from the public API down to the
 * engine, so that the API depends on nothing below it. The starter's engine,
 * {@code dev.redlock.core.Redlock}, implements it.
 */
public interface LockEngine {

	/**
	 * The lease time of a lock whose caller names none.
	 * @return the default lease time, positive
	 */
	Duration defaultLeaseTime();

	/**
	 * How long a caller that names no wait time keeps trying.
	 * @return the default wait time, zero or positive
	 */
	Duration defaultWaitTime();

	/**
	 * Acquires a lock, retrying until the wait time is spent.
	 * @param request the lock
	 * @return the held lock
	 * @throws LockNotAcquiredException if no quorum was reached within the wait time, or the
	 * thread was interrupted while waiting
	 */
	LockHandle acquire(LockRequest request);

	/**
	 * {@link #acquire(LockRequest)} with the full keys already computed by the caller, so that a
	 * call computes each full key once.
	 * @param request the lock
	 * @param fullKeys {@link #fullKey} of each of the request's keys, in the order of its keys
	 * @return the held lock
	 * @throws LockNotAcquiredException as {@link #acquire(LockRequest)}
	 * @throws IllegalArgumentException if there is not one full key per key
	 */
	LockHandle acquire(LockRequest request, List<String> fullKeys);

	/**
	 * Tries to acquire a lock, retrying until the wait time is spent.
	 * @param request the lock
	 * @return the held lock, or empty if it was not acquired within the wait time
	 */
	Optional<LockHandle> tryAcquire(LockRequest request);

	/**
	 * The key a lock key is stored under: the engine's key prefix and the key (or a digest of a
	 * long key). Two requests hold the same lock exactly when their full keys are equal.
	 * @param key the lock key, without the key prefix
	 * @return the full key
	 * @throws IllegalArgumentException if the engine cannot store the key
	 */
	String fullKey(String key);

	/**
	 * Tells the engine that a held lock was handed to asynchronous work, so that losing it does
	 * not interrupt the thread that acquired it, which has moved on.
	 * @param handle a handle from this engine
	 */
	void handOff(LockHandle handle);

}
