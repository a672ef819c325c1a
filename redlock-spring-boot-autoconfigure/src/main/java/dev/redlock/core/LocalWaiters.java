package dev.redlock.core;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The callers in this process that wait for a lock key, so that a release here hands the lock
 * over at once instead of after a retry delay.
 *
 * <p>Two parts. A <em>line</em> per single key, first come first served: only the caller at its
 * head sends attempts to the nodes; the others wait their turn in the JVM, so that a release is not
 * followed by a herd of local attempts that split the nodes' votes between them. A <em>wake-up</em>
 * per waiting caller, registered under each of its keys: a release of one of those keys by this
 * engine wakes the caller for an immediate attempt; so does a release by another process that
 * announces it, heard while this engine has callers waiting ({@link ReleaseNotifications}). A lock
 * that simply expires is found at the next retry.
 *
 * <p>A wake-up, and what a place runs when it comes to the head of its line, is what the caller
 * gives: on a thread, the release of the semaphore it parks on ({@link ParkedCall}); in the
 * simulation, the end of a timer. Neither ever waits here.
 */
final class LocalWaiters {

	private final Map<String, ArrayDeque<Place>> lines = new ConcurrentHashMap<>();

	private final Map<String, Set<Runnable>> wakeUps = new ConcurrentHashMap<>();

	/**
	 * Joins the end of the key's line.
	 * @param key the full Redis key
	 * @param onTurn run once the place comes to the head after waiting (not if it is the head at
	 * once); it must not block
	 * @return the place, to {@link Place#close() close} when the caller stops trying
	 */
	Place join(String key, Runnable onTurn) {
		Place place = new Place(key, onTurn);
		this.lines.compute(key, (k, line) -> {
			ArrayDeque<Place> joined = (line != null) ? line : new ArrayDeque<>(2);
			joined.add(place);
			place.head = joined.size() == 1;
			return joined;
		});
		return place;
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
	 * How many keys have callers in line or wake-ups: what this object keeps in memory.
	 * @return the number of map entries
	 */
	int size() {
		return this.lines.size() + this.wakeUps.size();
	}

	/** A caller's place in a key's line: at its head, the caller sends attempts. */
	final class Place implements AutoCloseable {

		private final String key;

		private final Runnable onTurn;

		/** Set under the line's map entry; read by the caller after its wait. */
		private volatile boolean head;

		private boolean left;

		private Place(String key, Runnable onTurn) {
			this.key = key;
			this.onTurn = onTurn;
		}

		/** Whether the place heads its line. */
		boolean head() {
			return this.head;
		}

		/** Leaves the line; at its head, lets the next caller try. Does nothing the second time. */
		@Override
		public void close() {
			if (this.left) {
				return;
			}
			this.left = true;
			Place[] next = new Place[1];
			LocalWaiters.this.lines.computeIfPresent(this.key, (k, line) -> {
				boolean wasHead = line.peekFirst() == this;
				line.remove(this);
				if (wasHead && !line.isEmpty()) {
					next[0] = line.peekFirst();
					next[0].head = true;
				}
				return line.isEmpty() ? null : line;
			});
			if (next[0] != null) {
				next[0].onTurn.run();
			}
		}

	}

}
