package dev.redlock.core;

import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

import dev.redlock.NodeOutcome;

/**
 * One thread of a simulated engine that locks again and again: picks a key and a request, then
 * has the engine's own {@link AcquisitionSteps} carry out the call, as {@link Acquisition} has them
 * carried out on the calling thread: the check that a quorum is in reach, the line of the engine's
 * callers of a key and the wake-ups ({@link LocalWaiters}), listening for releases announced by
 * other engines ({@link ReleaseNotifications}), and the attempts of its {@link AttemptDriver},
 * whose rounds {@link VirtualFanOut} runs on virtual time. Its waits are timers that a wake-up ends
 * early; a granted lock is held by {@link SimulatedHold}.
 */
final class VirtualCaller implements AcquisitionSteps.Ending, AcquisitionSteps.Waits {

	private static final long MS = 1_000_000L;

	private static final long[] LEASES = { 50 * MS, 100 * MS, 200 * MS, 500 * MS, 1_000 * MS };

	private static final long[] WAITS = { 0, 10 * MS, 50 * MS, 200 * MS };

	final SimulatedEngine engine;

	final EngineSimulation sim;

	final SplittableRandom random;

	final String name;

	private boolean dead;

	private SimulatedHold hold;

	/** The keys of the lock it asks for now, in order; one for a fenced lock. */
	private List<String> keys;

	/** Those keys joined by commas, as the engine names a lock. */
	private String key;

	private boolean fenced;

	private long leaseNanos;

	private AttemptLoop loop;

	/** This thread's wake-up: its turn in line, or a release of one of its keys. */
	private final Runnable wakeUp = new WakeUp();

	/** Whether a wake-up came since the last reset. */
	private boolean woken;

	/** The wait running, or {@code null}. */
	private VirtualTimer wait;

	/** The step after it, and whether it is a wait to retry (else for a turn). */
	private Runnable next;

	private boolean retrying;

	VirtualCaller(SimulatedEngine engine, int index, SplittableRandom random) {
		this.engine = engine;
		this.sim = engine.sim;
		this.random = random;
		this.name = engine.name + "/w" + index;
	}

	void start() {
		this.sim.after(this.random.nextLong(2 * MS), this::acquire);
	}

	/** The process died: whatever this thread held, it holds no more. */
	void die() {
		this.dead = true;
		if (this.hold != null) {
			this.hold.die();
		}
	}

	boolean dead() {
		return this.dead;
	}

	/** After a lock call: a little think time, then the next acquisition. */
	void next() {
		this.hold = null;
		if (!this.dead) {
			this.sim.after(this.random.nextLong(5 * MS), this::acquire);
		}
	}

	private void acquire() {
		if (this.dead || this.sim.stopping()) {
			return;
		}
		int keyCount = this.sim.config().keys();
		int keyIndex = this.random.nextInt(keyCount);
		this.fenced = keyIndex % 2 == 0;
		this.leaseNanos = LEASES[this.random.nextInt(LEASES.length)];
		long deadline = this.sim.now() + WAITS[this.random.nextInt(WAITS.length)];
		this.keys = List.of(EngineSimulation.KEY_PREFIX + "k" + keyIndex);
		if (this.sim.config().multiKey() && !this.fenced && keyCount > 1 && this.random.nextInt(5) == 0) {
			// a lock of two keys, in the order the engine sorts them (LockRequest)
			int other = (keyIndex + 1 + this.random.nextInt(keyCount - 1)) % keyCount;
			this.keys = List.copyOf(new TreeSet<>(List.of(this.keys.get(0), EngineSimulation.KEY_PREFIX + "k" + other)));
			this.sim.tally.multiKeyAcquisitions++;
		}
		this.key = String.join(",", this.keys);
		this.sim.tally.acquisitions++;
		this.sim.operation();
		this.loop = this.sim.attemptLoops.create(this.engine.quorum(), this.leaseNanos, this.fenced, deadline,
				this.sim.settings());
		new AcquisitionSteps(this.engine.parts(), this.keys, this.key, this.loop, deadline, this.leaseNanos / MS,
				this.fenced, deadline != this.sim.now(), this.random, this, this).start();
	}

	// ---- the waits: timers on virtual time that a wake-up ends early ----

	@Override
	public Runnable wakeUp() {
		return this.wakeUp;
	}

	@Override
	public void resetWakeUp() {
		this.woken = false;
	}

	@Override
	public void awaitTurn(long nanos, Runnable next) {
		await(nanos, next, false);
	}

	@Override
	public void awaitRetry(long nanos, Runnable next) {
		undone();
		await(nanos, next, true);
	}

	private void await(long nanos, Runnable next, boolean retry) {
		if (this.dead) {
			return;
		}
		this.retrying = retry;
		if (this.woken) {
			// woken during the attempt (or while joining the line): the wait is over at once
			wokenUp(next);
			return;
		}
		this.next = next;
		this.wait = VirtualTimer.after(this.sim, nanos, () -> {
			this.wait = null;
			step(next);
		});
	}

	/** A wake-up: a wait running ends now; otherwise the next one will not begin. */
	private void woken() {
		this.woken = true;
		if (this.wait != null && this.wait.cancel(false)) {
			this.wait = null;
			wokenUp(this.next);
		}
	}

	private void wokenUp(Runnable next) {
		if (this.retrying) {
			this.sim.tally.wokenUp++;
		}
		else {
			this.sim.tally.turnsInLine++;
		}
		this.sim.after(0, () -> step(next));
	}

	private void step(Runnable next) {
		if (!this.dead) {
			next.run();
		}
	}

	// ---- the end ----

	@Override
	public void granted(String token, Round round) {
		if (this.dead) {
			return;
		}
		this.sim.tally.attempts += this.loop.attempts();
		this.sim.tally.granted++;
		this.sim.tally.multiKeyGranted += (this.keys.size() > 1) ? 1 : 0;
		long validUntil = this.loop.validUntil();
		if (this.sim.tracing()) {
			this.sim.trace(this.key, this.name + " granted " + token + " fence " + this.loop.fence() + " start "
					+ (this.loop.start() % 1_000_000_000_000L) / 1e9 + " valid until "
					+ (validUntil % 1_000_000_000_000L) / 1e9);
		}
		this.hold = new SimulatedHold(this, this.keys, token, round, this.loop.start(), validUntil, this.loop.fence(),
				this.leaseNanos);
		this.hold.begin();
	}

	@Override
	public void failed(String reason, List<NodeOutcome> outcomes, Throwable cause) {
		if (this.dead) {
			return;
		}
		this.sim.tally.attempts += this.loop.attempts();
		if (this.loop.attempts() > 0) {
			undone();
		}
		this.sim.tally.notAcquired++;
		this.sim.history.notAcquired(this.name, this.key, this.sim.now());
		next();
	}

	private void undone() {
		this.sim.tally.failedAttempts++;
		if (this.loop.reason() != null && this.loop.reason().startsWith(AttemptLoop.FENCE_NOT_RECORDED)) {
			this.sim.tally.fencesNotRecorded++;
		}
	}

	/**
	 * This thread's wake-up. Its hash is the thread's name, so that the order in which a release
	 * runs the wake-ups of one key (a hash set's) is the same in every run of a seed.
	 */
	private final class WakeUp implements Runnable {

		@Override
		public void run() {
			woken();
		}

		@Override
		public int hashCode() {
			return VirtualCaller.this.name.hashCode();
		}

		@Override
		public boolean equals(Object other) {
			return other == this;
		}

	}

}
