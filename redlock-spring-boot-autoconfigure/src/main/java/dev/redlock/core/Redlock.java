package dev.redlock.core;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.redlock.LockHandle;
import dev.redlock.LockNotAcquiredException;
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
 * Every attempt uses a fresh 128-bit random token, so a late release of one attempt can never
 * delete the key of a later one.
 */
public final class Redlock implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(Redlock.class);

	private static final SecureRandom RANDOM = new SecureRandom();

	private final List<LockNode> nodes;

	private final RedlockSettings settings;

	private final ExecutorService executor;

	private final boolean ownsExecutor;

	private final FanOut fanOut;

	private final int quorum;

	/**
	 * Creates an engine with its own I/O threads.
	 * @param nodes the independent masters, at least one
	 * @param settings the settings
	 */
	public Redlock(List<? extends LockNode> nodes, RedlockSettings settings) {
		this(nodes, settings, null);
	}

	/**
	 * Creates an engine.
	 * @param nodes the independent masters, at least one
	 * @param settings the settings
	 * @param executor runs the node calls; it must not queue them behind each other (a cached
	 * pool or virtual threads); {@code null} for the engine's own daemon threads
	 */
	public Redlock(List<? extends LockNode> nodes, RedlockSettings settings, ExecutorService executor) {
		Objects.requireNonNull(nodes, "nodes");
		if (nodes.isEmpty()) {
			throw new InvalidSettingException("nodes", nodes, "at least one Redis master is needed; "
					+ "use an odd number of independent masters, such as 3 or 5");
		}
		this.nodes = List.copyOf(nodes);
		this.settings = Objects.requireNonNull(settings, "settings");
		this.ownsExecutor = executor == null;
		this.executor = (executor != null) ? executor : newExecutor();
		this.quorum = this.nodes.size() / 2 + 1;
		this.fanOut = new FanOut(this.nodes, this.executor, settings.nodeTimeout().toNanos());
	}

	private static ExecutorService newExecutor() {
		AtomicInteger count = new AtomicInteger();
		ThreadFactory threads = (task) -> {
			Thread thread = new Thread(task, "redlock-io-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
		return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), threads);
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
	 * Acquires a lock, retrying until the wait time is spent.
	 * @param key the lock key, without the key prefix
	 * @param leaseTime the lease time, positive
	 * @param waitTime how long to keep trying, zero or positive
	 * @return the held lock
	 * @throws LockNotAcquiredException if no quorum was reached within the wait time, or the
	 * thread was interrupted while waiting (then its interrupt flag is set again)
	 */
	public LockHandle acquire(String key, Duration leaseTime, Duration waitTime) {
		String fullKey = fullKey(key);
		long leaseNanos = RedlockSettings.requirePositive("leaseTime", leaseTime).toNanos();
		long waitNanos = RedlockSettings.requireNotNegative("waitTime", waitTime).toNanos();
		if (leaseTime.toMillis() < 1) {
			throw new InvalidSettingException("leaseTime", leaseTime, "must be at least 1ms, Redis' resolution");
		}
		long deadline = System.nanoTime() + waitNanos;
		int attempts = 0;
		while (true) {
			attempts++;
			String token = newToken();
			long start = System.nanoTime();
			FanOut.Round round = this.fanOut.run((node) -> node.tryAcquire(fullKey, token, leaseTime.toMillis()),
					this.quorum, null);
			List<NodeOutcome> outcomes = round.outcomes(Status.ACQUIRED, Status.HELD_BY_OTHER);
			long validUntil = start + leaseNanos - this.settings.driftNanos(leaseNanos);
			long now = System.nanoTime();
			boolean quorumReached = FanOut.Round.count(outcomes, Status.ACQUIRED) >= this.quorum;
			if (quorumReached && now < validUntil) {
				return new RedlockHandle(this, fullKey, token, round, validUntil);
			}
			String reason = quorumReached ? "validity used up (the attempt took "
					+ Duration.ofNanos(now - start).toMillis() + "ms of a " + leaseTime.toMillis() + "ms lease)"
					: "quorum not reached";
			release(fullKey, token, round);
			// the release waited for the nodes left behind by an early decision: report their answers too
			outcomes = round.outcomes(Status.ACQUIRED, Status.HELD_BY_OTHER);
			long left = deadline - System.nanoTime();
			if (left <= 0) {
				throw new LockNotAcquiredException(fullKey, this.quorum, attempts, reason, outcomes, null);
			}
			try {
				TimeUnit.NANOSECONDS.sleep(Math.min(left, retryDelayNanos()));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new LockNotAcquiredException(fullKey, this.quorum, attempts,
						reason + ", then interrupted while waiting to retry", outcomes, ex);
			}
		}
	}

	/**
	 * Tries to acquire a lock, retrying until the wait time is spent.
	 * @param key the lock key, without the key prefix
	 * @param leaseTime the lease time, positive
	 * @param waitTime how long to keep trying, zero or positive
	 * @return the held lock, or empty if no quorum was reached within the wait time
	 */
	public Optional<LockHandle> tryAcquire(String key, Duration leaseTime, Duration waitTime) {
		try {
			return Optional.of(acquire(key, leaseTime, waitTime));
		}
		catch (LockNotAcquiredException ex) {
			logger.debug("{}", ex.getMessage());
			return Optional.empty();
		}
	}

	private String fullKey(String key) {
		if (key == null || key.isBlank()) {
			throw new IllegalArgumentException("Lock key must not be null or blank, but was " + quote(key));
		}
		return this.settings.keyPrefix() + key;
	}

	private static String quote(String key) {
		return (key != null) ? "'" + key + "'" : "null";
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
	 * Releases {@code token}'s key on every node, each after that node's acquisition call finished.
	 * Waits for all nodes, each bounded by the node timeout.
	 * @return the nodes' answers
	 */
	List<NodeOutcome> release(String fullKey, String token, FanOut.Round acquisition) {
		FanOut.Round round = this.fanOut.run((node) -> node.release(fullKey, token), FanOut.ALL, acquisition);
		List<NodeOutcome> outcomes = round.outcomes(Status.ACQUIRED, Status.HELD_BY_OTHER);
		if (logger.isDebugEnabled()) {
			logger.debug("Released '{}' on nodes: {}", fullKey, outcomes);
		}
		return outcomes;
	}

	/**
	 * Extends {@code token}'s key on every node and waits until a quorum agreed, or until the
	 * timeout.
	 * @return how many nodes extended the lease
	 */
	int extend(String fullKey, String token, long leaseMillis, long timeoutNanos) {
		FanOut.Round round = this.fanOut.run((node) -> node.extend(fullKey, token, leaseMillis), this.quorum,
				timeoutNanos, null);
		return FanOut.Round.count(round.outcomes(Status.ACQUIRED, Status.HELD_BY_OTHER), Status.ACQUIRED);
	}

	/**
	 * Closes every node and, if the engine created them, its I/O threads.
	 */
	@Override
	public void close() {
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

}
