package dev.redlock.core;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
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
 * <p>Extensions (by the user or the watchdog) and the release run one at a time under
 * {@link #leaseLock}, so their commands reach each node in the order the handle decided them, and
 * the validity the handle believes is never longer than what a quorum was told.
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

	/** The commands sent so far, which the next one follows on each node; changed under the lease lock. */
	private volatile LeaseChain chain;

	private final long fencingToken;

	private final Thread acquirer = Thread.currentThread();

	private volatile Thread holder = this.acquirer;

	private final Instant acquiredAt = Instant.now();

	private final long acquiredAtNanos;

	private final AtomicInteger state = new AtomicInteger(HELD);

	private final AtomicBoolean closed = new AtomicBoolean();

	private final ReentrantLock leaseLock = new ReentrantLock();

	private final Validity validity;

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
		this.chain = LeaseChain.of(acquisition, engine.nodeCount());
		this.acquiredAtNanos = acquiredAtNanos;
		this.fencingToken = fencingToken;
		Duration ttl = engine.ttl(request.leaseTime());
		this.validity = new Validity(validUntilNanos, acquiredAtNanos + TimeUnit.MILLISECONDS.toNanos(ttl.toMillis()));
		this.keeper = new LeaseKeeper(this, engine, request, acquiredAtNanos, ttl);
	}

	@Override
	public String key() {
		return this.key;
	}

	@Override
	public boolean isValid() {
		return this.state.get() == HELD && System.nanoTime() - this.validity.validUntil() < 0;
	}

	@Override
	public Duration remaining() {
		if (this.state.get() != HELD) {
			return Duration.ZERO;
		}
		return Duration.ofNanos(Math.max(0, this.validity.validUntil() - System.nanoTime()));
	}

	@Override
	public OptionalLong fencingToken() {
		return (this.fencingToken > 0) ? OptionalLong.of(this.fencingToken) : OptionalLong.empty();
	}

	@Override
	public boolean extend(Duration leaseTime) {
		this.engine.checkLease(leaseTime);
		this.leaseLock.lock();
		try {
			if (this.state.get() != HELD) {
				return false;
			}
			this.keeper.asked(leaseTime);
			Duration ttl = this.engine.ttl(leaseTime);
			long start = System.nanoTime();
			if (extendLocked(ttl) != LeaseMath.Extended.YES) {
				return false;
			}
			this.keeper.extended(start, leaseTime, ttl);
			return true;
		}
		finally {
			this.leaseLock.unlock();
		}
	}

	/**
	 * One extension round; the caller holds {@link #leaseLock}. On failure the validity is cut to
	 * what the new lease would give if it is shorter, since some nodes may have applied it.
	 */
	private LeaseMath.Extended extendLocked(Duration leaseTime) {
		RedlockSettings settings = this.engine.settings();
		long timeout = this.validity.beginExtension(System.nanoTime(), leaseTime.toMillis(),
				settings.nodeTimeout().toNanos(), settings);
		if (timeout < 0) {
			return LeaseMath.Extended.NO;
		}
		LeaseOps.Extension result = this.engine.extend(this.keys, this.token, leaseTime.toMillis(), timeout,
				this.chain);
		this.chain = this.chain.then(result.round());
		return this.validity.extensionDecided(result.extended(), result.refused(), this.engine.quorum(),
				this.engine.nodeCount(), System.nanoTime());
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
		LeaseMath.Extended extended;
		this.leaseLock.lock();
		try {
			extended = (this.state.get() == HELD) ? extendLocked(leaseTime) : null;
		}
		finally {
			this.leaseLock.unlock();
		}
		then.accept(extended);
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
			this.leaseLock.lock();
			try {
				Thread interrupted = this.holder;
				if (!this.closed.get() && interrupted != null) {
					interrupted.interrupt();
				}
			}
			finally {
				this.leaseLock.unlock();
			}
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
		this.leaseLock.lock();
		try {
			if (!this.closed.compareAndSet(false, true)) {
				return;
			}
			this.state.compareAndSet(HELD, RELEASED);
			this.keeper.stop();
			long keepNanos = Math.max(keepFor.toNanos(),
					this.request.holdAtLeast().toNanos() - (System.nanoTime() - this.acquiredAtNanos));
			this.engine.release(this, snapshot(), this.keys, this.token, this.chain, keepNanos);
		}
		catch (RuntimeException ex) {
			logger.warn("Could not release lock '{}'; it expires with its lease", this.key, ex);
		}
		finally {
			this.leaseLock.unlock();
		}
	}

	/**
	 * What this lock looks like now, without its token.
	 */
	HeldLock snapshot() {
		return new HeldLock(this.request.name(), this.key, this.acquirer.getName(), this.acquiredAt,
				Duration.ofNanos(System.nanoTime() - this.acquiredAtNanos), remaining());
	}

	@Override
	public String toString() {
		return "LockHandle[" + this.key + ", valid for " + remaining().toMillis() + "ms]";
	}

}
