package dev.redlock.core;

import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A task scheduled on the simulation's virtual time, as a scheduler's future: it can be cancelled
 * until it starts, and tells how long until it is due.
 */
final class VirtualTimer implements ScheduledFuture<Object> {

	private final EngineSimulation sim;

	private final long at;

	private final Runnable action;

	private boolean started;

	private boolean finished;

	private boolean cancelled;

	private VirtualTimer(EngineSimulation sim, long at, Runnable action) {
		this.sim = sim;
		this.at = at;
		this.action = action;
	}

	/** Runs {@code action} after {@code delayNanos} of virtual time (at once if not positive). */
	static VirtualTimer after(EngineSimulation sim, long delayNanos, Runnable action) {
		VirtualTimer timer = new VirtualTimer(sim, sim.now() + Math.max(0, delayNanos), action);
		sim.at(timer.at, timer::fire);
		return timer;
	}

	private void fire() {
		if (this.cancelled) {
			return;
		}
		this.started = true;
		try {
			this.action.run();
		}
		finally {
			this.finished = true;
		}
	}

	@Override
	public long getDelay(TimeUnit unit) {
		return unit.convert(this.at - this.sim.now(), TimeUnit.NANOSECONDS);
	}

	@Override
	public int compareTo(Delayed other) {
		return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
	}

	@Override
	public boolean cancel(boolean mayInterruptIfRunning) {
		if (this.started || this.cancelled) {
			return false;
		}
		this.cancelled = true;
		return true;
	}

	@Override
	public boolean isCancelled() {
		return this.cancelled;
	}

	@Override
	public boolean isDone() {
		return this.cancelled || this.finished;
	}

	@Override
	public Object get() {
		throw new UnsupportedOperationException("nothing waits on virtual time");
	}

	@Override
	public Object get(long timeout, TimeUnit unit) {
		throw new UnsupportedOperationException("nothing waits on virtual time");
	}

}
