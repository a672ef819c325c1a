package dev.redlock.benchmarks;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * A locker of its own for each calling thread, as separate application instances would each
 * have one: nothing is shared in the JVM, so the threads meet only in Redis.
 */
final class PerThreadLocker implements Locker {

	private final Queue<Locker> created = new ConcurrentLinkedQueue<>();

	private final ThreadLocal<Locker> perThread;

	PerThreadLocker(Supplier<Locker> factory) {
		this.perThread = ThreadLocal.withInitial(() -> {
			Locker locker = factory.get();
			this.created.add(locker);
			return locker;
		});
	}

	@Override
	public boolean withLock(String key, Duration wait, Runnable criticalSection) {
		return this.perThread.get().withLock(key, wait, criticalSection);
	}

	@Override
	public void close() {
		this.created.forEach(Locker::close);
	}

}
