package dev.redlock.core;

import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

import dev.redlock.NodeOutcome;

/**
 * One thread of a simulated engine that locks again and again: picks a key and a request, then
 * has the engine's own {@link AttemptDriver} make the attempts its {@link AttemptLoop} decides, as
 * {@link Acquisition} has them made on the calling thread: each attempt, fence write and undo is
 * the engine's own {@link LockCommands} call (with its {@link SplitVoteGate}), whose rounds
 * {@link VirtualFanOut} runs on virtual time; the retry delay is a timer. A granted lock is held
 * by {@link SimulatedHold}.
 */
final class VirtualCaller implements AttemptDriver.Caller {

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

	private AttemptDriver driver;

	/** Registered with the engine's waiters while a call with a wait time runs, as {@link Acquisition} does. */
	private Runnable wakeUp;

	/** Whether one of the keys was released here since the attempt began. */
	private boolean woken;

	/** The wait before the next attempt, while one runs. */
	private VirtualTimer retry;

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
		if (this.engine.guarded() && this.engine.quorumOutOfReach(deadline)) {
			// as Acquisition: with the restart guard, a call no quorum can answer fails before its first attempt
			notAcquired();
			return;
		}
		this.loop = this.sim.attemptLoops.create(this.engine.quorum(), this.leaseNanos, this.fenced, deadline,
				this.sim.settings());
		this.driver = new AttemptDriver(this.engine.commands(), this.loop, this.keys, this.key, this.leaseNanos / MS,
				this.fenced, this.sim::now, this.engine::heldOut, this.engine.reach(),
				this.random, this.sim::token, this);
		if (deadline != this.sim.now()) {
			this.wakeUp = new WakeUp();
			this.engine.waiters().register(this.keys, this.wakeUp);
		}
		attempt();
	}

	private void attempt() {
		if (this.dead) {
			return;
		}
		this.sim.tally.attempts++;
		// only a release from now on is news
		this.woken = false;
		this.retry = null;
		this.driver.attempt();
	}

	/** The engine released one of the keys: a wait to retry ends now. */
	private void released() {
		this.woken = true;
		if (this.retry != null && this.retry.cancel(false)) {
			this.retry = null;
			this.sim.tally.wokenUp++;
			this.sim.after(0, this::attempt);
		}
	}

	/** The call ends: no more wake-ups. */
	private void ended() {
		if (this.wakeUp != null) {
			this.engine.waiters().cancel(this.keys, this.wakeUp);
			this.wakeUp = null;
		}
	}

	@Override
	public void granted(String token, Round round) {
		if (this.dead) {
			return;
		}
		ended();
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
	public void failed(List<NodeOutcome> outcomes) {
		if (this.dead) {
			return;
		}
		undone();
		ended();
		notAcquired();
	}

	@Override
	public void retry(long delayNanos, List<NodeOutcome> outcomes) {
		if (this.dead) {
			return;
		}
		undone();
		if (this.woken) {
			// a release came during the attempt: the wait is over at once
			this.sim.tally.wokenUp++;
			this.sim.after(0, this::attempt);
		}
		else {
			this.retry = VirtualTimer.after(this.sim, delayNanos, this::attempt);
		}
	}

	private void undone() {
		this.sim.tally.failedAttempts++;
		if (this.loop.reason() != null && this.loop.reason().startsWith(AttemptLoop.FENCE_NOT_RECORDED)) {
			this.sim.tally.fencesNotRecorded++;
		}
	}

	private void notAcquired() {
		this.sim.tally.notAcquired++;
		this.sim.history.notAcquired(this.name, this.key, this.sim.now());
		next();
	}

	/**
	 * This thread's wake-up. Its hash is the thread's name, so that the order in which a release
	 * runs the wake-ups of one key (a hash set's) is the same in every run of a seed.
	 */
	private final class WakeUp implements Runnable {

		@Override
		public void run() {
			released();
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
