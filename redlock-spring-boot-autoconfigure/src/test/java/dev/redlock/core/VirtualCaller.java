package dev.redlock.core;

import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

import dev.redlock.NodeOutcome;
import dev.redlock.NodeOutcome.Status;

/**
 * One thread of a simulated engine that locks again and again: picks a key and a request, then
 * carries out the engine's own attempt loop ({@link AttemptLoop}) on virtual time, step by step as
 * it returns them, as {@link Acquisition} carries them out on the calling thread: each attempt,
 * fence write and undo is the engine's own {@link LockCommands} call (with its
 * {@link SplitVoteGate}), whose rounds {@link VirtualFanOut} runs; then the retry delay. A granted
 * lock is held by {@link SimulatedHold}.
 */
final class VirtualCaller {

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
		attempt();
	}

	private void attempt() {
		if (this.dead) {
			return;
		}
		this.sim.tally.attempts++;
		String token = this.sim.token();
		boolean splitVote = this.loop.begin(this.sim.now());
		this.engine.commands().acquire(this.keys, token, this.leaseNanos / MS, this.fenced, this.engine.heldOut(),
				splitVote, (attempt) -> decided(token, attempt));
	}

	private void decided(String token, LockCommands.Attempt attempt) {
		if (this.dead) {
			return;
		}
		List<NodeOutcome> outcomes = attempt.round().outcomes();
		AttemptLoop.Step step = this.loop.answered(outcomes, this.sim.now());
		if (step != AttemptLoop.Step.RAISE_FENCE) {
			carryOut(step, token, attempt.round());
			return;
		}
		long fence = this.loop.fence(outcomes, attempt.countersRead());
		this.engine.commands().writeFence(this.key, token, fence,
				this.loop.fenceTimeout(this.engine.nodeTimeout(), this.sim.now()), (recorded) -> {
					if (this.dead) {
						return;
					}
					AttemptLoop.Step next = this.loop.fenceRecorded(recorded, this.sim.now());
					this.sim.tally.fencesNotRecorded += (next == AttemptLoop.Step.UNDO) ? 1 : 0;
					carryOut(next, token, attempt.round());
				});
	}

	private void carryOut(AttemptLoop.Step step, String token, Round round) {
		if (step == AttemptLoop.Step.GRANT) {
			granted(token, round);
			return;
		}
		this.sim.tally.failedAttempts++;
		this.engine.release(round, this.keys, token, 0, FanOut.ALL, (released) -> {
			if (this.dead) {
				return;
			}
			AttemptLoop.Step next = this.loop.undone(round.outcomes(), this.sim.now(), this.engine.reach(), this.random);
			if (next == AttemptLoop.Step.FAIL) {
				notAcquired();
			}
			else {
				this.sim.after(this.loop.retryDelay(), this::attempt);
			}
		});
	}

	private void notAcquired() {
		this.sim.tally.notAcquired++;
		this.sim.history.notAcquired(this.name, this.key, this.sim.now());
		next();
	}

	private void granted(String token, Round round) {
		this.sim.tally.granted++;
		this.sim.tally.multiKeyGranted += (this.keys.size() > 1) ? 1 : 0;
		long validUntil = this.loop.validUntil();
		if (this.sim.tracing()) {
			this.sim.trace(this.key, this.name + " granted " + token + " fence " + this.loop.fence()
					+ " start " + (this.loop.start() % 1_000_000_000_000L) / 1e9 + " valid until "
					+ (validUntil % 1_000_000_000_000L) / 1e9);
		}
		this.hold = new SimulatedHold(this, this.keys, token, round, this.loop.start(), validUntil, this.loop.fence(),
				this.leaseNanos);
		this.hold.begin();
	}

}
