package dev.redlock.autoconfigure;

import org.springframework.context.ApplicationEventPublisher;

import dev.redlock.core.HeldLock;
import dev.redlock.core.LockObserver;

/**
 * Publishes a {@link LockLostEvent} for every lost lock.
 */
public class LockLostEventPublisher implements LockObserver {

	private final ApplicationEventPublisher publisher;

	/**
	 * Creates the publisher.
	 * @param publisher where to publish
	 */
	public LockLostEventPublisher(ApplicationEventPublisher publisher) {
		this.publisher = publisher;
	}

	@Override
	public void lockLost(HeldLock lock) {
		this.publisher.publishEvent(new LockLostEvent(this, lock));
	}

}
