package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.redlock.LockEngine;
import dev.redlock.LockHandle;
import dev.redlock.LockNotAcquiredException;
import dev.redlock.LockRequest;

/**
 * The Redlock engine: acquires a lock on a quorum ({@code N/2+1}) of independent Redis masters.
 *
 * <p>An attempt sends {@code SET key token NX PX lease} to every node in parallel, each bounded by
 * the node timeout, and decides as soon as a quorum is reached or can no longer be reached. The
 * lock is granted only if a quorum agreed and validity remains: {@code lease − elapsed −
 * (lease × driftFactor + 2 ms)}. A failed attempt is released on every node that may have set the
 * key, then retried after a jittered delay until the wait time is spent. Threads of one engine
 * that wait for the same key queue in the JVM, and only the head of the queue sends attempts; a
 * release by this engine wakes the waiters of its keys at once, and releases by other processes
 * reach them through Pub/Sub. Every attempt uses a fresh 128-bit random token, so a late release
 * of one attempt can never delete the key of a later one.
 *
 * <p>With a restart guard, nodes that restarted empty after they may have granted locks, that are
 * not armed yet, or that failed since they were last probed, do not count toward a quorum; the
 * engine then probes every node periodically.
 *
 * <p>This class builds the parts and is their facade; one lock call walks one way:
 * {@code Redlock → Acquisition → LockCommands → FanOut → LockNode}, and the handle it returns
 * reaches the engine only through {@link LeaseOps}.
 */
public final class Redlock implements LockEngine, AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(Redlock.class);

	private final RedlockSettings settings;

	private final KeySpace keys;

	/** {@code null} for {@link #disabled}: no nodes, and acquisitions take no lock. */
	private final Engine engine;

	/**
	 * Creates an engine with its own I/O threads, no observer and no restart guard.
	 * @param nodes the independent masters, at least one
	 * @param settings the settings
	 */
	public Redlock(List<? extends LockNode> nodes, RedlockSettings settings) {
		this(builder(nodes, settings));
	}

	private Redlock(RedlockSettings settings) {
		this.settings = Objects.requireNonNull(settings, "settings");
		this.keys = new KeySpace(settings.keyPrefix(), false);
		this.engine = null;
	}

	private Redlock(Builder builder) {
		Objects.requireNonNull(builder.nodes, "nodes");
		if (builder.nodes.isEmpty()) {
			throw new InvalidSettingException("nodes", builder.nodes, "at least one Redis master is needed; "
					+ "use an odd number of independent masters, such as 3 or 5");
		}
		this.settings = Objects.requireNonNull(builder.settings, "settings");
		Members members = new Members(List.copyOf(builder.nodes));
		this.keys = new KeySpace(this.settings.keyPrefix(), members.nodes.stream().anyMatch(LockNode::needsHashTags));
		this.engine = new Engine(members, this.keys, this.settings, builder.executor, builder.observers,
				builder.holdOut, builder.checkInterval, builder.releaseNotifications, builder.allowEvictingNodes);
	}

	/**
	 * An engine that takes no locks, for applications that switch locking off
	 * ({@code redlock.enabled=false}): it has no nodes and opens no connection, and every
	 * acquisition succeeds at once with a handle that stays valid until it is closed (extending it
	 * always succeeds; a fencing token, if asked for, comes from a counter of this process only,
	 * seeded from the wall clock). Code under such a "lock" runs with no mutual exclusion at all.
	 * @param settings the settings (lease and wait defaults, key prefix)
	 * @return the engine
	 */
	public static Redlock disabled(RedlockSettings settings) {
		return new Redlock(settings);
	}

	/**
	 * Whether this engine takes locks; {@code false} for {@link #disabled}.
	 * @return {@code true} for an engine over Redis nodes
	 */
	public boolean isEnabled() {
		return this.engine != null;
	}

	/**
	 * Starts building an engine.
	 * @param nodes the independent masters, at least one
	 * @param settings the settings
	 * @return a builder
	 */
	public static Builder builder(List<? extends LockNode> nodes, RedlockSettings settings) {
		return new Builder(nodes, settings);
	}

	/**
	 * The settings this engine runs with.
	 * @return the settings
	 */
	public RedlockSettings settings() {
		return this.settings;
	}

	/**
	 * The lease time of {@link RedlockSettings#leaseTime()}.
	 * @return the default lease time
	 */
	@Override
	public Duration defaultLeaseTime() {
		return this.settings.leaseTime();
	}

	/**
	 * The wait time of {@link RedlockSettings#waitTime()}.
	 * @return the default wait time
	 */
	@Override
	public Duration defaultWaitTime() {
		return this.settings.waitTime();
	}

	/**
	 * The nodes, in configuration order.
	 * @return the nodes
	 */
	public List<LockNode> nodes() {
		return isEnabled() ? this.engine.members.nodes : List.of();
	}

	/**
	 * How many nodes must agree: {@code N/2+1}.
	 * @return the quorum
	 */
	public int quorum() {
		return isEnabled() ? this.engine.members.quorum : 0;
	}

	/**
	 * The restart guard's hold-out, if this engine has a restart guard: how long a node that
	 * restarted empty after it may have granted locks is kept out of the quorum. A lease must not
	 * be longer.
	 * @return the hold-out, or empty without a guard
	 */
	public Optional<Duration> restartGuardHoldOut() {
		return isEnabled() ? this.engine.health.holdOut() : Optional.empty();
	}

	/**
	 * {@link #acquire(LockRequest)} for a lock named after its key ({@link LockRequest#nameOf}).
	 * @param key the lock key, without the key prefix
	 * @param leaseTime the lease time, positive
	 * @param waitTime how long to keep trying, zero or positive
	 * @return the held lock
	 * @throws LockNotAcquiredException as {@link #acquire(LockRequest)}
	 */
	public LockHandle acquire(String key, Duration leaseTime, Duration waitTime) {
		return acquire(LockRequest.of(key, leaseTime, waitTime));
	}

	/**
	 * Acquires a lock, retrying until the wait time is spent.
	 * @param request the lock
	 * @return the held lock
	 * @throws LockNotAcquiredException if no quorum was reached within the wait time, or the
	 * thread was interrupted while waiting (then its interrupt flag is set again)
	 */
	@Override
	public LockHandle acquire(LockRequest request) {
		return acquire(request, this.keys.fullKeys(request.keys()));
	}

	/**
	 * {@link #acquire(LockRequest)} with the full keys the caller computed already by
	 * {@link #fullKey}, so that a call computes them once.
	 * @param request the lock
	 * @param fullKeys the full key of each of the request's keys, in the order of its keys
	 * @return the held lock
	 * @throws LockNotAcquiredException as {@link #acquire(LockRequest)}
	 * @throws IllegalArgumentException if there is not one full key per key
	 */
	@Override
	public LockHandle acquire(LockRequest request, List<String> fullKeys) {
		Objects.requireNonNull(fullKeys, "fullKeys");
		if (fullKeys.size() != request.keys().size()) {
			throw new IllegalArgumentException("fullKeys must hold one full key per key of " + request.key()
					+ ", not " + fullKeys);
		}
		if (!isEnabled()) {
			RedlockSettings.requirePositive("leaseTime", request.leaseTime());
			return new UnlockedHandle(request, fullKeys);
		}
		return this.engine.acquire(request, fullKeys);
	}

	/**
	 * Tries to acquire a lock, retrying until the wait time is spent.
	 * @param request the lock
	 * @return the held lock, or empty if no quorum was reached within the wait time
	 */
	@Override
	public Optional<LockHandle> tryAcquire(LockRequest request) {
		try {
			return Optional.of(acquire(request));
		}
		catch (LockNotAcquiredException ex) {
			logger.debug("{}", ex.getMessage());
			return Optional.empty();
		}
	}

	/**
	 * {@link #tryAcquire(LockRequest)} for a lock named after its key.
	 * @param key the lock key, without the key prefix
	 * @param leaseTime the lease time, positive
	 * @param waitTime how long to keep trying, zero or positive
	 * @return the held lock, or empty if no quorum was reached within the wait time
	 */
	public Optional<LockHandle> tryAcquire(String key, Duration leaseTime, Duration waitTime) {
		return tryAcquire(LockRequest.of(key, leaseTime, waitTime));
	}

	/**
	 * The Redis key of a lock key: the key prefix and the key, or, for a key longer than 512 bytes
	 * in UTF-8, the prefix and {@code sha256:} with the key's SHA-256 in hex, so that any key,
	 * however long, is a short, fixed-size Redis key.
	 * @param key the lock key
	 * @return the full Redis key
	 * @throws IllegalArgumentException if the key ends with {@code :fencing}, the suffix of
	 * fencing counters
	 */
	@Override
	public String fullKey(String key) {
		return this.keys.fullKey(key);
	}

	/**
	 * Tells the engine that a held lock was handed to asynchronous work, so that losing it does
	 * not interrupt the thread that acquired it (which has moved on), even with
	 * {@link RedlockSettings#interruptOnLoss()}.
	 * @param handle a handle from this engine
	 */
	@Override
	public void handOff(LockHandle handle) {
		if (isEnabled()) {
			this.engine.held.handOff(handle);
		}
	}

	/**
	 * The locks this engine holds now: acquired and not yet released.
	 * @return a snapshot of each
	 */
	public List<HeldLock> heldLocks() {
		return isEnabled() ? this.engine.held.snapshot() : List.of();
	}

	/**
	 * Probes every node in parallel: a canary lock, and what the node says about itself. Each
	 * command is bounded by the node timeout. Updates the restart guard.
	 * @return one status per node, in configuration order, with the guard's verdict in
	 * {@link NodeStatus#problem()} for held-out nodes
	 */
	public List<NodeStatus> probe() {
		return isEnabled() ? this.engine.health.probe() : List.of();
	}

	/**
	 * How many nodes this engine hears releases from: only while a thread waits to retry a lock, and
	 * an idle spell after the last one ({@link ReleaseNotifications#IDLE_SPELL}); 0 otherwise.
	 * @return the number of active release subscriptions
	 */
	int releaseListeners() {
		return this.engine.releaseListeners();
	}

	/**
	 * How many keys have threads of this engine queued or waiting: zero once nobody waits.
	 * @return the number of entries the engine keeps for waiters
	 */
	int waitingKeys() {
		return this.engine.waitingKeys();
	}

	/**
	 * Releases every held lock, and closes every node and, if the engine created them, its threads.
	 */
	@Override
	public void close() {
		if (isEnabled()) {
			this.engine.close();
		}
	}

	/**
	 * Builds a {@link Redlock}.
	 */
	public static final class Builder {

		private final List<? extends LockNode> nodes;

		private final RedlockSettings settings;

		private ExecutorService executor;

		private final List<LockObserver> observers = new ArrayList<>();

		private Duration holdOut;

		private Duration checkInterval;

		private boolean releaseNotifications = true;

		private boolean allowEvictingNodes;

		private Builder(List<? extends LockNode> nodes, RedlockSettings settings) {
			this.nodes = nodes;
			this.settings = settings;
		}

		/**
		 * Runs node calls on this executor instead of the engine's own daemon threads. It must
		 * not queue calls behind each other (a cached pool or virtual threads); the caller shuts it
		 * down.
		 * @param executor the executor
		 * @return this builder
		 */
		public Builder executor(ExecutorService executor) {
			this.executor = executor;
			return this;
		}

		/**
		 * Reports acquisitions, releases, node failures and lost locks to an observer, after the
		 * observers added before it.
		 * @param observer the observer
		 * @return this builder
		 */
		public Builder observer(LockObserver observer) {
			this.observers.add(Objects.requireNonNull(observer, "observer"));
			return this;
		}

		/**
		 * Turns the restart guard on: nodes are armed before they count (a node that was never
		 * armed at once), a node that restarted empty after it may have granted locks is held out of
		 * the quorum for {@code holdOut}, and every node is probed every {@code checkInterval}.
		 * @param holdOut how long a restarted node is held out; also the longest TTL a node is told
		 * (a longer lease is kept alive by renewal up to its end)
		 * @param checkInterval how often the nodes are probed
		 * @return this builder
		 */
		public Builder restartGuard(Duration holdOut, Duration checkInterval) {
			this.holdOut = RedlockSettings.requireNotNegative("restartGuard.holdOut", holdOut);
			this.checkInterval = RedlockSettings.requirePositive("restartGuard.checkInterval", checkInterval);
			return this;
		}

		/**
		 * Whether releases of held locks are announced on the nodes ({@code PUBLISH} on
		 * {@code <key-prefix>__redlock_released__}, inside the release script) and waiting threads
		 * listen for them, so that a waiter in another process tries again at once instead of after
		 * the retry delay. An engine listens (one connection per node) only while it has a thread
		 * waiting to retry, and a few seconds after. On by default; waiters in this process are woken
		 * either way.
		 * @param enabled {@code false} to rely on the retry delay alone
		 * @return this builder
		 */
		public Builder releaseNotifications(boolean enabled) {
			this.releaseNotifications = enabled;
			return this;
		}

		/**
		 * Whether nodes that may evict keys count toward a quorum. A node with {@code maxmemory}
		 * set and a {@code maxmemory-policy} other than {@code noeviction} may drop a held lock or a
		 * fencing counter under memory pressure; by default such a node is held out of the quorum
		 * (seen at every probe) with a warning. Allowing it keeps the warning and accepts the risk.
		 * @param allowed {@code true} to count nodes that may evict keys
		 * @return this builder
		 */
		public Builder allowEvictingNodes(boolean allowed) {
			this.allowEvictingNodes = allowed;
			return this;
		}

		/**
		 * Builds the engine; with a restart guard, probes every node once before it returns.
		 * @return the engine
		 */
		public Redlock build() {
			return new Redlock(this);
		}

	}

}
