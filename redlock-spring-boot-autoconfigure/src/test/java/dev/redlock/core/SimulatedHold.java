package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.redlock.NodeOutcome.Status;

/**
 * A granted lock in a simulated engine, as {@code RedlockHandle} and its {@code LeaseKeeper} keep
 * it. Its extensions run the engine's own {@link Validity} (no round without validity left, the
 * validity cut before each round is sent, the verdict of {@link LeaseMath#judge} after it) over the
 * engine's {@link LeaseChain} (each node's command after the lock's earlier ones there). The
 * renewal schedule is still followed here step by step, after {@code LeaseKeeper}: a step about
 * every third of the lease by {@link LeaseMath#renewalLease}, retried by
 * {@link LeaseMath#retryDelay}, lost when the validity ends or a majority refuses; a hand-made
 * extension now and then (a shorter one brings the next renewal forward); and the close (or, with
 * hold-at-least, the shortening of the lease) when the work is done; extensions and the close one
 * at a time, as under the handle's lease lock. Its holder may work past the validity (a slow job, a
 * pause): then it holds nothing from the validity's end.
 */
final class SimulatedHold {

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

	private long renewalLease;

	private long maxHold;

	private long holdAtLeast;

	private boolean autoRenew;

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

	/** Bumped to cancel the scheduled renewal. */
	private int renewals;

	/** Whether a renewal is scheduled and has not started (its future could be cancelled). */
	private boolean renewalPending;

	/** When the scheduled renewal is due. */
	private long renewalAt;

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
		this.renewalLease = leaseNanos;
		this.record = this.sim.history.granted(worker.name, acquisition.command.key(), fence, this.sim.now(), validUntil);
	}

	private String key() {
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
		this.autoRenew = random.nextInt(100) < 85;
		this.maxHold = (random.nextInt(10) == 0) ? lease + random.nextLong(2 * lease)
				: RedlockSettings.DEFAULT_MAX_HOLD_TIME.toNanos();
		this.holdAtLeast = (random.nextInt(100) < 8) ? MS + random.nextLong(lease) : 0;
		if (this.sim.settings().renewal() && this.autoRenew) {
			scheduleRenewal(lease / 3);
		}
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

	// ---- renewal and extension ----

	private void scheduleRenewal(long delay) {
		if (this.state == State.HELD) {
			int scheduled = ++this.renewals;
			this.renewalPending = true;
			this.renewalAt = this.sim.now() + Math.max(0, delay);
			this.shortenedByHand = false;
			this.failedCutByHand = false;
			this.plannedLate = this.renewalAt - this.validity.validUntil() > 0;
			this.sim.at(this.renewalAt, () -> {
				if (scheduled == this.renewals && !gone()) {
					this.renewalPending = false;
					renew();
				}
			});
		}
	}

	/** {@code LeaseKeeper.renewSoonerIfDue}: a renewal planned later than {@code delay} comes then. */
	private void renewSoonerIfDue(long delay) {
		if (this.renewalPending && this.renewalAt - this.sim.now() > delay) {
			this.renewals++;
			this.renewalPending = false;
			scheduleRenewal(delay);
		}
	}

	private void cancelRenewal() {
		this.renewals++;
		this.renewalPending = false;
	}

	private void renew() {
		if (this.state != State.HELD) {
			return;
		}
		long lease = LeaseMath.renewalLease(this.sim.now(), this.validity.validUntil(), this.acquiredAt, this.maxHold,
				this.renewalLease);
		if (lease == 0) {
			this.sim.tally.lostAtRenewal++;
			if (this.sim.now() - this.validity.validUntil() > 0) {
				// not a retry at the validity's end: the step was planned for after it
				this.sim.tally.lostRenewalLate++;
				this.sim.tally.lostAfterShorteningByHand += (this.shortenedByHand && !this.plannedLate) ? 1 : 0;
				this.sim.tally.lostAfterFailedShortening += (this.failedCutByHand && !this.plannedLate) ? 1 : 0;
				this.sim.tally.lostPlannedLate += this.plannedLate ? 1 : 0;
			}
			markLost();
			return;
		}
		if (lease < 0) {
			this.sim.tally.maxHoldReached++;
			return;
		}
		locked(() -> {
			if (this.state != State.HELD) {
				unlock();
				return;
			}
			this.sim.tally.renewals++;
			this.sim.operation();
			extendLocked(Duration.ofNanos(lease).toMillis(), (extended) -> {
				unlock();
				if (extended == LeaseMath.Extended.YES) {
					scheduleRenewal(lease / 3);
				}
				else if (extended == LeaseMath.Extended.REFUSED) {
					this.sim.tally.lostRefused++;
					markLost();
				}
				else {
					retryOrLose();
				}
			});
		});
	}

	private void retryOrLose() {
		long delay = LeaseMath.retryDelay(this.sim.now(), this.validity.validUntil(), this.engine.nodeTimeout());
		if (delay < 0) {
			this.sim.tally.lostRetrying++;
			markLost();
		}
		else {
			scheduleRenewal(delay);
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
			this.renewalLease = Math.max(this.renewalLease, leaseMillis * MS);
			this.sim.tally.extensions++;
			this.sim.operation();
			long before = this.validity.validUntil();
			extendLocked(leaseMillis, (extended) -> {
				this.shortenedByHand |= this.validity.validUntil() - before < 0;
				// a failed one leaves the renewal where it was, maybe after the validity it cut
				this.failedCutByHand |= extended != LeaseMath.Extended.YES && this.validity.validUntil() - before < 0
						&& this.validity.validUntil() - this.sim.now() > 0;
				if (extended == LeaseMath.Extended.YES) {
					renewSoonerIfDue(leaseMillis * MS / 3);
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

	private void markLost() {
		if (this.state != State.HELD) {
			return;
		}
		this.state = State.LOST;
		cancelRenewal();
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
			cancelRenewal();
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
