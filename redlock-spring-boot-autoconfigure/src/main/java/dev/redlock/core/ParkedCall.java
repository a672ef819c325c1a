package dev.redlock.core;

import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import dev.redlock.NodeOutcome;

/**
 * An acquire call's waits and end on the calling thread: each wait parks the thread on a semaphore
 * that its turn in line or a release of its keys lets go early; the steps run on the thread one
 * after the other (never nested), and the end is kept for {@link Acquisition}. A semaphore parks a
 * virtual thread without pinning it.
 */
final class ParkedCall implements AcquisitionSteps.Waits, AcquisitionSteps.Ending {

	private final Semaphore wakeUps = new Semaphore(0);

	private final Runnable wakeUp = this.wakeUps::release;

	/** The step after the wait the steps asked for, or {@code null}. */
	private Runnable next;

	private long waitNanos;

	private String token;

	private Round round;

	private String reason;

	private List<NodeOutcome> outcomes;

	private Throwable cause;

	private boolean ended;

	@Override
	public Runnable wakeUp() {
		return this.wakeUp;
	}

	@Override
	public void resetWakeUp() {
		this.wakeUps.drainPermits();
	}

	@Override
	public void awaitTurn(long nanos, Runnable next) {
		this.waitNanos = nanos;
		this.next = next;
	}

	@Override
	public void awaitRetry(long nanos, Runnable next) {
		awaitTurn(nanos, next);
	}

	/**
	 * Parks through each wait the steps ask for and runs the step after it, until the call ends.
	 * @throws IllegalStateException if the steps stopped without an end (rounds that do not run on
	 * the calling thread)
	 */
	void runUntilEnded(AcquisitionSteps steps) {
		Runnable step;
		while ((step = this.next) != null) {
			this.next = null;
			try {
				this.wakeUps.tryAcquire(Math.max(0, this.waitNanos), TimeUnit.NANOSECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				steps.interrupted(ex);
				return;
			}
			step.run();
		}
		if (!this.ended) {
			throw new IllegalStateException("an acquire call stopped without an end: its rounds did not run on the "
					+ "calling thread");
		}
	}

	@Override
	public void granted(String token, Round round) {
		this.ended = true;
		this.token = token;
		this.round = round;
	}

	@Override
	public void failed(String reason, List<NodeOutcome> outcomes, Throwable cause) {
		this.ended = true;
		this.reason = reason;
		this.outcomes = outcomes;
		this.cause = cause;
	}

	/** The granted attempt's token, or {@code null}. */
	String token() {
		return this.token;
	}

	Round round() {
		return this.round;
	}

	String reason() {
		return this.reason;
	}

	List<NodeOutcome> outcomes() {
		return this.outcomes;
	}

	Throwable cause() {
		return this.cause;
	}

}
