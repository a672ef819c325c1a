package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.redlock.LockRequest;
import dev.redlock.NodeOutcome.Status;

/**
 * A granted lock in a simulated engine, kept as {@code RedlockHandle} keeps it: its renewal is the
 * engine's own {@link LeaseKeeper} (the schedule about every third of the lease, the step by
 * {@link LeaseMath#renewalLease}, retry by {@link LeaseMath#retryDelay}, loss when the validity
 * ends or a majority refuses, a shorter hand extension bringing the next step forward), on
 * {@link VirtualTimer}s; its extensions run the engine's {@link Validity} over the engine's
 * {@link LeaseChain} (each node's command after the lock's earlier ones there). Followed here after
 * {@code RedlockHandle}: the lease lock (extensions and the close one at a time), a hand-made
 * extension now and then, and the close (or, with hold-at-least, the shortening of the lease) when
 * the work is done. Its holder may work past the validity (a slow job, a pause): then it holds
 * nothing from the validity's end.
 */
final class SimulatedHold implements LeaseKeeper.Lease, Renewals {

	private static final long MS = 1_000_000L;

	private enum State {

		HELD, RELEASED, LOST, DEAD

	}

	private final VirtualCaller worker;

	private final SimulatedEngine engine;

	private final EngineSimulation sim;

	private final VirtualFanOut.Run acquisition;

	/** The commands sent so far, which the next one follows on each node. */
	private LeaseChain chain;

	private final long acquiredAt;

	private final long leaseNanos;

	private final HoldChecker.Hold record;

	private final Validity validity;

	private long holdAtLeast;

	/** The engine's renewal of this lock, made once the work is planned. */
	private LeaseKeeper keeper;

	private State state = State.HELD;

	private boolean closed;

	/** The lease lock: whether an extension or the close runs, and who waits for it. */
	private boolean busy;

	private final ArrayDeque<Runnable> waiting = new ArrayDeque<>(2);

	/** Whether a hand extension cut the validity since the renewal was planned. */
	private boolean shortenedByHand;

	/** Whether that was a failed hand extension, which left some validity to renew. */
	private boolean failedCutByHand;

	/** Whether the renewal was planned for after the validity's end (a third of a tiny lease). */
	private boolean plannedLate;

	/** The verdict of the renewal step just decided, while the keeper acts on it; {@code null} otherwise. */
	private LeaseMath.Extended stepVerdict;

	/** Whether the renewal step running now extended, scheduled or lost anything (if not: the maximum hold time). */
	private boolean stepActed;

	/** What the renewal step running now threw, which the keeper would only log: the timer rethrows it. */
	private Throwable stepFailure;

	SimulatedHold(VirtualCaller worker, VirtualFanOut.Run acquisition, long acquiredAt, long validUntil, long fence,
			long leaseNanos) {
		this.worker = worker;
		this.engine = worker.engine;
		this.sim = worker.sim;
		this.acquisition = acquisition;
		this.chain = LeaseChain.of(acquisition.round, this.sim.nodes());
		this.acquiredAt = acquiredAt;
		this.validity = new Validity(validUntil, acquiredAt + leaseNanos);
		this.leaseNanos = leaseNanos;
		this.record = this.sim.history.granted(worker.name, acquisition.command.key(), fence, this.sim.now(), validUntil);
	}

	@Override
	public String key() {
		return this.acquisition.command.key();
	}

	private String token() {
		return this.acquisition.command.token();
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
		this.holdAtLeast = (random.nextInt(100) < 8) ? MS + random.nextLong(lease) : 0;
		LockRequest request = LockRequest.of(key(), Duration.ofNanos(lease), Duration.ZERO)
			.withAutoRenew(autoRenew)
			.withMaxHoldTime(Duration.ofNanos(maxHold));
		this.keeper = new LeaseKeeper(this, this, request, this.acquiredAt, Duration.ofNanos(lease));
		this.keeper.start();
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
		if (this.state == State.HELD) {
			this.sim.history.ended(this.record, this.sim.now());
		}
		this.state = State.DEAD;
	}

	private boolean gone() {
		return this.state == State.DEAD || this.engine.dead();
	}

	// ---- the lease lock ----

	private void locked(Runnable body) {
		if (this.busy) {
			this.waiting.add(body);
		}
		else {
			this.busy = true;
			body.run();
		}
	}

	private void unlock() {
		Runnable next = this.waiting.poll();
		if (next != null) {
			next.run();
		}
		else {
			this.busy = false;
		}
	}

	// ---- what the engine's LeaseKeeper asks of the lock and of its runtime ----

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
	public ScheduledFuture<?> scheduleRenewal(Runnable renewal, long delayNanos) {
		this.stepActed = true;
		this.shortenedByHand = false;
		this.failedCutByHand = false;
		this.plannedLate = this.sim.now() + Math.max(0, delayNanos) - this.validity.validUntil() > 0;
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
			if (!this.stepActed && this.state == State.HELD) {
				// the keeper neither extended nor rescheduled nor lost the lock: the maximum hold time
				this.sim.tally.maxHoldReached++;
			}
		});
	}

	@Override
	public boolean held() {
		return this.state == State.HELD;
	}

	@Override
	public long validUntilNanos() {
		return this.validity.validUntil();
	}

	@Override
	public long toldUntilNanos() {
		return this.validity.toldUntil();
	}

	/** A renewal step's extension, under the lease lock ({@code RedlockHandle.extendHeld}). */
	@Override
	public void extendHeld(Duration leaseTime, Consumer<LeaseMath.Extended> then) {
		this.stepActed = true;
		try {
			locked(() -> {
				if (this.state != State.HELD) {
					unlock();
					then.accept(null);
					return;
				}
				this.sim.tally.renewals++;
				this.sim.operation();
				extendLocked(leaseTime.toMillis(), (extended) -> {
					unlock();
					this.stepVerdict = extended;
					try {
						then.accept(extended);
					}
					finally {
						this.stepVerdict = null;
					}
				});
			});
		}
		catch (RuntimeException | Error ex) {
			// the keeper logs what its step throws and retries, as it must on real threads; here it fails the run
			this.stepFailure = ex;
			throw ex;
		}
	}

	/** {@code LockHandle.extend(Duration)}: the lease is checked as the engine checks it. */
	private void extendByHand(long leaseMillis) {
		if (gone() || this.closed) {
			return;
		}
		locked(() -> {
			if (this.state != State.HELD) {
				unlock();
				return;
			}
			Duration leaseTime = Duration.ofMillis(leaseMillis);
			this.keeper.asked(leaseTime);
			this.sim.tally.extensions++;
			this.sim.operation();
			long before = this.validity.validUntil();
			long start = this.sim.now();
			extendLocked(leaseMillis, (extended) -> {
				this.shortenedByHand |= this.validity.validUntil() - before < 0;
				// a failed one leaves the renewal where it was, maybe after the validity it cut
				this.failedCutByHand |= extended != LeaseMath.Extended.YES && this.validity.validUntil() - before < 0
						&& this.validity.validUntil() - this.sim.now() > 0;
				if (extended == LeaseMath.Extended.YES) {
					this.keeper.extended(start, leaseTime, leaseTime);
				}
				unlock();
			});
			// the validity is cut before the round is sent
			this.shortenedByHand |= this.validity.validUntil() - before < 0;
		});
	}

	/** One extension round, the lease lock held ({@code RedlockHandle.extendLocked}), on the engine's {@link Validity}. */
	private void extendLocked(long leaseMillis, Consumer<LeaseMath.Extended> then) {
		long before = this.validity.validUntil();
		long timeout = this.validity.beginExtension(this.sim.now(), leaseMillis, this.engine.nodeTimeout(),
				this.sim.settings());
		if (timeout < 0) {
			then.accept(LeaseMath.Extended.NO);
			return;
		}
		if (this.validity.validUntil() != before) {
			this.sim.history.validity(this.record, this.validity.validUntil(), this.sim.now());
		}
		this.engine.extend(this.chain, key(), token(), leaseMillis, timeout, (run) -> {
			if (gone()) {
				return;
			}
			this.chain = this.chain.then(run.round);
			var outcomes = run.round.outcomes();
			LeaseMath.Extended extended = this.validity.extensionDecided(Round.count(outcomes, Status.ACQUIRED),
					Round.count(outcomes, Status.HELD_BY_OTHER), this.engine.quorum(), this.sim.nodes(), this.sim.now());
			this.sim.history.validity(this.record, this.validity.validUntil(), this.sim.now());
			if (this.sim.tracing()) {
				this.sim.trace(key(), this.worker.name + " extension " + extended + " valid until "
						+ (this.validity.validUntil() % 1_000_000_000_000L) / 1e9);
			}
			then.accept(extended);
		});
	}

	/** The keeper found the lock lost: tallied by where (at a step, refused, while retrying). */
	@Override
	public void markLost(String why) {
		if (this.state != State.HELD) {
			return;
		}
		if (this.stepVerdict == LeaseMath.Extended.REFUSED) {
			this.sim.tally.lostRefused++;
		}
		else if (this.stepVerdict != null) {
			this.sim.tally.lostRetrying++;
		}
		else {
			this.sim.tally.lostAtRenewal++;
			if (this.sim.now() - this.validity.validUntil() > 0) {
				// not a retry at the validity's end: the step was planned for after it
				this.sim.tally.lostRenewalLate++;
				this.sim.tally.lostAfterShorteningByHand += (this.shortenedByHand && !this.plannedLate) ? 1 : 0;
				this.sim.tally.lostAfterFailedShortening += (this.failedCutByHand && !this.plannedLate) ? 1 : 0;
				this.sim.tally.lostPlannedLate += this.plannedLate ? 1 : 0;
			}
		}
		this.state = State.LOST;
		this.keeper.stop();
		this.sim.tally.lost++;
		this.sim.history.ended(this.record, this.sim.now());
	}

	// ---- the close ----

	private void close() {
		if (gone()) {
			return;
		}
		this.sim.history.ended(this.record, this.sim.now());
		if (this.sim.tracing()) {
			this.sim.trace(key(), this.worker.name + " closes " + token());
		}
		locked(() -> {
			this.closed = true;
			if (this.state == State.HELD) {
				this.state = State.RELEASED;
			}
			this.keeper.stop();
			long keepNanos = Math.max(0, this.holdAtLeast - (this.sim.now() - this.acquiredAt));
			long keepMillis = TimeUnit.NANOSECONDS.toMillis(keepNanos);
			long from = this.sim.now();
			this.sim.tally.releases++;
			this.sim.operation();
			this.engine.release(this.chain, key(), token(), keepMillis, this.engine.quorum(), (run) -> {
				if (gone()) {
					return;
				}
				if (keepMillis > 0) {
					boolean confirmed = Round.count(run.round.outcomes(), Status.ACQUIRED) >= this.engine.quorum();
					this.sim.history.kept(this.record, from, keepMillis * MS, confirmed);
				}
				unlock();
				this.worker.next();
			});
		});
	}

}
