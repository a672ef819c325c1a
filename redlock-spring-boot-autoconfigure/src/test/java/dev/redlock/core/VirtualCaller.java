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
				this.fenced, this.engine.nodeTimeout(), this.sim::now, this.engine::heldOut, this.engine.reach(),
				this.random, this.sim::token, this);
		attempt();
	}

	private void attempt() {
		if (this.dead) {
			return;
		}
		this.sim.tally.attempts++;
		this.driver.attempt();
	}

	@Override
	public void granted(String token, Round round) {
		if (this.dead) {
			return;
		}
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
		notAcquired();
	}

	@Override
	public void retry(long delayNanos, List<NodeOutcome> outcomes) {
		if (this.dead) {
			return;
		}
		undone();
		this.sim.after(delayNanos, this::attempt);
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


}
