package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import dev.redlock.LockHandle;
import dev.redlock.LockRequest;

/**
 * The locks this engine holds now: granted, renewed while held, released or lost. What a handle
 * asks of the engine ({@link LeaseOps}) goes through here, so a handle never sees the rest.
 *
 * <p>No node is told a TTL longer than the restart guard's hold-out ({@link #ttl}): a node that
 * restarted empty is held out at least as long as the keys it forgot would have lived. Longer
 * leases are kept by renewal (in the handle), and a longer hold-at-least after the release by
 * {@link KeptReleases}.
 */
final class HeldLocks implements LeaseOps {

	private final Set<RedlockHandle> held = ConcurrentHashMap.newKeySet();

	private final Members members;

	private final LockCommands commands;

	private final EngineThreads threads;

	private final LockObserver observer;

	private final LocalWaiters waiters;

	private final RedlockSettings settings;

	private final Duration holdOut;

	private final String releaseChannel;

	private final KeptReleases kept;

	private volatile boolean closing;

	/** Signalled when the last held lock is gone, for a closing engine that waits for its holders. */
	private final ReentrantLock emptyLock = new ReentrantLock();

	private final Condition emptied = this.emptyLock.newCondition();

	HeldLocks(Members members, LockCommands commands, EngineThreads threads, LockObserver observer,
			LocalWaiters waiters, RedlockSettings settings, Duration holdOut, String releaseChannel) {
		this.members = members;
		this.commands = commands;
		this.threads = threads;
		this.observer = observer;
		this.waiters = waiters;
		this.settings = settings;
		this.holdOut = holdOut;
		this.releaseChannel = releaseChannel;
		this.kept = new KeptReleases(members, commands, threads, settings);
	}

	/**
	 * Makes the handle of a granted lock, and starts renewing it if asked.
	 */
	RedlockHandle granted(LockRequest request, List<String> fullKeys, String fullKey, String token,
			Round acquisition, long acquiredAtNanos, long validUntilNanos, long fencingToken) {
		RedlockHandle handle = new RedlockHandle(this, request, fullKeys, fullKey, token, acquisition,
				acquiredAtNanos, validUntilNanos, fencingToken);
		this.held.add(handle);
			handle.startRenewal();
		return handle;
	}

	/**
	 * Tells that a held lock was handed to asynchronous work: losing it must not interrupt the
	 * thread that acquired it.
	 */
	void handOff(LockHandle handle) {
		if (handle instanceof RedlockHandle redlockHandle) {
			redlockHandle.detachHolder();
		}
	}

	/** A snapshot of each held lock. */
	List<HeldLock> snapshot() {
		List<HeldLock> locks = new ArrayList<>(this.held.size());
		for (RedlockHandle handle : this.held) {
			locks.add(handle.snapshot());
		}
		return locks;
	}

	/**
	 * Waits until every held lock is released by its holder (or lost), at most {@code timeoutNanos}.
	 * @return whether none is held
	 */
	boolean awaitReleased(long timeoutNanos) {
		long deadline = System.nanoTime() + timeoutNanos;
		this.emptyLock.lock();
		try {
			while (!this.held.isEmpty()) {
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					return false;
				}
				this.emptied.awaitNanos(left);
			}
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return this.held.isEmpty();
		}
		finally {
			this.emptyLock.unlock();
		}
	}

	private void forget(LockHandle handle) {
		if (this.held.remove(handle) && this.held.isEmpty()) {
			this.emptyLock.lock();
			try {
				this.emptied.signalAll();
			}
			finally {
				this.emptyLock.unlock();
			}
		}
	}

	/**
	 * Releases every held lock, waiting for every node (within the node timeout) rather than a
	 * quorum: the nodes close next, and a release still in flight would leave its key for the lease.
	 */
	void closeAll() {
		this.closing = true;
		this.kept.close();
		for (RedlockHandle handle : List.copyOf(this.held)) {
			handle.close();
		}
	}

	@Override
	public RedlockSettings settings() {
		return this.settings;
	}

	@Override
	public int quorum() {
		return this.members.quorum;
	}

	@Override
	public int nodeCount() {
		return this.members.size();
	}

	/**
	 * The TTL a node is told for a lease: the lease, at most the restart guard's hold-out (at least
	 * 1 ms); without a guard, the lease.
	 */
	@Override
	public Duration ttl(Duration leaseTime) {
		if (this.holdOut == null || leaseTime.compareTo(this.holdOut) <= 0) {
			return leaseTime;
		}
		return (this.holdOut.toMillis() < 1) ? Duration.ofMillis(1) : this.holdOut;
	}

	@Override
	public void extend(List<String> keys, String token, long leaseMillis, long timeoutNanos, Preceding after,
			Consumer<Extension> then) {
		this.commands.extend(keys, token, leaseMillis, timeoutNanos, after, then);
	}

	@Override
	public void release(LockHandle handle, HeldLock lock, List<String> keys, String token, LeaseChain after,
			long keepNanos, Runnable then) {
		// forgotten once its release is sent, not before: closing waits for held locks to be
		// forgotten and then stops the threads and nodes a release still being sent needs
		try {
			long keepUntil = System.nanoTime() + keepNanos;
			// a hold-at-least longer than a node may be told: told the TTL now, kept by later steps
			long told = (keepNanos > 0) ? ttl(Duration.ofNanos(keepNanos)).toNanos() : keepNanos;
			Round[] round = new Round[1];
			long start = System.nanoTime();
			this.observer.release(lock,
					() -> round[0] = this.commands.release(keys, token, after, told,
							this.closing ? this.members.size() : this.members.quorum, this.releaseChannel));
			if (keepNanos <= 0) {
				this.waiters.released(keys);
			}
			else if (told < keepNanos && round[0] != null && !this.closing) {
				this.kept.keep(keys, token, after.then(round[0]), start, TimeUnit.NANOSECONDS.toMillis(told),
						keepUntil);
			}
		}
		finally {
			forget(handle);
			then.run();
		}
	}

	@Override
	public ScheduledFuture<?> scheduleRenewal(Runnable renewal, long delayNanos) {
		return this.threads.scheduleRenewal(renewal, delayNanos);
	}

	@Override
	public void lost(LockHandle handle, HeldLock lock) {
		forget(handle);
		this.observer.lockLost(lock);
	}

}
