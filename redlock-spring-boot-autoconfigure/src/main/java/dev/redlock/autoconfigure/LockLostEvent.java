package dev.redlock.autoconfigure;

import org.springframework.context.ApplicationEvent;

import dev.redlock.core.HeldLock;

/**
 * Published when a lock held by this instance is lost: its lease could not be extended on a
 * quorum of nodes before its validity ended, so another instance may take it while its holder
 * still runs. The holder sees it too: {@link dev.redlock.LockHandle#isValid()} turns false.
 */
public class LockLostEvent extends ApplicationEvent {

	private final transient HeldLock lock;

	/**
	 * Creates the event.
	 * @param source the publisher
	 * @param lock the lost lock (without its token)
	 */
	public LockLostEvent(Object source, HeldLock lock) {
		super(source);
		this.lock = lock;
	}

	/**
	 * The lost lock.
	 * @return its name, key, owner thread and timings
	 */
	public HeldLock getLock() {
		return this.lock;
	}

}
