package dev.redlock.core;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One at a time, the sections of a held lock that must not overlap: its extensions and its
 * release, so that their commands reach each node in the order the handle decided them. A section
 * is given the unlock and runs it when it ends, which may be after its round is decided. The
 * engine's rounds end on the calling thread ({@link #onThreads()}); the simulation's later, on
 * virtual time.
 */
interface LeaseLock {

	/** Runs {@code section} holding the lock: now, or once the sections before it ended. */
	void run(Consumer<Runnable> section);

	/**
	 * The lease lock on threads: a caller waits for it, and its section ends before {@link #run}
	 * returns (ended then if it did not run its unlock). Reentrant, as a loss reported inside a
	 * section may take it again.
	 */
	static LeaseLock onThreads() {
		ReentrantLock lock = new ReentrantLock();
		return (section) -> {
			lock.lock();
			boolean[] held = { true };
			Runnable unlock = () -> {
				if (held[0]) {
					// throws on another thread than the section's, leaving the lock to the section's end
					lock.unlock();
					held[0] = false;
				}
			};
			try {
				section.accept(unlock);
			}
			finally {
				unlock.run();
			}
		};
	}

}
