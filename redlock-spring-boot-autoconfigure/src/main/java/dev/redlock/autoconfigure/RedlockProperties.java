package dev.redlock.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.Ordered;

import dev.redlock.NotAcquiredPolicy;

/**
 * Configuration of Redlock distributed locks, under {@code redlock.*}.
 */
@ConfigurationProperties("redlock")
public class RedlockProperties {

	/** The advisor order that nests the lock outside advice of default order, such as @Transactional. */
	public static final int DEFAULT_ADVISOR_ORDER = Ordered.LOWEST_PRECEDENCE - 100;

	/**
	 * Whether distributed locking is enabled. When false, every bean stays but no lock is taken:
	 * annotated methods, LockTemplate callbacks, ShedLock jobs and Spring Integration locks of
	 * this starter run without one (a warning says so at startup), and neither nodes nor Jedis are
	 * needed. Read at startup, also in AOT mode.
	 */
	private boolean enabled = true;

	/**
	 * The independent Redis masters that form the quorum, as
	 * redis://[[user]:password@]host[:port][/database], rediss://... for TLS,
	 * redis-sentinel://host:port[,host:port...]/masterName or redis-cluster://host:port[,...]. Use
	 * an odd number, such as 3 or 5; never replicas of each other. In a comma-separated value
	 * (application.properties), the commas of a Sentinel or Cluster URI are kept with it. A
	 * RedlockConnectionDetails bean takes precedence; without either, Spring Boot's Redis
	 * connection (spring.data.redis.*) is the one node, if the application has one.
	 */
	private List<String> nodes = new ArrayList<>();

	/**
	 * How long a lock lives on each node unless released or extended; the default for calls
	 * (@DistributedLock and LockTemplate) that name none.
	 */
	private Duration leaseTime = Duration.ofSeconds(30);

	/**
	 * How long an acquisition keeps retrying before it gives up with LockNotAcquiredException.
	 * 0 means a single attempt.
	 */
	private Duration waitTime = Duration.ofSeconds(3);

	/**
	 * The pause between two acquisition attempts.
	 */
	private Duration retryDelay = Duration.ofMillis(50);

	/**
	 * The upper bound of a random delay added to the retry delay, so that contending instances do
	 * not retry in lock step.
	 */
	private Duration retryJitter = Duration.ofMillis(50);

	/**
	 * Whether a release is announced on the nodes (Pub/Sub channel
	 * '<key-prefix>__redlock_released__') so that instances waiting for the key try again at
	 * once rather than after the retry delay. Threads of one instance are woken either way.
	 */
	private boolean releaseNotifications = true;

	/**
	 * Whether the locking thread may send its commands to plain-TCP standalone nodes and read the
	 * answers itself, instead of handing each node's call to an I/O thread (faster; it leans on
	 * Jedis internals, proven by a self-check against each node before first use). False runs
	 * every call on an I/O thread.
	 */
	private boolean callerReadsAnswers = true;

	/**
	 * Whether nodes that may evict keys count toward a quorum: a node with maxmemory set and a
	 * maxmemory-policy other than noeviction may drop a held lock or a fencing counter under
	 * memory pressure. False (the default) stops the startup on such a node
	 * and holds a node that starts evicting out of the quorum; true only logs a warning, accepting
	 * the risk.
	 */
	private boolean allowEvictingNodes;

	/**
	 * How long one node may take to answer one command before it counts as failed for that
	 * attempt. Keep it far below the lease time.
	 */
	private Duration nodeTimeout = Duration.ofMillis(100);

	/**
	 * The share of the lease time assumed lost to clock drift between this instance and the
	 * nodes, at least 0 and below 1.
	 */
	private double driftFactor = 0.01;

	/**
	 * The prefix of every lock key in Redis.
	 */
	private String keyPrefix = "redlock:";

	/**
	 * The most connections each node's pool opens.
	 */
	private int maxConnectionsPerNode = 16;

	/**
	 * How many replicas must acknowledge each new lock key (Redis WAIT, within half the node
	 * timeout) before a standalone or Sentinel member counts it; 0 does not wait. Narrows, but
	 * does not close, the window in which a failover loses a lock.
	 */
	private int replicaAcks = 0;

	/**
	 * The order of the @DistributedLock advisor among other advice: lower runs further outside.
	 * The default runs outside @Transactional and other advice of default order.
	 */
	private int advisorOrder = DEFAULT_ADVISOR_ORDER;

	/**
	 * What @DistributedLock methods do when their lock is not obtained within the wait time,
	 * unless the annotation says otherwise: THROW (LockNotAcquiredException), SKIP (return
	 * null, an empty Optional or an empty Mono/Flux), or FALLBACK (needs a fallback method on
	 * each annotation, so only useful per annotation).
	 */
	private NotAcquiredPolicy onNotAcquired = NotAcquiredPolicy.THROW;

	/**
	 * Keeping recently restarted nodes out of the quorum.
	 */
	private final RestartGuard restartGuard = new RestartGuard();

	/**
	 * Renewal of leases while locks are held.
	 */
	private final Renewal renewal = new Renewal();

	/**
	 * TLS for rediss:// nodes.
	 */
	private final Ssl ssl = new Ssl();

	/** {@return whether distributed locking is enabled} */
	public boolean isEnabled() {
		return this.enabled;
	}

	/** @param enabled whether distributed locking is enabled */
	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	/** {@return the Redis masters that form the quorum, as node URIs} */
	public List<String> getNodes() {
		return this.nodes;
	}

	/** @param nodes the Redis masters that form the quorum, as node URIs */
	public void setNodes(List<String> nodes) {
		this.nodes = nodes;
	}

	/** {@return the default lease time} */
	public Duration getLeaseTime() {
		return this.leaseTime;
	}

	/** @param leaseTime the default lease time */
	public void setLeaseTime(Duration leaseTime) {
		this.leaseTime = leaseTime;
	}

	/** {@return how long an acquisition keeps retrying} */
	public Duration getWaitTime() {
		return this.waitTime;
	}

	/** @param waitTime how long an acquisition keeps retrying */
	public void setWaitTime(Duration waitTime) {
		this.waitTime = waitTime;
	}

	/** {@return the pause between two acquisition attempts} */
	public Duration getRetryDelay() {
		return this.retryDelay;
	}

	/** @param retryDelay the pause between two acquisition attempts */
	public void setRetryDelay(Duration retryDelay) {
		this.retryDelay = retryDelay;
	}

	/** {@return the upper bound of the random delay added to the retry delay} */
	public Duration getRetryJitter() {
		return this.retryJitter;
	}

	/** @param retryJitter the upper bound of the random delay added to the retry delay */
	public void setRetryJitter(Duration retryJitter) {
		this.retryJitter = retryJitter;
	}

	/** {@return whether releases are announced on the nodes} */
	public boolean isReleaseNotifications() {
		return this.releaseNotifications;
	}

	/** @param releaseNotifications whether releases are announced on the nodes */
	public void setReleaseNotifications(boolean releaseNotifications) {
		this.releaseNotifications = releaseNotifications;
	}

	/** {@return whether the locking thread may send commands and read the answers itself} */
	public boolean isCallerReadsAnswers() {
		return this.callerReadsAnswers;
	}

	/** @param callerReadsAnswers whether the locking thread may send commands and read the answers itself */
	public void setCallerReadsAnswers(boolean callerReadsAnswers) {
		this.callerReadsAnswers = callerReadsAnswers;
	}

	/** {@return whether nodes that may evict keys count toward a quorum} */
	public boolean isAllowEvictingNodes() {
		return this.allowEvictingNodes;
	}

	/** @param allowEvictingNodes whether nodes that may evict keys count toward a quorum */
	public void setAllowEvictingNodes(boolean allowEvictingNodes) {
		this.allowEvictingNodes = allowEvictingNodes;
	}

	/** {@return how long one node may take to answer one command} */
	public Duration getNodeTimeout() {
		return this.nodeTimeout;
	}

	/** @param nodeTimeout how long one node may take to answer one command */
	public void setNodeTimeout(Duration nodeTimeout) {
		this.nodeTimeout = nodeTimeout;
	}

	/** {@return the share of the lease time assumed lost to clock drift} */
	public double getDriftFactor() {
		return this.driftFactor;
	}

	/** @param driftFactor the share of the lease time assumed lost to clock drift */
	public void setDriftFactor(double driftFactor) {
		this.driftFactor = driftFactor;
	}

	/** {@return the prefix of every lock key} */
	public String getKeyPrefix() {
		return this.keyPrefix;
	}

	/** @param keyPrefix the prefix of every lock key */
	public void setKeyPrefix(String keyPrefix) {
		this.keyPrefix = keyPrefix;
	}

	/** {@return the most connections each node's pool opens} */
	public int getMaxConnectionsPerNode() {
		return this.maxConnectionsPerNode;
	}

	/** @param maxConnectionsPerNode the most connections each node's pool opens */
	public void setMaxConnectionsPerNode(int maxConnectionsPerNode) {
		this.maxConnectionsPerNode = maxConnectionsPerNode;
	}

	/** {@return how many replicas must acknowledge each new lock key} */
	public int getReplicaAcks() {
		return this.replicaAcks;
	}

	/** @param replicaAcks how many replicas must acknowledge each new lock key */
	public void setReplicaAcks(int replicaAcks) {
		this.replicaAcks = replicaAcks;
	}

	/** {@return the order of the {@code @DistributedLock} advisor} */
	public int getAdvisorOrder() {
		return this.advisorOrder;
	}

	/** @param advisorOrder the order of the {@code @DistributedLock} advisor */
	public void setAdvisorOrder(int advisorOrder) {
		this.advisorOrder = advisorOrder;
	}

	/** {@return what methods do by default when their lock is not obtained} */
	public NotAcquiredPolicy getOnNotAcquired() {
		return this.onNotAcquired;
	}

	/** @param onNotAcquired what methods do by default when their lock is not obtained */
	public void setOnNotAcquired(NotAcquiredPolicy onNotAcquired) {
		this.onNotAcquired = onNotAcquired;
	}

	/** {@return the settings of the restart guard} */
	public RestartGuard getRestartGuard() {
		return this.restartGuard;
	}

	/** {@return the settings of lease renewal} */
	public Renewal getRenewal() {
		return this.renewal;
	}

	/** {@return the TLS settings for {@code rediss://} nodes} */
	public Ssl getSsl() {
		return this.ssl;
	}

	/**
	 * TLS settings for rediss:// nodes.
	 */
	public static class Ssl {

		/**
		 * The name of a Spring Boot SSL bundle (spring.ssl.bundle.*) whose trust material verifies
		 * the nodes' certificates (and whose key material, if any, is the client certificate).
		 * Without it, the JVM's default trust store is used. Host names are always verified.
		 */
		private String bundle;

		/** {@return the name of the SSL bundle that verifies the nodes, or {@code null}} */
		public String getBundle() {
			return this.bundle;
		}

		/** @param bundle the name of the SSL bundle that verifies the nodes, or {@code null} */
		public void setBundle(String bundle) {
			this.bundle = bundle;
		}

	}

	/**
	 * Renewal (the watchdog): while a @DistributedLock method or LockTemplate callback runs, its
	 * lease is extended on a quorum about every third of the lease time.
	 */
	public static class Renewal {

		/**
		 * Whether leases are renewed while locks are held. Annotations and requests can opt out
		 * (autoRenew = false), not in.
		 */
		private boolean enabled = true;

		/**
		 * The longest a lease is renewed; after it the holder is warned and the lock is left to
		 * expire.
		 */
		private Duration maxHoldTime = Duration.ofMinutes(30);

		/**
		 * Whether the thread that acquired a lock is interrupted when the lock is lost while
		 * held (its lease could not be extended on a quorum before its validity ended).
		 */
		private boolean interruptOnLoss = false;

		/** {@return whether leases are renewed while locks are held} */
		public boolean isEnabled() {
			return this.enabled;
		}

		/** @param enabled whether leases are renewed while locks are held */
		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		/** {@return the longest a lease is renewed} */
		public Duration getMaxHoldTime() {
			return this.maxHoldTime;
		}

		/** @param maxHoldTime the longest a lease is renewed */
		public void setMaxHoldTime(Duration maxHoldTime) {
			this.maxHoldTime = maxHoldTime;
		}

		/** {@return whether the holder thread is interrupted when its lock is lost} */
		public boolean isInterruptOnLoss() {
			return this.interruptOnLoss;
		}

		/** @param interruptOnLoss whether the holder thread is interrupted when its lock is lost */
		public void setInterruptOnLoss(boolean interruptOnLoss) {
			this.interruptOnLoss = interruptOnLoss;
		}

	}

	/**
	 * The delayed-restart guard: a node that restarted less than {@code hold-out} ago, and so may
	 * have forgotten locks it held, does not count toward a quorum.
	 */
	public static class RestartGuard {

		/**
		 * Whether nodes that restarted recently are held out of the quorum.
		 */
		private boolean enabled = true;

		/**
		 * How long a restarted node is held out; defaults to redlock.lease-time. It is also the
		 * longest TTL a node is told: a longer lease is kept alive by renewal up to its end.
		 */
		private Duration holdOut;

		/**
		 * How often every node is probed for restarts (INFO server: run_id and uptime).
		 */
		private Duration checkInterval = Duration.ofSeconds(1);

		/** {@return whether recently restarted nodes are held out of the quorum} */
		public boolean isEnabled() {
			return this.enabled;
		}

		/** @param enabled whether recently restarted nodes are held out of the quorum */
		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		/** {@return how long a restarted node is held out, or {@code null} for the lease time} */
		public Duration getHoldOut() {
			return this.holdOut;
		}

		/** @param holdOut how long a restarted node is held out, or {@code null} for the lease time */
		public void setHoldOut(Duration holdOut) {
			this.holdOut = holdOut;
		}

		/** {@return how often every node is probed for restarts} */
		public Duration getCheckInterval() {
			return this.checkInterval;
		}

		/** @param checkInterval how often every node is probed for restarts */
		public void setCheckInterval(Duration checkInterval) {
			this.checkInterval = checkInterval;
		}

	}

}
