package dev.redlock.benchmarks;

import java.time.Duration;

/**
 * One lock implementation under test, reduced to what every benchmark does with it: take a lock,
 * run a critical section, release the lock.
 *
 * <p>Implementations are safe for use by many threads at once.
 */
public interface Locker extends AutoCloseable {

	/**
	 * Takes the lock on {@code key}, waiting up to {@code wait} the way the implementation waits
	 * (retries, pub/sub), runs {@code criticalSection} while holding it, and releases it.
	 * @param key the lock key, without any prefix the implementation adds
	 * @param wait how long to wait for the lock when another owner holds it
	 * @param criticalSection what runs while the lock is held
	 * @return {@code true} if the lock was taken and the section ran, {@code false} if the wait
	 * time ran out or the implementation failed (a node error or timeout, which benchmarks count
	 * and report rather than abort on)
	 */
	boolean withLock(String key, Duration wait, Runnable criticalSection);

	/**
	 * Closes the implementation's clients and threads.
	 */
	@Override
	void close();

}
