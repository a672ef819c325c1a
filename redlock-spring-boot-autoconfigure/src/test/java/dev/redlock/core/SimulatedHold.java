package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.redlock.NodeOutcome.Status;

/**
 * A granted lock in a simulated engine, as {@code RedlockHandle} keeps it: its validity, renewal
 * about every third of the lease by {@link LeaseMath#renewalLease} (retried by
 * {@link LeaseMath#retryDelay}, lost when the validity ends or a majority refuses), extensions
 * judged by {@link LeaseMath#judge} and {@link LeaseMath#afterFailedExtension}, a hand-made extension
 * now and then, and the close (or, with hold-at-least, the shortening of the lease) when the work
 * is done; extensions and the close one at a time, as under the handle's lease lock. Its holder
 * may work past the validity (a slow job, a pause): then it holds nothing from the validity's end.
 */
final class SimulatedHold {

	private static final long MS = 1_000_000L;

	private enum State {

		HELD, RELEASED, LOST, DEAD

	}

	private final SimulatedWorker worker;

	private final SimulatedEngine engine;

	private final EngineSimulation sim;

	private final SimulatedRound acquisition;

	private final long acquiredAt;

	private final long leaseNanos;

	private final HoldChecker.Hold record;

	private long validUntil;

	private long renewalLease;

	private long maxHold;

	private long holdAtLeast;

	private boolean autoRenew;

	private State state = State.HELD;

	private boolean closed;

	/** The lease lock: whether an extension or the close runs, and who waits for it. */
	private boolean busy;

	private final ArrayDeque<Runnable> waiting = new ArrayDeque<>(2);

	/** Whether a hand extension cut the validity (the renewal keeps its schedule). */
	private boolean shortenedByHand;

	/** Bumped to cancel the scheduled renewal. */
	private int renewals;

	SimulatedHold(SimulatedWorker worker, SimulatedRound acquisition, long acquiredAt, long validUntil, long fence,
			long leaseNanos) {
		this.worker = worker;
		this.engine = worker.engine;
		this.sim = worker.sim;
		this.acquisition = acquisition;
		this.acquiredAt = acquiredAt;
		this.validUntil = validUntil;
		this.leaseNanos = leaseNanos;
		this.renewalLease = leaseNanos;
		this.record = this.sim.history.granted(worker.name, acquisition.key, fence, this.sim.now(), validUntil);
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
			long byHand = (this.sim.config().shortHandExtensions() && random.nextBoolean())
					? MS + random.nextLong(timeout - MS)
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
			this.sim.after(Math.max(0, delay), () -> {
				if (scheduled == this.renewals && !gone()) {
					renew();
				}
			});
		}
	}

	private void renew() {
		if (this.state != State.HELD) {
			return;
		}
		long lease = LeaseMath.renewalLease(this.sim.now(), this.validUntil, this.acquiredAt, this.maxHold,
				this.renewalLease);
		if (lease == 0) {
			this.sim.tally.lostAtRenewal++;
			this.sim.tally.lostAfterShorteningByHand += this.shortenedByHand ? 1 : 0;
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
		long delay = LeaseMath.retryDelay(this.sim.now(), this.validUntil, this.engine.nodeTimeout());
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
			long before = this.validUntil;
			extendLocked(leaseMillis, (extended) -> {
				this.shortenedByHand |= this.validUntil - before < 0;
				unlock();
			});
		});
	}

	/** One extension round, the lease lock held. */
	private void extendLocked(long leaseMillis, Consumer<LeaseMath.Extended> then) {
		long start = this.sim.now();
		long left = this.validUntil - start;
		if (left <= 0) {
			then.accept(LeaseMath.Extended.NO);
			return;
		}
		this.engine.extend(this.acquisition.key, this.acquisition.token, leaseMillis,
				Math.min(left, this.engine.nodeTimeout()), (round) -> {
					if (gone()) {
						return;
					}
					var outcomes = round.outcomes();
					long candidate = LeaseMath.validUntil(start, TimeUnit.MILLISECONDS.toNanos(leaseMillis),
							this.sim.settings());
					LeaseMath.Extended extended = LeaseMath.judge(Round.count(outcomes, Status.ACQUIRED),
							Round.count(outcomes, Status.HELD_BY_OTHER), this.engine.quorum(), this.sim.nodes(),
							this.sim.now(), this.validUntil, candidate);
					this.validUntil = (extended == LeaseMath.Extended.YES) ? candidate
							: LeaseMath.afterFailedExtension(this.validUntil, candidate);
					this.sim.history.validity(this.record, this.validUntil, this.sim.now());
					if (this.sim.tracing()) {
						this.sim.trace(this.acquisition.key, this.worker.name + " extension " + extended + " valid until "
								+ (this.validUntil % 1_000_000_000_000L) / 1e9);
					}
					then.accept(extended);
				});
	}

	private void markLost() {
		if (this.state != State.HELD) {
			return;
		}
		this.state = State.LOST;
		this.renewals++;
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
			this.sim.trace(this.acquisition.key, this.worker.name + " closes " + this.acquisition.token);
		}
		locked(() -> {
			this.closed = true;
			if (this.state == State.HELD) {
				this.state = State.RELEASED;
			}
			this.renewals++;
			long keepNanos = Math.max(0, this.holdAtLeast - (this.sim.now() - this.acquiredAt));
			long keepMillis = TimeUnit.NANOSECONDS.toMillis(keepNanos);
			long from = this.sim.now();
			this.sim.tally.releases++;
			this.sim.operation();
			this.engine.release(this.acquisition, keepMillis, this.engine.quorum(), (round) -> {
				if (gone()) {
					return;
				}
				if (keepMillis > 0) {
					boolean confirmed = Round.count(round.outcomes(), Status.ACQUIRED) >= this.engine.quorum();
					this.sim.history.kept(this.record, from, keepMillis * MS, confirmed);
				}
				unlock();
				this.worker.next();
			});
		});
	}

}
