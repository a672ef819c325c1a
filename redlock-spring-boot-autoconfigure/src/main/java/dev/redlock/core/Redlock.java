package dev.redlock.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.atomic.AtomicLongArray;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.redlock.LockHandle;
import dev.redlock.LockNotAcquiredException;
import dev.redlock.LockRequest;
import dev.redlock.NodeOutcome;
import dev.redlock.NodeOutcome.Status;

/**
 * The Redlock engine: acquires a lock on a quorum ({@code N/2+1}) of independent Redis masters.
 *
 * <p>An attempt sends {@code SET key token NX PX lease} to every node in parallel, each bounded by
 * the node timeout, and decides as soon as a quorum is reached or can no longer be reached. The
 * lock is granted only if a quorum agreed and validity remains: {@code lease − elapsed −
 * (lease × driftFactor + 2 ms)}. A failed attempt is released on every node (also those whose
 * answer may have been lost), then retried after a jittered delay until the wait time is spent.
 * Threads of one engine that wait for the same key queue in the JVM, and only the head of the
 * queue sends attempts; a release by this engine wakes the waiters of its keys at once, so a lock
 * passes between the threads of a process without a retry delay.
 * Every attempt uses a fresh 128-bit random token, so a late release of one attempt can never
 * delete the key of a later one.
 *
 * <p>With a {@link RestartGuard}, nodes that restarted within the guard's hold-out time, or that
 * failed since they were last probed, do not count toward a quorum; the engine then probes every
 * node periodically.
 */
public final class Redlock implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(Redlock.class);

	private static final SecureRandom RANDOM = new SecureRandom();

	/** Lock keys longer than this many bytes (UTF-8) are stored as their SHA-256. */
	public static final int MAX_KEY_BYTES = 512;

	/**
	 * The key (after the key prefix) of the marker that arms a node: a node grants locks only
	 * while it exists, and a restart without persistence wipes it (see {@link RestartGuard}).
	 */
	public static final String ARMED_MARKER = "__redlock_armed__";

	/** Appended to a lock's key to name its fencing counter. */
	public static final String FENCING_SUFFIX = ":fencing";

	/**
	 * The Pub/Sub channel (after the key prefix) on which releases of held locks are announced,
	 * with the released key as the message.
	 */
	public static final String RELEASE_CHANNEL_SUFFIX = "__redlock_released__";

	private static final long MIN_HEAD_START_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

	/** The key (after the key prefix) of the ticket that arming a node sets first. */
	static final String ARMING_TICKET = "__redlock_arming__";

	/** The prefix (after the key prefix) of the registry of armed node incarnations. */
	static final String REGISTRY_PREFIX = "__redlock_registry__:";

	/** The key of the canary lock that probes set and delete. */
	public static final String CANARY_KEY_SUFFIX = "__redlock_probe__";

	private final List<LockNode> nodes;

	/** Per node, its capabilities, or {@code null} where it lacks one. */
	private final FencedNode[] fenced;

	private final ArmableNode[] armable;

	private final AnnouncingNode[] announcing;

	private final NodeExchange[] exchanges;

	private final RedlockSettings settings;

	private final ExecutorService executor;

	private final boolean ownsExecutor;

	private final FanOut fanOut;

	private final int quorum;

	private final LockObserver observer;

	private final RestartGuard restartGuard;

	private final Arming arming;

	private final NodeAvailability availability;

	private final ScheduledExecutorService monitor;

	private final ScheduledExecutorService renewals;

	private final Set<RedlockHandle> held = ConcurrentHashMap.newKeySet();

	private final boolean hashTags;

	private final ReentrantLock probeLock = new ReentrantLock();

	private final LocalWaiters waiters = new LocalWaiters();

	/** Where releases of held locks are announced, or {@code null} if they are not. */
	private final String releaseChannel;

	private final List<AnnouncingNode.Subscription> releaseSubscriptions = new CopyOnWriteArrayList<>();

	private final AtomicBoolean listening = new AtomicBoolean();

	/** {@code false} for {@link #disabled}: no nodes, and acquisitions take no lock. */
	private final boolean enabled;

	/**
	 * Creates an engine with its own I/O threads, no observer and no restart guard.
	 * @param nodes the independent masters, at least one
	 * @param settings the settings
	 */
	public Redlock(List<? extends LockNode> nodes, RedlockSettings settings) {
		this(builder(nodes, settings));
	}

	private Redlock(RedlockSettings settings) {
		this.enabled = false;
		this.nodes = List.of();
		this.fenced = new FencedNode[0];
		this.armable = new ArmableNode[0];
		this.announcing = new AnnouncingNode[0];
		this.exchanges = new NodeExchange[0];
		this.settings = Objects.requireNonNull(settings, "settings");
		this.executor = null;
		this.ownsExecutor = false;
		this.quorum = 0;
		this.hashTags = false;
		this.releaseChannel = null;
		this.fanOut = null;
		this.observer = LockObserver.NONE;
		this.restartGuard = null;
		this.arming = null;
		this.availability = null;
		this.monitor = null;
		this.renewals = null;
	}

	private Redlock(Builder builder) {
		this.enabled = true;
		Objects.requireNonNull(builder.nodes, "nodes");
		if (builder.nodes.isEmpty()) {
			throw new InvalidSettingException("nodes", builder.nodes, "at least one Redis master is needed; "
					+ "use an odd number of independent masters, such as 3 or 5");
		}
		this.nodes = List.copyOf(builder.nodes);
		this.fenced = capabilities(this.nodes, FencedNode.class, new FencedNode[0]);
		this.armable = capabilities(this.nodes, ArmableNode.class, new ArmableNode[0]);
		this.announcing = capabilities(this.nodes, AnnouncingNode.class, new AnnouncingNode[0]);
		this.exchanges = capabilities(this.nodes, NodeExchange.class, new NodeExchange[0]);
		this.settings = Objects.requireNonNull(builder.settings, "settings");
		this.ownsExecutor = builder.executor == null;
		this.executor = (builder.executor != null) ? builder.executor : newExecutor();
		this.quorum = this.nodes.size() / 2 + 1;
		this.hashTags = this.nodes.stream().anyMatch(LockNode::needsHashTags);
		this.releaseChannel = builder.releaseNotifications ? this.settings.keyPrefix() + RELEASE_CHANNEL_SUFFIX : null;
		this.availability = new NodeAvailability(this.nodes, this.quorum);
		this.fanOut = new FanOut(this.nodes, this.executor, this.settings.nodeTimeout().toNanos(),
				new FanOut.FailureListener() {

					@Override
					public void failed(int index, NodeOutcome outcome, Throwable error) {
						nodeFailed(index, outcome, error);
					}

					@Override
					public void answered(int index) {
						Redlock.this.availability.answered(index);
					}

				});
		this.observer = CompositeLockObserver.of(builder.observers);
		ScheduledThreadPoolExecutor renewals = new ScheduledThreadPoolExecutor(1, daemon("redlock-renewal-"));
		// a released lock's renewal is removed at once, not kept queued until its time
		renewals.setRemoveOnCancelPolicy(true);
		// a task due within a second always heads the queue, so a new renewal (due lease / 3 later)
		// does not become the head, which would wake the renewal thread at every acquisition
		renewals.scheduleWithFixedDelay(Redlock::keepRenewalQueueHead, 1, 1, TimeUnit.SECONDS);
		this.renewals = renewals;
		if (builder.holdOut != null) {
			this.restartGuard = new RestartGuard(builder.holdOut, builder.checkInterval, this.nodes.size(),
					System.nanoTime());
			this.arming = new Arming(this.nodes, this.armable, this.settings.keyPrefix(), builder.holdOut, Ticker.SYSTEM);
			ArmableNode.Keys keys = new ArmableNode.Keys(this.settings.keyPrefix() + ARMED_MARKER,
					this.settings.keyPrefix() + ARMING_TICKET, this.settings.keyPrefix() + REGISTRY_PREFIX);
			for (ArmableNode node : this.armable) {
				if (node != null) {
					node.requireArming(keys);
				}
			}
			probe();
			this.monitor = Executors.newSingleThreadScheduledExecutor(daemon("redlock-monitor-"));
			long interval = builder.checkInterval.toMillis();
			this.monitor.scheduleWithFixedDelay(this::probeQuietly, interval, interval, TimeUnit.MILLISECONDS);
		}
		else {
			this.restartGuard = null;
			this.arming = null;
			this.monitor = null;
		}
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
		return this.enabled;
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

	private static <T> T[] capabilities(List<LockNode> nodes, Class<T> type, T[] empty) {
		T[] found = java.util.Arrays.copyOf(empty, nodes.size());
		for (int i = 0; i < found.length; i++) {
			found[i] = nodes.get(i).capability(type).orElse(null);
		}
		return found;
	}

	private static ThreadFactory daemon(String prefix) {
		AtomicInteger count = new AtomicInteger();
		return (task) -> {
			Thread thread = new Thread(task, prefix + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

	private static ExecutorService newExecutor() {
		return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
				daemon("redlock-io-"));
	}

	/**
	 * The settings this engine runs with.
	 * @return the settings
	 */
	public RedlockSettings settings() {
		return this.settings;
	}

	/**
	 * The nodes, in configuration order.
	 * @return the nodes
	 */
	public List<LockNode> nodes() {
		return this.nodes;
	}

	/**
	 * How many nodes must agree: {@code N/2+1}.
	 * @return the quorum
	 */
	public int quorum() {
		return this.quorum;
	}

	/**
	 * The restart guard's hold-out, if this engine has a restart guard: how long a node that
	 * restarted empty after it may have granted locks is kept out of the quorum. A lease must not
	 * be longer.
	 * @return the hold-out, or empty without a guard
	 */
	public Optional<Duration> restartGuardHoldOut() {
		return Optional.ofNullable(this.restartGuard).map(RestartGuard::holdOut);
	}

	/**
	 * Acquires a lock, retrying until the wait time is spent; the lock is named after its key
	 * ({@link LockRequest#nameOf}).
	 * @param key the lock key, without the key prefix
	 * @param leaseTime the lease time, positive
	 * @param waitTime how long to keep trying, zero or positive
	 * @return the held lock
	 * @throws LockNotAcquiredException if no quorum was reached within the wait time, or the
	 * thread was interrupted while waiting (then its interrupt flag is set again)
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
	public LockHandle acquire(LockRequest request) {
		checkLease(request.leaseTime());
		for (String key : request.keys()) {
			if (key.endsWith(FENCING_SUFFIX)) {
				throw new IllegalArgumentException("Lock key '" + key + "' ends with '" + FENCING_SUFFIX
						+ "', which names fencing counters; choose another key");
			}
		}
		if (!this.enabled) {
			return new UnlockedHandle(request, request.keys().stream().map(this::fullKey).toList());
		}
		LockHandle[] acquired = new LockHandle[1];
		try {
			return this.observer.acquisition(request, () -> {
				acquired[0] = doAcquire(request);
				return acquired[0];
			});
		}
		catch (RuntimeException | Error ex) {
			if (acquired[0] != null) {
				acquired[0].close();
			}
			throw ex;
		}
	}

	/**
	 * Tries to acquire a lock, retrying until the wait time is spent.
	 * @param request the lock
	 * @return the held lock, or empty if no quorum was reached within the wait time
	 */
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
	 * Tries to acquire a lock named after its key, retrying until the wait time is spent.
	 * @param key the lock key, without the key prefix
	 * @param leaseTime the lease time, positive
	 * @param waitTime how long to keep trying, zero or positive
	 * @return the held lock, or empty if no quorum was reached within the wait time
	 */
	public Optional<LockHandle> tryAcquire(String key, Duration leaseTime, Duration waitTime) {
		return tryAcquire(LockRequest.of(key, leaseTime, waitTime));
	}

	private LockHandle doAcquire(LockRequest request) {
		List<String> fullKeys = request.keys().stream().map(this::fullKey).toList();
		String fullKey = String.join(",", fullKeys);
		if (request.fencing() && fullKeys.size() > 1) {
			throw new IllegalArgumentException("Fencing tokens are issued for single-key locks only, not for " + fullKey);
		}
		long deadline = System.nanoTime() + request.waitTime().toNanos();
		if (request.waitTime().isZero()) {
			return attemptUntil(request, fullKeys, fullKey, deadline, null);
		}
		// threads of this process that want the same key queue here, and only the head asks the nodes
		LocalWaiters.Turn turn = null;
		if (fullKeys.size() == 1) {
			try {
				turn = this.waiters.awaitTurn(fullKey, deadline - System.nanoTime());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new LockNotAcquiredException(fullKey, this.quorum, 0,
						"interrupted while queued behind another thread of this process waiting for the same key",
						List.of(), ex);
			}
			// no turn within the wait time: still one attempt, so that the answer names the nodes
		}
		Semaphore wakeUp = this.waiters.register(fullKeys);
		try {
			return attemptUntil(request, fullKeys, fullKey, deadline, wakeUp);
		}
		finally {
			this.waiters.cancel(fullKeys, wakeUp);
			if (turn != null) {
				turn.close();
			}
		}
	}

	/**
	 * Attempts until a lock is granted or the deadline has passed. Between attempts, waits the
	 * retry delay, or less if this engine releases one of the keys meanwhile ({@code wakeUp}).
	 */
	private LockHandle attemptUntil(LockRequest request, List<String> fullKeys, String fullKey, long deadline,
			Semaphore wakeUp) {
		String counterKey = fullKeys.get(0) + FENCING_SUFFIX;
		long leaseNanos = request.leaseTime().toNanos();
		long leaseMillis = request.leaseTime().toMillis();
		int attempts = 0;
		boolean splitVote = false;
		while (true) {
			attempts++;
			if (wakeUp != null) {
				// only a release from now on is news
				wakeUp.drainPermits();
			}
			String token = newToken();
			long start = System.nanoTime();
			List<String> heldOut = (this.restartGuard != null) ? this.restartGuard.heldOut(start) : null;
			AtomicLongArray counters = new AtomicLongArray(this.nodes.size());
			FanOut.NodeCall acquire = new FanOut.NodeCall() {

				@Override
				public boolean call(int index, LockNode node) {
					requireCounted(index);
					if (!request.fencing()) {
						return node.tryAcquire(fullKeys, token, leaseMillis);
					}
					long counter = fenced(index).tryAcquireFenced(fullKeys.get(0), token, leaseMillis, counterKey);
					counters.set(index, counter);
					return counter >= 0;
				}

				@Override
				public Exchange start(int index, LockNode node) {
					if (request.fencing() || fullKeys.size() != 1 || Redlock.this.exchanges[index] == null) {
						return null;
					}
					requireCounted(index);
					return Redlock.this.exchanges[index].startTryAcquire(fullKeys.get(0), token, leaseMillis);
				}

				private void requireCounted(int index) {
					if (heldOut != null && heldOut.get(index) != null) {
						throw NodeFailure.notSent(NodeFailure.Kind.HELD_OUT, heldOut.get(index));
					}
				}

			};
			FanOut.Round round = this.fanOut.run(gateOnFirstNode(splitVote) ? firstNodeFirst(acquire) : acquire,
					this.quorum, null);
			List<NodeOutcome> outcomes = round.outcomes(Status.ACQUIRED, Status.HELD_BY_OTHER);
			long validUntil = start + leaseNanos - this.settings.driftNanos(leaseNanos);
			boolean quorumReached = FanOut.Round.count(outcomes, Status.ACQUIRED) >= this.quorum;
			String reason;
			if (!quorumReached) {
				reason = "quorum not reached";
			}
			else if (System.nanoTime() - validUntil >= 0) {
				reason = "validity used up (the attempt took " + Duration.ofNanos(System.nanoTime() - start).toMillis()
						+ "ms of a " + leaseMillis + "ms lease)";
			}
			else {
				long fence = request.fencing()
						? writeFence(fullKeys.get(0), counterKey, token, outcomes, counters, validUntil) : 0;
				if (fence >= 0) {
					RedlockHandle handle = new RedlockHandle(this, request, fullKeys, token, round, start, validUntil,
							fence);
					this.held.add(handle);
					if (this.settings.renewal() && request.autoRenew()) {
						handle.startRenewal();
					}
					return handle;
				}
				reason = "fencing token not recorded on a quorum within the validity time";
			}
			release(fullKeys, token, round, 0);
			// the release waited for the nodes left behind by an early decision: report their answers too
			outcomes = round.outcomes(Status.ACQUIRED, Status.HELD_BY_OTHER);
			// a split vote: some nodes granted, others held by another contender
			splitVote = FanOut.Round.count(outcomes, Status.HELD_BY_OTHER) > 0
					&& FanOut.Round.count(outcomes, Status.ACQUIRED) > 0;
			long left = deadline - System.nanoTime();
			if (left <= 0) {
				throw new LockNotAcquiredException(fullKey, this.quorum, attempts, reason, outcomes, null);
			}
			String hopeless = quorumOutOfReach(deadline);
			if (hopeless != null) {
				throw new LockNotAcquiredException(fullKey, this.quorum, attempts, reason + "; " + hopeless, outcomes,
						null);
			}
			try {
				long delay = Math.min(left, retryDelayNanos());
				if (wakeUp != null) {
					listenForReleases();
					wakeUp.tryAcquire(delay, TimeUnit.NANOSECONDS);
				}
				else {
					TimeUnit.NANOSECONDS.sleep(delay);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new LockNotAcquiredException(fullKey, this.quorum, attempts,
						reason + ", then interrupted while waiting to retry", outcomes, ex);
			}
		}
	}

	/**
	 * Why no quorum can count before {@code deadline}, or {@code null} if one may: with the restart
	 * guard, each node's soonest time to count is known (now, the end of its hold-out, or the next
	 * probe), so a wait that cannot succeed ends at once instead of keeping the caller's thread.
	 */
	private String quorumOutOfReach(long deadline) {
		if (this.restartGuard == null) {
			return null;
		}
		long now = System.nanoTime();
		int counting = 0;
		StringBuilder late = new StringBuilder();
		for (int i = 0; i < this.nodes.size(); i++) {
			if (this.restartGuard.countsAt(i, now) - deadline < 0) {
				counting++;
			}
			else {
				late.append((late.length() > 0) ? ", " : "").append(this.nodes.get(i).name()).append(": ")
					.append(this.restartGuard.heldOut(i, now));
			}
		}
		if (counting >= this.quorum) {
			return null;
		}
		return "a quorum cannot be reached before the wait time ends: only " + counting + " of " + this.nodes.size()
				+ " nodes can count by then (" + late + ")";
	}

	/**
	 * An attempt after a split vote: asks the first node alone, then the others. Contenders so meet
	 * at the first node: the one that has it reaches the others first, because one that was
	 * refused there sends to the others only after a head start of two of the first node's round
	 * trips (not never, so that a stale key on the first node cannot keep a free majority from
	 * being taken).
	 */
	private boolean gateOnFirstNode(boolean splitVote) {
		// a slow first node would hold up every such attempt: then all nodes are asked at once
		return splitVote && this.nodes.size() > 1
				&& this.fanOut.recentLatencyNanos(0) <= this.settings.nodeTimeout().toNanos() / 4;
	}

	private FanOut.NodeCall firstNodeFirst(FanOut.NodeCall acquire) {
		LockNode first = this.nodes.get(0);
		boolean taken = false;
		RuntimeException failed = null;
		try {
			taken = acquire.call(0, first);
		}
		catch (RuntimeException ex) {
			failed = ex;
		}
		if (failed == null && !taken) {
			long headStart = Math.min(this.settings.nodeTimeout().toNanos() / 4,
					Math.max(MIN_HEAD_START_NANOS, 2 * this.fanOut.recentLatencyNanos(0)));
			LockSupport.parkNanos(headStart);
		}
		boolean firstTaken = taken;
		RuntimeException firstFailed = failed;
		Exchange answered = new Exchange() {

			@Override
			public boolean isAnswered() {
				return true;
			}

			@Override
			public boolean awaitAnswer(long timeoutNanos) {
				return true;
			}

			@Override
			public boolean finish() {
				if (firstFailed != null) {
					throw firstFailed;
				}
				return firstTaken;
			}

		};
		return new FanOut.NodeCall() {

			@Override
			public boolean call(int index, LockNode node) {
				return (index == 0) ? answered.finish() : acquire.call(index, node);
			}

			@Override
			public Exchange start(int index, LockNode node) {
				return (index == 0) ? answered : acquire.start(index, node);
			}

		};
	}

	/**
	 * The second step of a fenced acquisition (a quorum max-register): the token is one above the
	 * highest counter read from the nodes that granted the lock, and is recorded on every node
	 * that still holds this lock; it is valid once a quorum recorded it within the validity time.
	 * @return the fencing token, or {@code -1} if it was not recorded on a quorum in time
	 */
	private long writeFence(String fullKey, String counterKey, String token, List<NodeOutcome> outcomes,
			AtomicLongArray counters, long validUntil) {
		long highest = 0;
		for (int i = 0; i < outcomes.size(); i++) {
			if (outcomes.get(i).status() == Status.ACQUIRED) {
				highest = Math.max(highest, counters.get(i));
			}
		}
		long fence = highest + 1;
		long timeout = Math.min(this.settings.nodeTimeout().toNanos(), validUntil - System.nanoTime());
		FanOut.Round round = this.fanOut.run((index, node) -> fenced(index).raiseFence(fullKey, token, counterKey, fence),
				this.quorum, timeout, null);
		int recorded = FanOut.Round.count(round.outcomes(Status.ACQUIRED, Status.HELD_BY_OTHER), Status.ACQUIRED);
		return (recorded >= this.quorum && System.nanoTime() - validUntil < 0) ? fence : -1;
	}

	/**
	 * The Redis key of a lock key: the key prefix and the key, or, for a key longer than
	 * {@link #MAX_KEY_BYTES} bytes in UTF-8, the prefix and {@code sha256:} with the key's SHA-256
	 * in hex, so that any key, however long, is a short, fixed-size Redis key.
	 * @param key the lock key
	 * @return the full Redis key
	 */
	public String fullKey(String key) {
		byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
		String stored = key;
		if (bytes.length > MAX_KEY_BYTES) {
			try {
				stored = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
			}
			catch (NoSuchAlgorithmException ex) {
				throw new IllegalStateException("SHA-256 is required by the Java platform", ex);
			}
		}
		return this.settings.keyPrefix() + (this.hashTags ? "{" + stored + "}" : stored);
	}

	/**
	 * Told of every failed node call, of every round. Any failure but a held-out node or an
	 * exhausted connection pool may hide a restart (a stale connection to a restarted node fails
	 * with an end of stream, and no probe has seen the new run id yet), so the node stops counting
	 * until a probe has seen it.
	 */
	private void nodeFailed(int index, NodeOutcome outcome, Throwable error) {
		NodeFailure.Kind kind = NodeFailure.kindOf(error);
		if (kind == NodeFailure.Kind.HELD_OUT) {
			return;
		}
		this.observer.nodeFailed(outcome);
		if (NodeFailure.makesSuspect(kind)) {
			if (this.restartGuard != null) {
				this.restartGuard.suspect(index);
			}
			this.availability.failed(index, outcome.detail()
					+ ((this.restartGuard != null) ? "; held out until a probe has seen it" : ""));
		}
	}

	private FencedNode fenced(int index) {
		FencedNode node = this.fenced[index];
		if (node == null) {
			throw new NodeFailure(NodeFailure.Kind.FAILED, this.nodes.get(index).name()
					+ " does not support fencing tokens", null);
		}
		return node;
	}

	private long retryDelayNanos() {
		long jitter = this.settings.retryJitter().toNanos();
		return this.settings.retryDelay().toNanos() + ((jitter > 0) ? ThreadLocalRandom.current().nextLong(jitter) : 0);
	}

	static String newToken() {
		byte[] bytes = new byte[16];
		RANDOM.nextBytes(bytes);
		return HexFormat.of().formatHex(bytes);
	}

	/**
	 * Releases {@code token}'s key on every node, each after that node's acquisition call finished;
	 * with {@code keepNanos > 0} only shortens the lease to that time (hold-at-least). Waits for all
	 * nodes, each bounded by the node timeout.
	 */
	void release(List<String> fullKeys, String token, FanOut.Round acquisition, long keepNanos) {
		release(fullKeys, token, acquisition, keepNanos, FanOut.ALL, null);
	}

	/**
	 * Releases as above, waiting for {@code awaited} nodes to have deleted the key
	 * ({@link FanOut#ALL}: for every node's answer; the quorum, for a held lock: once a majority
	 * has let go, nobody can be refused a quorum by this lock, and a slow node's pending
	 * acquisition and release run on without delaying the caller), and announcing the deleted keys
	 * on {@code channel} unless it is {@code null}.
	 */
	void release(List<String> fullKeys, String token, FanOut.Round acquisition, long keepNanos, int awaited,
			String channel) {
		long keepMillis = TimeUnit.NANOSECONDS.toMillis(keepNanos);
		FanOut.Round round = this.fanOut.run(new FanOut.NodeCall() {

			@Override
			public boolean call(int index, LockNode node) {
				if (keepMillis > 0) {
					return node.extend(fullKeys, token, keepMillis);
				}
				AnnouncingNode announcer = Redlock.this.announcing[index];
				return (channel != null && announcer != null) ? announcer.releaseHeld(fullKeys, token, channel)
						: node.release(fullKeys, token);
			}

			@Override
			public Exchange start(int index, LockNode node) {
				NodeExchange exchange = Redlock.this.exchanges[index];
				return (keepMillis > 0 || fullKeys.size() != 1 || exchange == null) ? null
						: exchange.startReleaseHeld(fullKeys.get(0), token,
								(Redlock.this.announcing[index] != null) ? channel : null);
			}

		}, awaited, acquisition);
		if (logger.isDebugEnabled()) {
			logger.debug("{} '{}' on nodes: {}", (keepMillis > 0) ? "Kept for " + keepMillis + "ms" : "Released",
					fullKeys, round.outcomes(Status.ACQUIRED, Status.HELD_BY_OTHER));
		}
	}

	/**
	 * Releases a handle's lock and forgets the handle, as observed by the observer.
	 */
	void release(RedlockHandle handle, String token, FanOut.Round acquisition, long keepNanos) {
		this.held.remove(handle);
		this.observer.release(handle.snapshot(),
				() -> release(handle.keys(), token, acquisition, keepNanos, this.quorum, this.releaseChannel));
		if (keepNanos <= 0) {
			this.waiters.released(handle.keys());
		}
	}

	private static void keepRenewalQueueHead() {
		// nothing to do: being queued is the point
	}

	/**
	 * Runs a renewal step after a delay, on an I/O thread, so that a slow node delays no other
	 * lock's renewal.
	 */
	ScheduledFuture<?> scheduleRenewal(Runnable renewal, long delayNanos) {
		return this.renewals.schedule(() -> this.executor.execute(renewal), Math.max(0, delayNanos),
				TimeUnit.NANOSECONDS);
	}

	/**
	 * Extends {@code token}'s key on every node and waits until a quorum agreed, or until the
	 * timeout.
	 * @return how many nodes extended the lease
	 */
	Extension extend(List<String> fullKeys, String token, long leaseMillis, long timeoutNanos) {
		FanOut.Round round = this.fanOut.run((index, node) -> node.extend(fullKeys, token, leaseMillis), this.quorum,
				timeoutNanos, null);
		List<NodeOutcome> outcomes = round.outcomes(Status.ACQUIRED, Status.HELD_BY_OTHER);
		return new Extension(FanOut.Round.count(outcomes, Status.ACQUIRED),
				FanOut.Round.count(outcomes, Status.HELD_BY_OTHER));
	}

	/**
	 * The answers to one extension round.
	 * @param extended nodes that set the new lease
	 * @param refused nodes that answered that the key is absent or another's
	 */
	record Extension(int extended, int refused) {
	}

	/**
	 * Rejects a lease the engine cannot keep safe: under Redis' 1 ms resolution, or longer than
	 * the restart guard's hold-out (a node restarted after a shorter hold-out could grant the lock
	 * again while this lease still runs).
	 */
	void checkLease(Duration leaseTime) {
		RedlockSettings.requirePositive("leaseTime", leaseTime);
		if (leaseTime.toMillis() < 1) {
			throw new InvalidSettingException("leaseTime", leaseTime, "must be at least 1ms, Redis' resolution");
		}
		if (this.restartGuard != null && leaseTime.compareTo(this.restartGuard.holdOut()) > 0) {
			throw new InvalidSettingException("leaseTime", leaseTime, "must not exceed the restart guard's hold-out of "
					+ this.restartGuard.holdOut() + "; set redlock.restart-guard.hold-out to at least your longest lease");
		}
	}

	/**
	 * Tells the engine that a held lock was handed to asynchronous work, so that losing it does
	 * not interrupt the thread that acquired it (which has moved on), even with
	 * {@link RedlockSettings#interruptOnLoss()}.
	 * @param handle a handle from this engine
	 */
	public void handOff(LockHandle handle) {
		if (handle instanceof RedlockHandle redlockHandle) {
			redlockHandle.detachHolder();
		}
	}

	/**
	 * The locks this engine holds now: acquired and not yet released.
	 * @return a snapshot of each
	 */
	public List<HeldLock> heldLocks() {
		List<HeldLock> locks = new ArrayList<>(this.held.size());
		for (RedlockHandle handle : this.held) {
			locks.add(handle.snapshot());
		}
		return locks;
	}

	/**
	 * Probes every node in parallel: a canary lock, and what the node says about itself. Each
	 * command is bounded by the node timeout. Updates the restart guard.
	 * @return one status per node, in configuration order, with the guard's verdict in
	 * {@link NodeStatus#problem()} for held-out nodes
	 */
	public List<NodeStatus> probe() {
		if (!this.enabled) {
			return List.of();
		}
		this.probeLock.lock();
		try {
			return probeNodes();
		}
		finally {
			this.probeLock.unlock();
		}
	}

	private List<NodeStatus> probeNodes() {
		long[] failuresBefore = new long[this.nodes.size()];
		for (int i = 0; i < failuresBefore.length && this.restartGuard != null; i++) {
			failuresBefore[i] = this.restartGuard.failureCount(i);
		}
		String canaryKey = this.settings.keyPrefix() + CANARY_KEY_SUFFIX + ":" + newToken();
		List<CompletableFuture<NodeStatus>> probes = new ArrayList<>(this.nodes.size());
		for (LockNode node : this.nodes) {
			probes.add(CompletableFuture.supplyAsync(() -> node.probe(canaryKey), this.executor));
		}
		long deadline = System.nanoTime() + 8 * this.settings.nodeTimeout().toNanos();
		List<NodeStatus> statuses = new ArrayList<>(this.nodes.size());
		for (int i = 0; i < probes.size(); i++) {
			NodeStatus status;
			try {
				status = probes.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				status = NodeStatus.unreachable(this.nodes.get(i).name(), "interrupted");
			}
			catch (Exception ex) {
				status = NodeStatus.unreachable(this.nodes.get(i).name(), "no answer within the node timeout");
			}
			statuses.add(status);
		}
		if (this.restartGuard == null) {
			for (int i = 0; i < statuses.size(); i++) {
				this.availability.probed(i, statuses.get(i).lockable(), statuses.get(i).problem());
			}
			return statuses;
		}
		for (int armed : this.arming.armDue(statuses)) {
			// probed again, so that it counts from this probe on
			statuses.set(armed, this.nodes.get(armed).probe(canaryKey));
		}
		long now = System.nanoTime();
		List<NodeStatus> guarded = new ArrayList<>(statuses.size());
		for (int i = 0; i < statuses.size(); i++) {
			NodeStatus status = statuses.get(i);
			Arming.Wait wait = this.arming.waiting(i);
			if (Boolean.FALSE.equals(status.armed()) && wait != null) {
				status = status.withProblem("not armed yet: " + wait.reason());
			}
			this.restartGuard.observe(i, status, this.armable[i] != null, (wait != null) ? wait.untilNanos() : now, now,
					failuresBefore[i]);
			String heldOut = status.reachable() ? this.restartGuard.heldOut(i, now) : null;
			status = (heldOut == null) ? status : status.withProblem(heldOut);
			this.availability.probed(i, status.lockable() && status.problem().isEmpty(), status.problem());
			guarded.add(status);
		}
		return guarded;
	}

	/**
	 * From the first wait on: listens on every node for the releases that other processes
	 * announce, and wakes this engine's waiters of the released key.
	 */
	private void listenForReleases() {
		if (this.releaseChannel == null || this.listening.get() || !this.listening.compareAndSet(false, true)) {
			return;
		}
		for (AnnouncingNode node : this.announcing) {
			if (node != null) {
				this.releaseSubscriptions.add(node.listenForReleases(this.releaseChannel,
						(key) -> this.waiters.released(List.of(key))));
			}
		}
	}

	/**
	 * How many nodes this engine hears releases from: 0 until a thread first waited for a lock.
	 * @return the number of active release subscriptions
	 */
	int releaseListeners() {
		return (int) this.releaseSubscriptions.stream().filter(AnnouncingNode.Subscription::isActive).count();
	}

	/**
	 * How many keys have threads of this engine queued or waiting: zero once nobody waits.
	 * @return the number of entries the engine keeps for waiters
	 */
	int waitingKeys() {
		return this.waiters.size();
	}

	private void probeQuietly() {
		try {
			probe();
		}
		catch (RuntimeException ex) {
			logger.warn("Probing the Redlock nodes failed", ex);
		}
	}

	void lost(RedlockHandle handle) {
		this.held.remove(handle);
		this.observer.lockLost(handle.snapshot());
	}

	/**
	 * Closes every node and, if the engine created them, its threads.
	 */
	@Override
	public void close() {
		if (!this.enabled) {
			return;
		}
		for (RedlockHandle handle : List.copyOf(this.held)) {
			handle.close();
		}
		if (this.monitor != null) {
			this.monitor.shutdownNow();
		}
		this.renewals.shutdownNow();
		this.releaseSubscriptions.forEach(AnnouncingNode.Subscription::close);
		for (LockNode node : this.nodes) {
			try {
				node.close();
			}
			catch (RuntimeException ex) {
				logger.warn("Could not close node {}", node.name(), ex);
			}
		}
		if (this.ownsExecutor) {
			this.executor.shutdown();
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
		 * Holds nodes that restarted less than {@code holdOut} ago out of the quorum, probing every
		 * node every {@code checkInterval}.
		 * @param holdOut how long a restarted node is held out: at least the longest lease
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
		 * the retry delay. On by default; waiters in this process are woken either way.
		 * @param enabled {@code false} to rely on the retry delay alone
		 * @return this builder
		 */
		public Builder releaseNotifications(boolean enabled) {
			this.releaseNotifications = enabled;
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
