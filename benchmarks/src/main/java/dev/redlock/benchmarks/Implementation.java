package dev.redlock.benchmarks;

import java.time.Duration;
import java.util.List;

/**
 * The implementations compared, each with the number of nodes it locks on. The settings they run
 * with are the ones {@link #SETTINGS} documents; they are kept comparable: the same nodes, the same
 * 30 s lease (renewed by a watchdog where the implementation has one), the same thread counts.
 */
public enum Implementation {

	/** The floor on one node: Jedis {@code SET NX PX}, then {@code EVALSHA} compare-and-delete. */
	RAW_1("raw-1", "Raw Jedis floor: SET NX PX + EVALSHA release", 1),

	/** The floor on five nodes: the same commands fanned out in parallel, majority waited for. */
	RAW_5("raw-5", "Raw Jedis floor, fanned out in parallel", 5),

	/**
	 * The wire floor on five nodes: every command written to the five sockets first, then the
	 * five replies read, on the calling thread.
	 */
	RAW_5_INLINE("raw-5-inline", "Raw Jedis floor, written to 5 sockets then read, no threads", 5),

	/** This library's {@code LockTemplate} on one node. */
	OURS_1("ours-1", "This library: LockTemplate.execute", 1),

	/** This library's {@code LockTemplate} on three nodes. */
	OURS_3("ours-3", "This library: LockTemplate.execute", 3),

	/** This library's {@code LockTemplate} on five nodes. */
	OURS_5("ours-5", "This library: LockTemplate.execute", 5),

	/**
	 * This library on one node, one engine per thread, as separate application instances: a
	 * release reaches the other waiters through Redis Pub/Sub only.
	 */
	OURS_1_APART("ours-1-apart", "This library, one engine per thread (as separate instances)", 1),

	/** The same on five nodes. */
	OURS_5_APART("ours-5-apart", "This library, one engine per thread (as separate instances)", 5),

	/** Redisson's {@code RLock} on one node. */
	REDISSON_1("redisson-1", "Redisson RLock", 1),

	/** Redisson's {@code RedissonRedLock} over three single-node clients. */
	REDISSON_REDLOCK_3("redisson-redlock-3", "Redisson RedissonRedLock", 3),

	/** Redisson's {@code RedissonRedLock} over five single-node clients. */
	REDISSON_REDLOCK_5("redisson-redlock-5", "Redisson RedissonRedLock", 5),

	/** Spring Integration's {@code RedisLockRegistry} on one node, through Lettuce. */
	SPRING_1("spring-1", "Spring Integration RedisLockRegistry (Lettuce)", 1);

	/** The lease every implementation is given (or its watchdog renews). */
	public static final Duration LEASE = Duration.ofSeconds(30);

	/** Connections per node for the Jedis-based implementations (this library's default). */
	public static final int JEDIS_POOL_SIZE = 16;

	/** What each implementation runs with, for the results page. */
	public static final String SETTINGS = """
			- **raw-1 / raw-5**: Jedis 7 `RedisClient` per node (pool of 16, 100 ms socket timeout), 128-bit \
			`SecureRandom` token, `SET key token NX PX 30000`, release by `EVALSHA` compare-and-delete (script \
			loaded once). raw-5 sends every command to the 5 nodes in parallel on a cached thread pool and \
			waits for a majority (3) of answers, in acquire and in release; a node's release is sent after \
			its own acquire answered; no retry, no renewal, no validity arithmetic.
			- **raw-5-inline**: the wire floor: on the calling thread, one Jedis `Connection` per thread and \
			node, each command written to all 5 sockets before the 5 replies are read, so the nodes work in \
			parallel without any thread hand-off. It reads every reply, so it is a floor only while all \
			nodes are fast (it is not run in the slow-node scenario).
			- **ours-N**: `LockTemplate.execute(key, 30s, wait, callback)` over `Redlock` with \
			`RedlockSettings.defaults()` (30 s lease, renewal on, 50 ms retry delay + up to 50 ms jitter, \
			100 ms node timeout, drift 1%), one `JedisLockNode` per node with a pool of 16; no restart guard \
			(in production it adds a 1 s background probe and arms each node once), no observer. The locking thread writes each command to every node and reads the \
			answers as they come (I/O threads read those still outstanding after the decision). Threads of \
			one engine queue for a key in the JVM and are woken by its release.
			- **ours-N-apart** (hot-key scenario): the same, one engine per benchmark thread, as separate \
			application instances would have: waiters are woken by the release announced on Redis Pub/Sub.
			- **redisson-1**: one `RedissonClient` (Redisson 3.52.0, all defaults: 24 to 64 connections, \
			3 s timeout, 4 retry attempts, 32 Netty threads, script cache on, 30 s lock watchdog); \
			`getLock(key).tryLock(wait, MILLISECONDS)`, i.e. watchdog lease, then `unlock()`.
			- **redisson-redlock-N**: one default `RedissonClient` per node, \
			`new RedissonRedLock(locks).tryLock(wait, MILLISECONDS)` (watchdog lease), `unlock()`.
			- **spring-1**: `RedisLockRegistry(lettuceConnectionFactory, "bench", 30000)` (Spring Integration \
			7.1.2, Spring Data Redis 4.1.2, Lettuce 7.5.2, as managed by Spring Boot 4.1.2; default spin lock: \
			a retry every 100 ms), `obtain(key).tryLock(wait, MILLISECONDS)`, `unlock()`. In the hot-key \
			scenario each thread gets its own registry (sharing the connection factory), as separate application \
			instances would; a shared registry would queue the threads on a JVM-local `ReentrantLock` \
			instead of on Redis.
			- **All**: the same 5 `redis-server` processes for every implementation; one shared client per \
			implementation for all benchmark threads (except spring-1 in the hot-key scenario, above); ours \
			and Redisson contend through Redis there too (a token per acquisition, an owner id per thread). \
			Uncontended scenarios wait up to 1 s, the hot-key scenario up to 10 s.
			""";

	private final String id;

	private final String description;

	private final int nodes;

	Implementation(String id, String description, int nodes) {
		this.id = id;
		this.description = description;
		this.nodes = nodes;
	}

	/**
	 * The short name used in JMH parameters and result tables, such as {@code ours-5}.
	 * @return the id
	 */
	public String id() {
		return this.id;
	}

	/**
	 * What is measured, for tables.
	 * @return the description
	 */
	public String description() {
		return this.description;
	}

	/**
	 * How many nodes the lock is taken on.
	 * @return the node count
	 */
	public int nodes() {
		return this.nodes;
	}

	/**
	 * The implementation with an id.
	 * @param id such as {@code redisson-redlock-5}
	 * @return the implementation
	 * @throws IllegalArgumentException for an unknown id
	 */
	public static Implementation of(String id) {
		for (Implementation implementation : values()) {
			if (implementation.id.equals(id)) {
				return implementation;
			}
		}
		throw new IllegalArgumentException("Unknown implementation '" + id + "'");
	}

	/**
	 * Connects the implementation to nodes.
	 * @param uris the nodes' URIs, exactly {@link #nodes()} of them
	 * @param clientPerThread whether each calling thread should act as a separate application
	 * instance where the implementation would otherwise queue threads in the JVM
	 * @return the locker; the caller closes it
	 */
	public Locker create(List<String> uris, boolean clientPerThread) {
		if (uris.size() != this.nodes) {
			throw new IllegalArgumentException(this.id + " locks on " + this.nodes + " nodes, not " + uris.size());
		}
		return switch (this) {
			case RAW_1, RAW_5 -> new RawJedisLocker(uris);
			case RAW_5_INLINE -> new RawInlineLocker(uris);
			case OURS_1, OURS_3, OURS_5 -> new TemplateLocker(uris);
			case OURS_1_APART, OURS_5_APART -> new PerThreadLocker(() -> new TemplateLocker(uris));
			case REDISSON_1 -> new RedissonLocker(uris, false);
			case REDISSON_REDLOCK_3, REDISSON_REDLOCK_5 -> new RedissonLocker(uris, true);
			case SPRING_1 -> new SpringIntegrationLocker(uris.get(0), clientPerThread);
		};
	}

}
