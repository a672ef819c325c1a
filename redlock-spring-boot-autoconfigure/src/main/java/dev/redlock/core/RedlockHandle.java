package dev.redlock.core;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.redlock.LockHandle;
import dev.redlock.LockRequest;

/**
 * A lock granted by the engine: knows its token and its validity deadline, extends and releases it,
 * and notices when it is lost; its {@link LeaseKeeper} renews its lease while held (if asked to).
 * It reaches the engine only through {@link LeaseOps}.
 *
 * <p>A node is never told a TTL longer than the engine allows ({@link LeaseOps#ttl}); a longer lease
 * (asked for at acquisition or by {@link #extend}) is kept by renewal steps about every third of that
 * TTL up to the end asked for, renewal on or off, and ends there: the holder that still has the lock
 * then learns it is lost. The validity ({@link #remaining()}) is always the TTL's, what a quorum was
 * told.
 *
 * <p>Extensions (by the user or the watchdog) and the release run one at a time under its
 * {@link LeaseLock}, so their commands reach each node in the order the handle decided them, and
 * the validity the handle believes is never longer than what a quorum was told. It reads the time
 * and waits only through its runtime ({@link LeaseOps}): the engine's threads, or the simulation's
 * virtual time.
 */
final class RedlockHandle implements LockHandle, LeaseKeeper.Lease {

	private static final Logger logger = LoggerFactory.getLogger(RedlockHandle.class);

	private static final int HELD = 0;

	private static final int RELEASED = 1;

	private static final int LOST = 2;

	private final LeaseOps engine;

	private final LockRequest request;

	private final List<String> keys;

	private final String key;

	private final String token;

	private final long fencingToken;

	private final Thread acquirer = Thread.currentThread();

	private volatile Thread holder = this.acquirer;

	private final Instant acquiredAt = Instant.now();

	private final long acquiredAtNanos;

	private final AtomicInteger state = new AtomicInteger(HELD);

	private final AtomicBoolean closed = new AtomicBoolean();

	private final LeaseLock leaseLock;

	private final Validity validity;

	private final LeaseRounds rounds;

	private final LeaseKeeper keeper;

	/**
	 * @param keys the full keys
	 * @param key the full keys joined by commas, as the acquisition computed them once
	 */
	RedlockHandle(LeaseOps engine, LockRequest request, List<String> keys, String key, String token,
			Round acquisition, long acquiredAtNanos, long validUntilNanos, long fencingToken) {
		this.engine = engine;
		this.request = request;
		this.keys = keys;
		this.key = key;
		this.token = token;
		this.acquiredAtNanos = acquiredAtNanos;
		this.fencingToken = fencingToken;
		this.leaseLock = engine.leaseLock();
		Duration ttl = engine.ttl(request.leaseTime());
		this.validity = new Validity(validUntilNanos, acquiredAtNanos + TimeUnit.MILLISECONDS.toNanos(ttl.toMillis()));
		this.rounds = new LeaseRounds(engine, keys, token, acquisition, this.validity);
		this.keeper = new LeaseKeeper(this, engine, request, acquiredAtNanos, ttl);
	}

	@Override
	public String key() {
		return this.key;
	}

	@Override
	public boolean isValid() {
		return this.state.get() == HELD && this.engine.nanoTime() - this.validity.validUntil() < 0;
	}

	@Override
	public Duration remaining() {
		if (this.state.get() != HELD) {
			return Duration.ZERO;
		}
		return Duration.ofNanos(Math.max(0, this.validity.validUntil() - this.engine.nanoTime()));
	}

	@Override
	public OptionalLong fencingToken() {
		return (this.fencingToken > 0) ? OptionalLong.of(this.fencingToken) : OptionalLong.empty();
	}

	@Override
	public boolean extend(Duration leaseTime) {
		this.engine.checkLease(leaseTime);
		Boolean[] extended = new Boolean[1];
		extend(leaseTime, (yes) -> extended[0] = yes);
		if (extended[0] == null) {
			throw new IllegalStateException("the extension of lock '" + this.key + "' did not end on the calling thread");
		}
		return extended[0];
	}

	/**
	 * {@link #extend(Duration)}, where the runtime decides it: {@code then} is told whether the
	 * lease is now {@code leaseTime}, once its round is decided and the lease lock is free again.
	 */
	void extend(Duration leaseTime, Consumer<Boolean> then) {
		this.leaseLock.run((unlock) -> {
			if (this.state.get() != HELD) {
				unlock.run();
				then.accept(false);
				return;
			}
			this.keeper.asked(leaseTime);
			Duration ttl = this.engine.ttl(leaseTime);
			long start = this.engine.nanoTime();
			this.rounds.extend(ttl, (extended) -> {
				if (extended == LeaseMath.Extended.YES) {
					this.keeper.extended(start, leaseTime, ttl);
				}
				unlock.run();
				then.accept(extended == LeaseMath.Extended.YES);
			});
		});
	}

	/** Starts renewing the lease, if it is renewed while the work runs or longer than the TTL told. */
	void startRenewal() {
		this.keeper.start();
	}

	@Override
	public boolean held() {
		return this.state.get() == HELD;
	}

	@Override
	public long validUntilNanos() {
		return this.validity.validUntil();
	}

	@Override
	public long toldUntilNanos() {
		return this.validity.toldUntil();
	}

	@Override
	public void extendHeld(Duration leaseTime, Consumer<LeaseMath.Extended> then) {
		this.leaseLock.run((unlock) -> {
			if (this.state.get() != HELD) {
				unlock.run();
				then.accept(null);
				return;
			}
			this.rounds.extend(leaseTime, (extended) -> {
				unlock.run();
				then.accept(extended);
			});
		});
	}

	/**
	 * Marks the lock lost: its lease could not be extended on a quorum before its validity ended,
	 * or a majority no longer holds its key, or the lease asked for ended.
	 * @param why why, or {@code null} when the lease could not be extended
	 */
	@Override
	public void markLost(String why) {
		if (!this.state.compareAndSet(HELD, LOST)) {
			return;
		}
		this.keeper.stop();
		logger.warn("Lock '{}' was lost: {}; its holder must not rely on it any more", this.key, (why != null) ? why
				: "its lease could not be extended on a quorum of nodes before its validity ended");
		this.engine.lost(this, snapshot());
		if (this.engine.settings().interruptOnLoss()) {
			this.leaseLock.run((unlock) -> {
				try {
					Thread interrupted = this.holder;
					if (!this.closed.get() && interrupted != null) {
						interrupted.interrupt();
					}
				}
				finally {
					unlock.run();
				}
			});
		}
	}

	/**
	 * Stops interrupting the acquiring thread on loss: the lock now belongs to asynchronous work.
	 */
	void detachHolder() {
		this.holder = null;
	}

	@Override
	public void close() {
		closeKeeping(Duration.ZERO);
	}

	@Override
	public void closeKeeping(Duration keepFor) {
		java.util.Objects.requireNonNull(keepFor, "keepFor");
		close(keepFor, () -> {
		});
	}

	/**
	 * {@link #closeKeeping}, where the runtime decides it: {@code then} runs once the release was
	 * sent and awaited, or failed (at once if the lock was closed already).
	 */
	void close(Duration keepFor, Runnable then) {
		this.leaseLock.run((unlock) -> {
			boolean[] ended = { false };
			Runnable end = () -> {
				if (!ended[0]) {
					ended[0] = true;
					unlock.run();
					then.run();
				}
			};
			if (!this.closed.compareAndSet(false, true)) {
				end.run();
				return;
			}
			try {
				this.state.compareAndSet(HELD, RELEASED);
				this.keeper.stop();
				long keepNanos = Math.max(keepFor.toNanos(),
						this.request.holdAtLeast().toNanos() - (this.engine.nanoTime() - this.acquiredAtNanos));
				this.engine.release(this, snapshot(), this.keys, this.token, this.rounds.chain(), keepNanos, end);
			}
			catch (RuntimeException ex) {
				logger.warn("Could not release lock '{}'; it expires with its lease", this.key, ex);
				end.run();
			}
		});
	}

	/**
	 * What this lock looks like now, without its token.
	 */
	HeldLock snapshot() {
		return new HeldLock(this.request.name(), this.key, this.acquirer.getName(), this.acquiredAt,
				Duration.ofNanos(this.engine.nanoTime() - this.acquiredAtNanos), remaining());
	}

	@Override
	public String toString() {
		return "LockHandle[" + this.key + ", valid for " + remaining().toMillis() + "ms]";
	}

}
