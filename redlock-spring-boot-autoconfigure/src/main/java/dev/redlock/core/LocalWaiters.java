package dev.redlock.core;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The threads of this process that wait for a lock key, so that a release here hands the lock
 * over at once instead of after a retry delay.
 *
 * <p>Two parts. A fair <em>queue</em> per single key: only the thread at its head sends attempts
 * to the nodes; the others wait their turn in the JVM, so that a release is not followed by a
 * herd of local attempts that split the nodes' votes between them. A <em>wake-up</em> per
 * waiting thread, registered under each of its keys: a release of one of those keys by this
 * engine wakes the thread for an immediate attempt; so does a release by another process that
 * announces it, heard while this engine has threads waiting ({@link ReleaseNotifications}). A lock
 * that simply expires is found at the next retry.
 *
 * <p>A wake-up is what the waiter registers: on a thread, the release of a semaphore it waits on
 * ({@code Acquisition}); in the simulation, the end of a timer. The queue uses only a fair
 * {@link ReentrantLock}, which does not pin virtual threads.
 */
final class LocalWaiters {

	private final Map<String, Queue> queues = new ConcurrentHashMap<>();

	private final Map<String, Set<Runnable>> wakeUps = new ConcurrentHashMap<>();

	private static final class Queue {

		final ReentrantLock lock = new ReentrantLock(true);

		int users;

	}

	/**
	 * Waits for the head of the key's queue.
	 * @param key the full Redis key
	 * @param timeoutNanos the longest wait
	 * @return a turn to {@link Turn#close() close} when the thread stops trying, or {@code null} if
	 * the wait ran out
	 * @throws InterruptedException if interrupted while waiting
	 */
	Turn awaitTurn(String key, long timeoutNanos) throws InterruptedException {
		Queue queue = this.queues.compute(key, (k, existing) -> {
			Queue q = (existing != null) ? existing : new Queue();
			q.users++;
			return q;
		});
		boolean locked = false;
		try {
			locked = queue.lock.tryLock(Math.max(0, timeoutNanos), TimeUnit.NANOSECONDS);
		}
		finally {
			if (!locked) {
				leave(key, queue);
			}
		}
		return locked ? new Turn(key, queue) : null;
	}

	private void leave(String key, Queue queue) {
		this.queues.computeIfPresent(key, (k, q) -> (q == queue && --q.users == 0) ? null : q);
	}

	/**
	 * Registers a wake-up under each key.
	 * @param keys the full Redis keys of one lock
	 * @param wakeUp what a release of one of them runs (on a thread, a semaphore's release); it
	 * must not block
	 */
	void register(List<String> keys, Runnable wakeUp) {
		for (String key : keys) {
			this.wakeUps.computeIfAbsent(key, (k) -> ConcurrentHashMap.newKeySet()).add(wakeUp);
		}
	}

	/**
	 * Removes a wake-up from each key.
	 * @param keys the keys it was registered under
	 * @param wakeUp the wake-up
	 */
	void cancel(List<String> keys, Runnable wakeUp) {
		for (String key : keys) {
			this.wakeUps.computeIfPresent(key, (k, set) -> {
				set.remove(wakeUp);
				return set.isEmpty() ? null : set;
			});
		}
	}

	/**
	 * Wakes every thread waiting for one of the keys.
	 * @param keys keys this engine has just released
	 */
	void released(List<String> keys) {
		for (String key : keys) {
			Set<Runnable> waiting = this.wakeUps.get(key);
			if (waiting != null) {
				for (Runnable wakeUp : waiting) {
					wakeUp.run();
				}
			}
		}
	}

	/**
	 * How many keys have queued threads or wake-ups: what this object keeps in memory.
	 * @return the number of map entries
	 */
	int size() {
		return this.queues.size() + this.wakeUps.size();
	}

	/** The head of a key's queue, held while the thread sends attempts. */
	final class Turn implements AutoCloseable {

		private final String key;

		private final Queue queue;

		private Turn(String key, Queue queue) {
			this.key = key;
			this.queue = queue;
		}

		/** Lets the next thread in the queue try. */
		@Override
		public void close() {
			this.queue.lock.unlock();
			leave(this.key, this.queue);
		}

	}

}
