package dev.redlock.integration;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.springframework.integration.support.locks.DistributedLock;
import org.springframework.integration.support.locks.ExpirableLockRegistry;
import org.springframework.integration.support.locks.RenewableLockRegistry;
import org.springframework.scheduling.TaskScheduler;

import dev.redlock.LockHandle;
import dev.redlock.LockRequest;
import dev.redlock.core.Redlock;

/**
 * A Spring Integration lock registry whose locks are Redlock locks on a quorum of independent
 * Redis masters (Spring Integration's {@code RedisLockRegistry} uses one Redis server). Use it
 * wherever a {@code LockRegistry} goes: aggregators, {@code LockRegistryLeaderInitiator} for
 * leader election, {@code executeLocked}.
 *
 * <p>{@link #obtain(Object)} returns, for each key, the same {@link DistributedLock}:
 * <ul>
 * <li>Owned by a thread and reentrant: only the holding thread may unlock it, and the lock is
 * released on the nodes when the last hold is given up. The Redis key is
 * {@code <redlock.key-prefix><registryKey>:<lockKey>}.</li>
 * <li>A lock lives for its time to live (the registry's {@code expireAfter}, or the TTL given to
 * {@link DistributedLock#lock(Duration)} and {@link DistributedLock#tryLock(Duration, Duration)}),
 * renewed only if renewal is switched on ({@link #setAutoRenew}) or by
 * {@link #renewLock(Object)}.</li>
 * <li>Locking again from the holding thread extends the lease to the TTL (so the
 * {@code tryLock} heart beat of leader election keeps the lock); if the lease has run out
 * meanwhile, the thread's earlier holds are void and the lock is taken anew.</li>
 * <li>{@link java.util.concurrent.locks.Lock#unlock() unlock()} by a thread that does not hold the
 * lock throws {@link IllegalMonitorStateException}; unlocking a lock whose lease ran out throws
 * {@link java.util.ConcurrentModificationException} (another holder may have had it meanwhile).</li>
 * </ul>
 */
public class RedlockLockRegistry
		implements RenewableLockRegistry<DistributedLock>, ExpirableLockRegistry<DistributedLock> {

	/** The registry key used when none is given. */
	public static final String DEFAULT_REGISTRY_KEY = "integration";

	/** How many unlocked locks the registry keeps before it forgets some. */
	static final int CAPACITY = 100_000;

	private final Redlock redlock;

	private final String registryKey;

	private final Duration expireAfter;

	private final ConcurrentMap<String, RedlockLock> locks = new ConcurrentHashMap<>();

	private volatile boolean autoRenew;

	/**
	 * Creates a registry with the default registry key and the engine's lease time as the time to
	 * live.
	 * @param redlock the engine
	 */
	public RedlockLockRegistry(Redlock redlock) {
		this(redlock, DEFAULT_REGISTRY_KEY, redlock.settings().leaseTime());
	}

	/**
	 * Creates a registry.
	 * @param redlock the engine
	 * @param registryKey the part of each Redis key before the lock key; also the locks' name in
	 * metrics
	 * @param expireAfter the default time to live of a lock, positive
	 */
	public RedlockLockRegistry(Redlock redlock, String registryKey, Duration expireAfter) {
		this.redlock = Objects.requireNonNull(redlock, "redlock");
		if (registryKey == null || registryKey.isBlank()) {
			throw new IllegalArgumentException("registryKey must not be blank");
		}
		Objects.requireNonNull(expireAfter, "expireAfter");
		if (expireAfter.isNegative() || expireAfter.isZero()) {
			throw new IllegalArgumentException("expireAfter must be positive, but was " + expireAfter);
		}
		this.registryKey = registryKey;
		this.expireAfter = expireAfter;
	}

	/**
	 * The lock for a key: the same lock object for the same key while it is held or recently used.
	 * @param lockKey a non-blank {@link String}
	 * @return the lock
	 * @throws IllegalArgumentException if the key is not a non-blank string
	 */
	@Override
	public DistributedLock obtain(Object lockKey) {
		if (!(lockKey instanceof String key) || key.isBlank()) {
			throw new IllegalArgumentException("RedlockLockRegistry.obtain needs a non-blank String key, but got "
					+ ((lockKey != null) ? lockKey.getClass().getName() + " '" + lockKey + "'" : "null"));
		}
		RedlockLock lock = this.locks.computeIfAbsent(key, (k) -> new RedlockLock(this, k));
		lock.touch();
		if (this.locks.size() > CAPACITY) {
			this.locks.values().removeIf((other) -> other != lock && !other.isAcquiredInThisProcess());
		}
		return lock;
	}

	/**
	 * Forgets locks that no thread holds and that were last obtained more than {@code age} ago.
	 * @param age milliseconds
	 */
	@Override
	public void expireUnusedOlderThan(long age) {
		long now = System.currentTimeMillis();
		this.locks.values().removeIf((lock) -> now - lock.lastUsed() >= age && !lock.isAcquiredInThisProcess());
	}

	/**
	 * Sets the lease of a lock that the current thread holds to the time to live it was taken with.
	 * @param lockKey the key
	 * @throws IllegalStateException if the current thread does not hold the lock, or a quorum of
	 * nodes could not confirm the new lease before the current one ran out
	 */
	@Override
	public void renewLock(Object lockKey) {
		heldLock(lockKey).renew(null);
	}

	/**
	 * Sets the lease of a lock that the current thread holds to {@code ttl} from now.
	 * @param lockKey the key
	 * @param ttl the new time to live, positive
	 * @throws IllegalStateException if the current thread does not hold the lock, or a quorum of
	 * nodes could not confirm the new lease before the current one ran out
	 */
	@Override
	public void renewLock(Object lockKey, Duration ttl) {
		Objects.requireNonNull(ttl, "ttl");
		heldLock(lockKey).renew(ttl);
	}

	private RedlockLock heldLock(Object lockKey) {
		RedlockLock lock = (lockKey instanceof String key) ? this.locks.get(key) : null;
		if (lock == null || !lock.isHeldByCurrentThread()) {
			throw new IllegalStateException("Cannot renew lock '" + lockKey + "': the current thread does not hold it");
		}
		return lock;
	}

	/**
	 * Switches renewal on: while a lock is held, the engine extends its lease about every third of
	 * its time to live, on a quorum, until {@code redlock.renewal.max-hold-time}. The engine renews
	 * with its own scheduler; {@code renewalTaskScheduler} is not used.
	 * @param renewalTaskScheduler ignored, except that it must not be {@code null}
	 */
	@Override
	public void setRenewalTaskScheduler(TaskScheduler renewalTaskScheduler) {
		Objects.requireNonNull(renewalTaskScheduler, "renewalTaskScheduler");
		setAutoRenew(true);
	}

	/**
	 * Whether locks taken from now on are renewed while held (off by default: a lock then expires
	 * after its time to live unless locked again or {@link #renewLock renewed}). Leave it off for
	 * leader election: the initiator's heart beat extends the lease, and a leader that stops
	 * beating should lose it.
	 * @param autoRenew whether to renew
	 */
	public void setAutoRenew(boolean autoRenew) {
		this.autoRenew = autoRenew;
	}

	/**
	 * The default time to live of a lock.
	 * @return the time to live
	 */
	public Duration getExpireAfter() {
		return this.expireAfter;
	}

	/**
	 * The part of each Redis key before the lock key.
	 * @return the registry key
	 */
	public String getRegistryKey() {
		return this.registryKey;
	}

	LockRequest request(String lockKey, Duration ttl, Duration wait) {
		return new LockRequest(this.registryKey, List.of(this.registryKey + ":" + lockKey), ttl, wait, this.autoRenew,
				null, Duration.ZERO, false);
	}

	Redlock redlock() {
		return this.redlock;
	}

	LockHandle acquire(LockRequest request) {
		return this.redlock.tryAcquire(request).orElse(null);
	}

	@Override
	public String toString() {
		return "RedlockLockRegistry[registryKey=" + this.registryKey + ", expireAfter=" + this.expireAfter + "]";
	}

}
