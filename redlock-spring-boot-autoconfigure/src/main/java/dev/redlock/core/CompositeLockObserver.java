package dev.redlock.core;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.redlock.LockHandle;
import dev.redlock.LockRequest;
import dev.redlock.NodeOutcome;

/**
 * Several observers as one: the first observer's {@code acquisition} and {@code release} wrap the
 * second's, and so on. A notification that throws is logged and does not reach the engine.
 */
final class CompositeLockObserver implements LockObserver {

	private static final Logger logger = LoggerFactory.getLogger(CompositeLockObserver.class);

	private final List<LockObserver> observers;

	private CompositeLockObserver(List<LockObserver> observers) {
		this.observers = observers;
	}

	static LockObserver of(List<LockObserver> observers) {
		return observers.isEmpty() ? NONE : new CompositeLockObserver(List.copyOf(observers));
	}

	@Override
	public LockHandle acquisition(LockRequest request, Supplier<LockHandle> acquisition) {
		Supplier<LockHandle> wrapped = acquisition;
		for (int i = this.observers.size() - 1; i >= 0; i--) {
			LockObserver observer = this.observers.get(i);
			Supplier<LockHandle> inner = wrapped;
			wrapped = () -> observer.acquisition(request, inner);
		}
		return wrapped.get();
	}

	@Override
	public void release(HeldLock lock, Runnable release) {
		Runnable wrapped = release;
		for (int i = this.observers.size() - 1; i >= 0; i--) {
			LockObserver observer = this.observers.get(i);
			Runnable inner = wrapped;
			wrapped = () -> observer.release(lock, inner);
		}
		wrapped.run();
	}

	@Override
	public void nodeFailed(NodeOutcome outcome) {
		notifyEach((observer) -> observer.nodeFailed(outcome));
	}

	@Override
	public void lockLost(HeldLock lock) {
		notifyEach((observer) -> observer.lockLost(lock));
	}

	@Override
	public void nodeClockJumped(String node, Duration jump) {
		notifyEach((observer) -> observer.nodeClockJumped(node, jump));
	}

	private void notifyEach(Consumer<LockObserver> notification) {
		for (LockObserver observer : this.observers) {
			try {
				notification.accept(observer);
			}
			catch (RuntimeException ex) {
				logger.warn("Lock observer {} failed", observer, ex);
			}
		}
	}

}
