package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.redlock.LockHandle;
import dev.redlock.LockRequest;
import dev.redlock.NodeOutcome.Status;

/**
 * A granted lock in a simulated engine, held by the engine's own {@link RedlockHandle} (its lease
 * lock, its extensions by hand and by its {@link LeaseKeeper}, its {@link Validity} over its
 * {@link LeaseChain}, its close, with hold-at-least) on the runtime this class gives it: the
 * extension and release rounds of the engine's {@link LockCommands} (over {@link VirtualFanOut}), timers ({@link VirtualTimer}) and the
 * clock on virtual time, a lease lock whose waiting sections queue. It plans the holder's work (how
 * long, renewed or not, extended by hand now and then, kept at least) and records in the history
 * what the holder holds. Its holder may work past the validity (a slow job, a pause): then it
 * holds nothing from the validity's end.
 */
final class SimulatedHold implements LeaseOps {

	private static final long MS = 1_000_000L;

	private final VirtualCaller worker;

	private final SimulatedEngine engine;

	private final EngineSimulation sim;

	/** The lock's keys, in order. */
	private final List<String> keys;

	private final String token;

	/** The acquisition's round, which the lock's later calls follow. */
	private final Round acquisition;

	private final long acquiredAt;

	private final long validUntil;

	private final long fence;

	private final long leaseNanos;

	/** What the holder holds, per key. */
	private final List<HoldChecker.Hold> records;

	/** The validity last recorded in the history. */
	private long recordedValidUntil;

	private RedlockHandle handle;

	private boolean dead;

	/** Whether the work is done and the handle closed. */
	private boolean closed;

	/** Whether the renewal step running now extended or scheduled anything (if not: the maximum hold time). */
	private boolean stepActed;

	/** What the renewal step running now threw, which the keeper would only log: the timer rethrows it. */
	private Throwable stepFailure;

	SimulatedHold(VirtualCaller worker, List<String> keys, String token, Round acquisition, long acquiredAt,
			long validUntil, long fence, long leaseNanos) {
		this.worker = worker;
		this.engine = worker.engine;
		this.sim = worker.sim;
		this.keys = keys;
		this.token = token;
		this.acquisition = acquisition;
		this.acquiredAt = acquiredAt;
		this.validUntil = validUntil;
		this.fence = fence;
		this.leaseNanos = leaseNanos;
		this.records = keys.stream()
			.map((key) -> this.sim.history.granted(worker.name, key, fence, this.sim.now(), validUntil))
			.toList();
		this.recordedValidUntil = validUntil;
	}

	private String key() {
		return String.join(",", this.keys);
	}

	/** Plans the work under the lock: how long, renewed or not, extended by hand, kept at least. */
	void begin() {
		SplittableRandom random = this.worker.random;
		long lease = this.leaseNanos;
		int kind = random.nextInt(100);
		long work;
		if (kind < 65) {
			work = random.nextLong(3 * MS);
		}
		else if (kind < 91) {
			work = random.nextLong(lease / 4);
		}
		else if (kind < 97) {
			work = lease / 2 + random.nextLong(3 * lease / 2);
		}
		else {
			work = lease + random.nextLong(2 * lease);
		}
		boolean autoRenew = random.nextInt(100) < 85;
		long maxHold = (random.nextInt(10) == 0) ? lease + random.nextLong(2 * lease)
				: RedlockSettings.DEFAULT_MAX_HOLD_TIME.toNanos();
		// at most the lease, as a request whose lease is not renewed must ask
		long holdAtLeast = (random.nextInt(100) < 8) ? MS + random.nextLong(lease - MS) : 0;
		LockRequest request = LockRequest.of(this.keys, Duration.ofNanos(lease), Duration.ZERO)
			.withAutoRenew(autoRenew)
			.withMaxHoldTime(Duration.ofNanos(maxHold))
			.withHoldAtLeast(Duration.ofNanos(holdAtLeast));
		this.handle = new RedlockHandle(this, request, this.keys, key(), this.token, this.acquisition, this.acquiredAt, this.validUntil, this.fence);
		// no thread of the simulation is the holder's
		this.handle.detachHolder();
		this.handle.startRenewal();
		if (work > 0 && random.nextInt(10) == 0) {
			long timeout = this.engine.nodeTimeout();
			// half of them shorter than a round can take
			long byHand = random.nextBoolean() ? MS + random.nextLong(timeout - MS)
					: timeout + random.nextLong(EngineSimulation.HOLD_OUT.toNanos() - timeout);
			this.sim.after(random.nextLong(work), () -> extendByHand(byHand / MS));
		}
		this.sim.after(work, this::close);
	}

	/** The process died: the holder can no longer act on the lock. */
	void die() {
		if (!this.dead && this.handle.held()) {
			ended();
		}
		this.dead = true;
	}

	private boolean gone() {
		return this.dead || this.engine.dead();
	}

	/** {@code LockHandle.extend(Duration)} now and then, while the work runs. */
	private void extendByHand(long leaseMillis) {
		if (gone() || this.closed) {
			return;
		}
		this.sim.tally.extensions++;
		this.handle.extend(Duration.ofMillis(leaseMillis), (extended) -> {
		});
	}

	/** The work is done: the holder closes the handle, and its thread goes on once that returned. */
	private void close() {
		if (gone()) {
			return;
		}
		this.closed = true;
		ended();
		if (this.sim.tracing()) {
			this.sim.trace(key(), this.worker.name + " closes " + this.token);
		}
		this.handle.close(Duration.ZERO, this.worker::next);
	}

	// ---- the handle's runtime ----

	@Override
	public RedlockSettings settings() {
		return this.sim.settings();
	}

	/** The lease itself: the simulation's leases are within what the restart guard covers. */
	@Override
	public Duration ttl(Duration leaseTime) {
		return leaseTime;
	}

	@Override
	public long nanoTime() {
		return this.sim.now();
	}

	@Override
	public int quorum() {
		return this.engine.quorum();
	}

	@Override
	public int nodeCount() {
		return this.sim.nodes();
	}

	/** One thread at a time in virtual time: a section that finds the lock taken waits its turn. */
	@Override
	public LeaseLock leaseLock() {
		ArrayDeque<Runnable> waiting = new ArrayDeque<>(2);
		boolean[] busy = new boolean[1];
		Runnable unlock = () -> {
			Runnable next = waiting.poll();
			if (next != null) {
				next.run();
			}
			else {
				busy[0] = false;
			}
		};
		return (section) -> {
			if (busy[0]) {
				waiting.add(() -> section.accept(unlock));
			}
			else {
				busy[0] = true;
				section.accept(unlock);
			}
		};
	}

	@Override
	public ScheduledFuture<?> scheduleRenewal(Runnable renewal, long delayNanos) {
		this.stepActed = true;
		return VirtualTimer.after(this.sim, delayNanos, () -> {
			if (gone()) {
				return;
			}
			this.stepActed = false;
			renewal.run();
			Throwable failure = this.stepFailure;
			if (failure != null) {
				this.stepFailure = null;
				throw new AssertionError("the renewal step of " + key() + " failed in the simulation", failure);
			}
			if (!this.stepActed && this.handle.held()) {
				// the keeper neither extended nor rescheduled nor lost the lock: the maximum hold time
				this.sim.tally.maxHoldReached++;
			}
		});
	}

	/** An extension round (by hand or a renewal step): the engine's {@link LockCommands#extend}. */
	@Override
	public void extend(List<String> keys, String token, long leaseMillis, long timeoutNanos, Preceding after,
			Consumer<Extension> then) {
		this.stepActed = true;
		try {
			this.sim.tally.extensionRounds++;
			this.sim.operation();
			recordValidity();
			this.engine.commands().extend(keys, token, leaseMillis, timeoutNanos, after, (extension) -> {
				if (gone()) {
					return;
				}
				then.accept(extension);
				recordValidity();
				if (this.sim.tracing()) {
					this.sim.trace(key(), this.worker.name + " extension valid until "
							+ (this.handle.validUntilNanos() % 1_000_000_000_000L) / 1e9);
				}
			});
		}
		catch (RuntimeException | Error ex) {
			// the keeper logs what its step throws and retries, as it must on real threads; here it fails the run
			this.stepFailure = ex;
			throw ex;
		}
	}

	/** The validity the handle believes, when it changed: cut before a round, set by its verdict. */
	private void recordValidity() {
		long now = this.handle.validUntilNanos();
		if (now != this.recordedValidUntil) {
			this.recordedValidUntil = now;
			this.records.forEach((record) -> this.sim.history.validity(record, now, this.sim.now()));
		}
	}

	/**
	 * The release (or, with hold-at-least, the shortening of the lease): the engine's
	 * {@link LockCommands#release}, awaited on a quorum as for a held lock.
	 */
	@Override
	public void release(LockHandle released, HeldLock lock, List<String> keys, String token, LeaseChain after,
			long keepNanos, Runnable then) {
		long keepMillis = TimeUnit.NANOSECONDS.toMillis(keepNanos);
		long from = this.sim.now();
		this.sim.tally.releases++;
		this.sim.operation();
		this.engine.commands().release(keys, token, after, keepNanos, this.engine.quorum(), this.engine.channel(), (round) -> {
			if (gone()) {
				return;
			}
			if (keepMillis > 0) {
				boolean confirmed = Round.count(round.outcomes(), Status.ACQUIRED) >= this.engine.quorum();
				this.records.forEach((record) -> this.sim.history.kept(record, from, keepMillis * MS, confirmed));
			}
			else {
				// as HeldLocks: the engine's threads waiting for one of the keys try at once
				this.engine.waiters().released(keys);
			}
			then.run();
		});
	}

	/** The keeper found the lock lost. */
	@Override
	public void lost(LockHandle lostHandle, HeldLock lock) {
		this.sim.tally.lost++;
		ended();
	}

	/** The holder no longer relies on the lock from now on. */
	private void ended() {
		this.records.forEach((record) -> this.sim.history.ended(record, this.sim.now()));
	}

}
