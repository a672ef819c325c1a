package dev.redlock.core.jedis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;

import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.providers.PooledConnectionProvider;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.util.JedisClusterCRC16;
import redis.clients.jedis.util.Pool;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.redlock.core.LockNode;
import dev.redlock.core.NodeStatus;

/**
 * A {@link LockNode} on one quorum member through a pooled Jedis client: a standalone master
 * ({@link RedisClient}), a Sentinel-monitored master ({@link RedisSentinelClient}, which follows
 * failovers) or a Redis Cluster ({@link RedisClusterClient}, which routes each key to the shard
 * owning its slot). Release and extend are Lua compare-and-act scripts, sent by SHA
 * ({@code EVALSHA}) and by source only when the node does not know them yet ({@code NOSCRIPT}).
 *
 * <p>On a cluster, the keys of one lock that live in different slots are taken slot by slot in a
 * fixed order, each slot's keys in one script; if one slot's keys are taken by another owner, the
 * slots already taken are released, so the lock is still all or none.
 */
public final class JedisLockNode implements LockNode {

	private static final Logger logger = LoggerFactory.getLogger(JedisLockNode.class);

	static final LuaScript RELEASE = new LuaScript(
			"if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end");

	static final LuaScript EXTEND = new LuaScript(
			"if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end");

	static final LuaScript ACQUIRE_ALL = new LuaScript("for _, key in ipairs(KEYS) do "
			+ "if redis.call('exists', key) == 1 then return 0 end end "
			+ "for _, key in ipairs(KEYS) do redis.call('set', key, ARGV[1], 'PX', ARGV[2]) end return 1");

	static final LuaScript RELEASE_ALL = new LuaScript("local deleted = 0 for _, key in ipairs(KEYS) do "
			+ "if redis.call('get', key) == ARGV[1] then deleted = deleted + redis.call('del', key) end end "
			+ "return deleted");

	static final LuaScript EXTEND_ALL = new LuaScript("for _, key in ipairs(KEYS) do "
			+ "if redis.call('get', key) ~= ARGV[1] then return 0 end end "
			+ "for _, key in ipairs(KEYS) do redis.call('pexpire', key, ARGV[2]) end return 1");

	static final LuaScript ACQUIRE_ARMED = new LuaScript("if redis.call('exists', KEYS[1]) == 0 then return -2 end "
			+ "for i = 2, #KEYS do if redis.call('exists', KEYS[i]) == 1 then return 0 end end "
			+ "for i = 2, #KEYS do redis.call('set', KEYS[i], ARGV[1], 'PX', ARGV[2]) end return 1");

	static final LuaScript ACQUIRE_FENCED_ARMED = new LuaScript("if redis.call('exists', KEYS[1]) == 0 then return -2 end "
			+ "if redis.call('set', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then "
			+ "return tonumber(redis.call('get', KEYS[3]) or '0') else return -1 end");

	static final LuaScript ACQUIRE_FENCED = new LuaScript(
			"if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then "
					+ "return tonumber(redis.call('get', KEYS[2]) or '0') else return -1 end");

	// PUBLISH comes first: a user who may not publish fails the script before it changed anything;
	// subscribers get the message only after the script has run, when the key is gone
	static final LuaScript RELEASE_NOTIFY = new LuaScript("if redis.call('get', KEYS[1]) == ARGV[1] then "
			+ "redis.call('publish', ARGV[2], KEYS[1]) return redis.call('del', KEYS[1]) else return 0 end");

	static final LuaScript RELEASE_ALL_NOTIFY = new LuaScript("local owned = {} for _, key in ipairs(KEYS) do "
			+ "if redis.call('get', key) == ARGV[1] then owned[#owned + 1] = key end end "
			+ "for _, key in ipairs(owned) do redis.call('publish', ARGV[2], key) end "
			+ "for _, key in ipairs(owned) do redis.call('del', key) end return #owned");

	static final LuaScript RAISE_COUNTERS = new LuaScript("for i, key in ipairs(KEYS) do "
			+ "if (tonumber(redis.call('get', key) or '0') or 0) < tonumber(ARGV[i]) then "
			+ "redis.call('set', key, ARGV[i]) end end return 1");

	/** How many keys a {@code SCAN} step asks for when fencing counters are read. */
	private static final int COUNTER_BATCH = 500;

	static final LuaScript RAISE_FENCE = new LuaScript("if redis.call('get', KEYS[1]) == ARGV[1] then "
			+ "if tonumber(redis.call('get', KEYS[2]) or '0') < tonumber(ARGV[2]) then "
			+ "redis.call('set', KEYS[2], ARGV[2]) end return 1 else return 0 end");

	private final RedisNodeAddress address;

	private final UnifiedJedis client;

	private final int replicaAcks;

	private volatile String markerKey;

	private volatile Duration armAfter;

	private volatile String lastRunId;

	private volatile boolean publishDenied;

	private final JedisClientConfig clientConfig;

	private final int maxConnections;

	private final long replicaAckTimeoutMillis;

	/**
	 * The pool of a plain-TCP standalone member, whose {@link SplitConnection}s let the engine
	 * send to all nodes and read the answers as they come ({@link #startTryAcquire}); {@code null}
	 * for other members.
	 */
	private final Pool<Connection> splitPool;

	/**
	 * Connects to one member. Connections are made on first use.
	 * @param address the member
	 * @param nodeTimeout the longest a command may take: the socket read and connect timeout, and
	 * the longest wait for a free pooled connection
	 * @param maxConnections the pool's size (per shard for a cluster)
	 */
	public JedisLockNode(RedisNodeAddress address, Duration nodeTimeout, int maxConnections) {
		this(address, nodeTimeout, maxConnections, null);
	}

	/**
	 * Connects to one member, with TLS trust material of its own. Connections are made on first
	 * use.
	 * @param address the member
	 * @param nodeTimeout the longest a command may take: the socket read and connect timeout, and
	 * the longest wait for a free pooled connection
	 * @param maxConnections the pool's size (per shard for a cluster)
	 * @param sslSocketFactory the TLS socket factory for {@code rediss://} nodes (trusting the
	 * nodes' CA), or {@code null} for the JVM's default trust store
	 */
	public JedisLockNode(RedisNodeAddress address, Duration nodeTimeout, int maxConnections,
			SSLSocketFactory sslSocketFactory) {
		this(address, nodeTimeout, maxConnections, sslSocketFactory, 0);
	}

	/**
	 * Connects to one member, asking for replica acknowledgements of each acquisition.
	 * @param address the member
	 * @param nodeTimeout the longest a command may take
	 * @param maxConnections the pool's size (per shard for a cluster)
	 * @param sslSocketFactory the TLS socket factory, or {@code null}
	 * @param replicaAcks how many replicas must acknowledge a new lock key ({@code WAIT}) for the
	 * member to count it, within half the node timeout; 0 not to wait (not for cluster members)
	 */
	public JedisLockNode(RedisNodeAddress address, Duration nodeTimeout, int maxConnections,
			SSLSocketFactory sslSocketFactory, int replicaAcks) {
		this.address = address;
		this.maxConnections = maxConnections;
		this.replicaAcks = replicaAcks;
		this.replicaAckTimeoutMillis = Math.max(1, nodeTimeout.toMillis() / 2);
		int timeoutMillis = (int) Math.max(1, nodeTimeout.toMillis());
		DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
			.socketTimeoutMillis(timeoutMillis)
			.connectionTimeoutMillis(timeoutMillis)
			.database(address.database())
			.clientName("redlock")
			// no CLIENT SETINFO on connect: one command less, and an ACL user needs no +client|setinfo
			.clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
			.ssl(address.ssl());
		if (address.ssl()) {
			SSLParameters tls = new SSLParameters();
			// verify that the certificate names the host, as HTTPS does
			tls.setEndpointIdentificationAlgorithm("HTTPS");
			config.sslParameters(tls);
			if (sslSocketFactory != null) {
				config.sslSocketFactory(sslSocketFactory);
			}
		}
		if (address.user() != null) {
			config.user(address.user());
		}
		if (address.password() != null) {
			config.password(address.password());
		}
		this.clientConfig = config.build();
		ConnectionPoolConfig pool = new ConnectionPoolConfig();
		pool.setMaxTotal(maxConnections);
		pool.setMaxIdle(maxConnections);
		pool.setMinIdle(0);
		pool.setMaxWait(nodeTimeout);
		pool.setBlockWhenExhausted(true);
		PooledConnectionProvider split = (address.kind() == RedisNodeAddress.Kind.STANDALONE && !address.ssl())
				? new PooledConnectionProvider(new SplitConnection.Factory(
						new HostAndPort(address.host(), address.port()), this.clientConfig), pool)
				: null;
		this.splitPool = (split != null) ? split.getPool() : null;
		this.client = switch (address.kind()) {
			case STANDALONE -> (split != null)
					? RedisClient.builder().hostAndPort(address.host(), address.port()).connectionProvider(split).build()
					: RedisClient.builder()
						.hostAndPort(address.host(), address.port())
						.clientConfig(config.build())
						.poolConfig(pool)
						.build();
			case SENTINEL -> RedisSentinelClient.builder()
				.masterName(address.masterName())
				.sentinels(hostsAndPorts(address.seeds()))
				.clientConfig(config.build())
				.sentinelClientConfig(DefaultJedisClientConfig.builder()
					.socketTimeoutMillis(timeoutMillis)
					.connectionTimeoutMillis(timeoutMillis)
					.build())
				.poolConfig(pool)
				.build();
			case CLUSTER -> RedisClusterClient.builder()
				.nodes(hostsAndPorts(address.seeds()))
				.clientConfig(config.build())
				.poolConfig(pool)
				.maxAttempts(3)
				.maxTotalRetriesDuration(nodeTimeout.multipliedBy(3))
				.build();
		};
	}

	private static Set<HostAndPort> hostsAndPorts(List<String> seeds) {
		Set<HostAndPort> hosts = new HashSet<>();
		for (String seed : seeds) {
			int colon = seed.lastIndexOf(':');
			hosts.add(new HostAndPort(seed.substring(0, colon).replace("[", "").replace("]", ""),
					Integer.parseInt(seed.substring(colon + 1))));
		}
		return hosts;
	}

	/**
	 * The address this node connects to.
	 * @return the address
	 */
	public RedisNodeAddress address() {
		return this.address;
	}

	/**
	 * The pooled client, for commands other than locking (health checks, diagnostics).
	 * @return the client
	 */
	public UnifiedJedis client() {
		return this.client;
	}

	@Override
	public String name() {
		return this.address.name();
	}

	@Override
	public int maxConcurrentCalls() {
		// a cluster member has a pool per shard
		return needsHashTags() ? 0 : this.maxConnections;
	}

	@Override
	public boolean needsHashTags() {
		return this.address.kind() == RedisNodeAddress.Kind.CLUSTER;
	}

	@Override
	public boolean requireArming(String markerKey, Duration armAfter) {
		if (needsHashTags()) {
			// a marker lives in one slot, so it cannot vouch for every shard of a cluster
			return false;
		}
		this.armAfter = armAfter;
		this.markerKey = markerKey;
		return true;
	}

	@Override
	public boolean tryAcquire(List<String> keys, String token, long ttlMillis) {
		String marker = this.markerKey;
		if (marker != null) {
			List<String> markerAndKeys = new ArrayList<>(keys.size() + 1);
			markerAndKeys.add(marker);
			markerAndKeys.addAll(keys);
			return armed(run(ACQUIRE_ARMED, markerAndKeys, token, Long.toString(ttlMillis))) == 1L;
		}
		if (this.replicaAcks > 0 && !needsHashTags()) {
			return acquireAcknowledged(keys, token, ttlMillis);
		}
		if (keys.size() == 1) {
			return "OK".equals(this.client.set(keys.get(0), token, SetParams.setParams().nx().px(ttlMillis)));
		}
		List<List<String>> slots = bySlot(keys);
		List<List<String>> taken = new ArrayList<>();
		for (List<String> slot : slots) {
			if (!isOne(run(ACQUIRE_ALL, slot, token, Long.toString(ttlMillis)))) {
				for (List<String> acquired : taken) {
					run(RELEASE_ALL, acquired, token);
				}
				return false;
			}
			taken.add(slot);
		}
		return true;
	}

	@Override
	public boolean release(List<String> keys, String token) {
		long deleted = 0;
		for (List<String> slot : bySlot(keys)) {
			Object reply = run((slot.size() == 1) ? RELEASE : RELEASE_ALL, slot, token);
			deleted += (reply instanceof Long count) ? count : 0;
		}
		return deleted == keys.size();
	}

	@Override
	public boolean releaseHeld(List<String> keys, String token, String channel) {
		if (channel == null || needsHashTags()) {
			// a cluster would broadcast every message to all its nodes; cluster waiters poll
			return release(keys, token);
		}
		if (this.publishDenied) {
			return release(keys, token);
		}
		Object reply;
		try {
			reply = run((keys.size() == 1) ? RELEASE_NOTIFY : RELEASE_ALL_NOTIFY, keys, token, channel);
		}
		catch (JedisDataException ex) {
			return releaseUnannounced(keys, token, channel, ex);
		}
		return reply instanceof Long deleted && deleted == keys.size();
	}

	/**
	 * After an announcing release script failed: if the user may not publish (the script failed
	 * before it deleted anything), releases without announcing from now on; else rethrows.
	 */
	private boolean releaseUnannounced(List<String> keys, String token, String channel, JedisDataException ex) {
		if (!isPermissionDenied(ex)) {
			throw ex;
		}
		this.publishDenied = true;
		logger.warn("Redis user of {} may not publish on '{}' ({}); releases are not announced, so other "
				+ "instances find a released lock at their next retry. Grant '&{}' and '+publish', or set "
				+ "redlock.release-notifications=false.", name(), channel, ex.getMessage(), channel);
		return release(keys, token);
	}

	@Override
	public Exchange startTryAcquire(String key, String token, long ttlMillis) {
		if (this.splitPool == null || this.replicaAcks > 0) {
			return null;
		}
		String ttl = Long.toString(ttlMillis);
		String marker = this.markerKey;
		if (marker != null) {
			return start(ACQUIRE_ARMED, (reply) -> armed(reply) == 1L, null, "2", marker, key, token, ttl);
		}
		return start(null, (reply) -> reply != null, null, key, token, "NX", "PX", ttl);
	}

	@Override
	public Exchange startReleaseHeld(String key, String token, String channel) {
		if (this.splitPool == null) {
			return null;
		}
		if (channel == null || this.publishDenied) {
			return start(RELEASE, JedisLockNode::isOne, null, "1", key, token);
		}
		return start(RELEASE_NOTIFY, JedisLockNode::isOne,
				(ex) -> releaseUnannounced(List.of(key), token, channel, ex), "1", key, token, channel);
	}

	/**
	 * Sends a script by SHA ({@code script} given; {@code arguments} are the key count, the keys
	 * and the arguments) or a {@code SET} ({@code script} null; {@code arguments} are SET's) on an
	 * idle connection.
	 */
	private Exchange start(LuaScript script, Predicate<Object> check, Function<JedisDataException, Boolean> recover,
			String... arguments) {
		Pool<Connection> pool = this.splitPool;
		SplitConnection connection;
		try {
			// only an idle connection: making one would connect on the caller's thread
			connection = (pool.getNumIdle() > 0) ? (SplitConnection) pool.borrowObject(Duration.ZERO) : null;
		}
		catch (Exception ex) {
			connection = null;
		}
		if (connection == null) {
			return null;
		}
		try {
			if (script != null) {
				connection.send(Protocol.Command.EVALSHA, prepend(script.sha1(), arguments));
			}
			else {
				connection.send(Protocol.Command.SET, arguments);
			}
		}
		catch (RuntimeException ex) {
			pool.returnBrokenResource(connection);
			throw ex;
		}
		return new SplitExchange(pool, connection, script, arguments, check, recover);
	}

	private static String[] prepend(String first, String[] rest) {
		String[] all = new String[rest.length + 1];
		all[0] = first;
		System.arraycopy(rest, 0, all, 1, rest.length);
		return all;
	}

	/** A command sent on a {@link SplitConnection}, answered later. */
	private static final class SplitExchange implements Exchange {

		private final Pool<Connection> pool;

		private final SplitConnection connection;

		private final LuaScript script;

		private final String[] arguments;

		private final Predicate<Object> check;

		private final Function<JedisDataException, Boolean> recover;

		SplitExchange(Pool<Connection> pool, SplitConnection connection, LuaScript script, String[] arguments,
				Predicate<Object> check, Function<JedisDataException, Boolean> recover) {
			this.pool = pool;
			this.connection = connection;
			this.script = script;
			this.arguments = arguments;
			this.check = check;
			this.recover = recover;
		}

		@Override
		public boolean isAnswered() {
			return this.connection.isAnswered();
		}

		@Override
		public boolean awaitAnswer(long timeoutNanos) {
			return this.connection.awaitAnswer(timeoutNanos);
		}

		@Override
		public boolean finish() {
			Object reply;
			JedisDataException error = null;
			boolean usable = false;
			try {
				try {
					reply = this.connection.getOne();
				}
				catch (JedisNoScriptException ex) {
					if (this.script == null) {
						throw ex;
					}
					// the node restarted or flushed its scripts: send the source once
					this.connection.send(Protocol.Command.EVAL, prepend(this.script.source(), this.arguments));
					reply = this.connection.getOne();
				}
				usable = true;
			}
			catch (JedisDataException ex) {
				// an error answer: the connection is fine
				usable = true;
				error = ex;
				reply = null;
			}
			finally {
				if (usable && !this.connection.isBroken()) {
					this.pool.returnResource(this.connection);
				}
				else {
					this.pool.returnBrokenResource(this.connection);
				}
			}
			if (error != null) {
				if (this.recover == null) {
					throw error;
				}
				return this.recover.apply(error);
			}
			return this.check.test(reply);
		}

	}

	@Override
	public Subscription listenForReleases(String channel, Consumer<String> listener) {
		if (needsHashTags()) {
			return null;
		}
		ReleaseListener subscription = new ReleaseListener(channel, listener);
		Thread thread = new Thread(subscription, "redlock-releases-" + name());
		thread.setDaemon(true);
		thread.start();
		return subscription;
	}

	@Override
	public boolean extend(List<String> keys, String token, long ttlMillis) {
		boolean extended = true;
		for (List<String> slot : bySlot(keys)) {
			extended &= isOne(run((slot.size() == 1) ? EXTEND : EXTEND_ALL, slot, token, Long.toString(ttlMillis)));
		}
		return extended;
	}

	/**
	 * Sets the keys and waits, on the same connection, until {@link #replicaAcks} replicas have
	 * the write ({@code WAIT}); a write that too few replicas acknowledged is taken back and
	 * reported as a failure, since a failover could lose it.
	 */
	private boolean acquireAcknowledged(List<String> keys, String token, long ttlMillis) {
		Response<?> set;
		Response<Long> acknowledged;
		try (AbstractPipeline pipeline = this.client.pipelined()) {
			set = (keys.size() == 1) ? pipeline.set(keys.get(0), token, SetParams.setParams().nx().px(ttlMillis))
					: pipeline.eval(ACQUIRE_ALL.source(), keys, List.of(token, Long.toString(ttlMillis)));
			acknowledged = pipeline.waitReplicas(keys.get(0), this.replicaAcks, this.replicaAckTimeoutMillis);
			pipeline.sync();
		}
		Object reply = set.get();
		boolean written = "OK".equals(reply) || isOne(reply);
		if (written && acknowledged.get() < this.replicaAcks) {
			release(keys, token);
			throw new IllegalStateException("only " + acknowledged.get() + " of " + this.replicaAcks
					+ " replicas acknowledged the lock within " + this.replicaAckTimeoutMillis + "ms");
		}
		return written;
	}

	/**
	 * The keys grouped so that each group can go to one script: all keys at once on a standalone
	 * or Sentinel member; per hash slot, in slot order, on a cluster.
	 */
	private List<List<String>> bySlot(List<String> keys) {
		if (!needsHashTags() || keys.size() == 1) {
			return List.of(keys);
		}
		Map<Integer, List<String>> slots = new TreeMap<>();
		for (String key : keys) {
			slots.computeIfAbsent(JedisClusterCRC16.getSlot(key), (slot) -> new ArrayList<>()).add(key);
		}
		return new ArrayList<>(slots.values());
	}

	@Override
	public long tryAcquireFenced(String key, String token, long ttlMillis, String counterKey) {
		String marker = this.markerKey;
		Object reply = (marker != null)
				? armed(run(ACQUIRE_FENCED_ARMED, List.of(marker, key, counterKey), token, Long.toString(ttlMillis)))
				: run(ACQUIRE_FENCED, List.of(key, counterKey), token, Long.toString(ttlMillis));
		return (reply instanceof Long counter) ? counter : -1;
	}

	/**
	 * Checks an armed script's reply: {@code -2} means the marker is missing.
	 */
	private Long armed(Object reply) {
		if (reply instanceof Long value && value == -2L) {
			throw new IllegalStateException("the node is not armed: it (re)started less than " + this.armAfter
					+ " ago and may have lost locks, or no probe has armed it yet");
		}
		return (reply instanceof Long value) ? value : 0L;
	}

	@Override
	public void arm() {
		String marker = this.markerKey;
		if (marker == null) {
			throw new UnsupportedOperationException(name() + " cannot be armed");
		}
		String runId = this.lastRunId;
		this.client.set(marker, (runId != null) ? runId : "armed");
	}

	@Override
	public boolean readFencingCounters(String pattern, Consumer<Map<String, Long>> batch) {
		String marker = this.markerKey;
		if (needsHashTags() || marker == null) {
			throw new UnsupportedOperationException(name() + " cannot list its fencing counters");
		}
		if (!this.client.exists(marker)) {
			return false;
		}
		ScanParams params = new ScanParams().match(pattern).count(COUNTER_BATCH);
		String cursor = ScanParams.SCAN_POINTER_START;
		do {
			ScanResult<String> page = this.client.scan(cursor, params);
			cursor = page.getCursor();
			List<String> keys = page.getResult();
			if (!keys.isEmpty()) {
				List<String> values = this.client.mget(keys.toArray(String[]::new));
				Map<String, Long> counters = new LinkedHashMap<>();
				for (int i = 0; i < keys.size(); i++) {
					Long value = parseCounter(values.get(i));
					if (value != null) {
						counters.put(keys.get(i), value);
					}
				}
				if (!counters.isEmpty()) {
					batch.accept(counters);
				}
			}
		}
		while (!ScanParams.SCAN_POINTER_START.equals(cursor));
		// a restart without persistence would have wiped the marker with the counters
		return this.client.exists(marker);
	}

	/**
	 * Whether a script failed because the ACL user may not run one of its commands or reach one of
	 * its channels (Redis 6.2 answers {@code NOPERM ...}, Redis 7 {@code ERR The user executing the
	 * script can't run this command ...} or {@code ... can't access ...}).
	 */
	private static boolean isPermissionDenied(JedisDataException ex) {
		String message = String.valueOf(ex.getMessage());
		return message.contains("NOPERM") || message.contains("no permissions")
				|| message.contains("The user executing the script can't");
	}

	private static Long parseCounter(String value) {
		if (value == null) {
			return null;
		}
		try {
			return Long.parseLong(value);
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	@Override
	public void raiseFencingCounters(Map<String, Long> counters) {
		if (counters.isEmpty()) {
			return;
		}
		List<String> keys = new ArrayList<>(counters.keySet());
		String[] values = keys.stream().map((key) -> Long.toString(counters.get(key))).toArray(String[]::new);
		run(RAISE_COUNTERS, keys, values);
	}

	@Override
	public boolean raiseFence(String key, String token, String counterKey, long value) {
		return isOne(run(RAISE_FENCE, List.of(key, counterKey), token, Long.toString(value)));
	}

	private Object run(LuaScript script, List<String> keys, String... args) {
		List<String> argList = List.of(args);
		try {
			return this.client.evalsha(script.sha1(), keys, argList);
		}
		catch (JedisNoScriptException ex) {
			return this.client.eval(script.source(), keys, argList);
		}
	}

	/**
	 * Pings the member, reads {@code INFO server} and {@code INFO replication} (of every shard
	 * master, for a cluster), and sets and deletes a canary lock. Each command is bounded by the
	 * node timeout.
	 */
	@Override
	public NodeStatus probe(String canaryKey) {
		Server server = new Server();
		try {
			long start = System.nanoTime();
			this.client.ping();
			server.roundTrip = Duration.ofNanos(System.nanoTime() - start);
			if (this.address.kind() == RedisNodeAddress.Kind.CLUSTER) {
				readCluster(server);
			}
			else {
				read(server, this.client.info("server"), this.client.info("replication"));
				if (this.client instanceof RedisSentinelClient sentinel) {
					server.topology = "Sentinel master '" + this.address.masterName() + "' at "
							+ sentinel.getCurrentMaster();
				}
			}
			if ("slave".equals(server.role) || "replica".equals(server.role)) {
				return server.status(false, "the node is a replica; a Redlock node must be an independent master");
			}
			this.lastRunId = server.runId;
			String marker = this.markerKey;
			if (marker != null) {
				server.armed = this.client.exists(marker);
				if (!server.armed) {
					return server.status(false, "the node is not armed: it (re)started less than " + this.armAfter
							+ " ago and may have lost locks, or its fencing counters are not restored yet");
				}
			}
			String token = Long.toHexString(System.nanoTime()) + Thread.currentThread().getId();
			boolean set = tryAcquire(List.of(canaryKey), token, 10_000);
			boolean deleted = set && release(List.of(canaryKey), token);
			return server.status(deleted, deleted ? "" : "the canary lock could not be set and deleted");
		}
		catch (RuntimeException ex) {
			JedisAccessControlException denied = accessDenied(ex);
			if (denied != null) {
				server.credentialsRejected = isAuth(denied);
				server.reachable = true;
				return server.status(false, "the node refused the credentials or a command (" + denied.getMessage() + ")");
			}
			server.reachable = server.roundTrip != null;
			return server.status(false,
					ex.getClass().getSimpleName() + ((ex.getMessage() != null) ? ": " + ex.getMessage() : ""));
		}
	}

	private void readCluster(Server server) {
		Map<String, String> runIds = new TreeMap<>();
		String state = "unknown";
		int shards = 0;
		for (Map.Entry<String, ConnectionPool> node : ((RedisClusterClient) this.client).getClusterNodes().entrySet()) {
			try (Jedis jedis = new Jedis(node.getValue().getResource())) {
				Map<String, String> cluster = parseInfo(jedis.clusterInfo());
				state = cluster.getOrDefault("cluster_state", state);
				shards = Integer.parseInt(cluster.getOrDefault("cluster_size", "0"));
				Server shard = new Server();
				read(shard, jedis.info("server"), jedis.info("replication"));
				if ("master".equals(shard.role)) {
					runIds.put(node.getKey(), shard.runId);
					server.version = shard.version;
					if (server.uptime == null || shard.uptime.compareTo(server.uptime) < 0) {
						server.uptime = shard.uptime;
					}
				}
			}
		}
		server.role = "master";
		// any shard master that restarts or fails over changes the member's run id
		server.runId = String.join(",", runIds.values());
		server.topology = "cluster " + state + ", " + shards + " shards, masters " + runIds.keySet();
		server.reachable = true;
	}

	private static void read(Server server, String serverInfo, String replicationInfo) {
		Map<String, String> values = parseInfo(serverInfo);
		server.version = values.get("redis_version");
		server.runId = values.get("run_id");
		String seconds = values.get("uptime_in_seconds");
		server.uptime = (seconds != null) ? Duration.ofSeconds(Long.parseLong(seconds)) : null;
		server.role = parseInfo(replicationInfo).get("role");
		server.reachable = true;
	}

	/**
	 * Listens for released keys on a connection of its own (to the current master, for a
	 * Sentinel member), and connects again after a failure until closed.
	 */
	private final class ReleaseListener extends JedisPubSub implements Subscription, Runnable {

		private final String channel;

		private final Consumer<String> listener;

		private volatile boolean closed;

		private volatile Connection connection;

		private volatile boolean heard;

		ReleaseListener(String channel, Consumer<String> listener) {
			this.channel = channel;
			this.listener = listener;
		}

		@Override
		public void run() {
			long backoffMillis = 100;
			while (!this.closed) {
				try (Connection connection = new Connection(currentMaster(), JedisLockNode.this.clientConfig)) {
					this.connection = connection;
					if (this.closed) {
						return;
					}
					proceed(connection, this.channel);
				}
				catch (RuntimeException ex) {
					if (this.closed) {
						return;
					}
					logger.debug("Listening for lock releases on {} failed, retrying in {}ms: {}", name(), backoffMillis,
							ex.toString());
				}
				finally {
					this.connection = null;
				}
				if (this.heard) {
					// it worked until the connection broke: reconnect soon
					this.heard = false;
					backoffMillis = 100;
				}
				try {
					Thread.sleep(backoffMillis);
				}
				catch (InterruptedException ex) {
					return;
				}
				backoffMillis = Math.min(backoffMillis * 2, 5_000);
			}
		}

		@Override
		public void onSubscribe(String channel, int subscribedChannels) {
			this.heard = true;
		}

		@Override
		public void onMessage(String channel, String message) {
			try {
				this.listener.accept(message);
			}
			catch (RuntimeException ex) {
				logger.warn("A lock release listener failed", ex);
			}
		}

		@Override
		public boolean isActive() {
			return this.connection != null && isSubscribed();
		}

		@Override
		public void close() {
			this.closed = true;
			Connection current = this.connection;
			if (current != null) {
				// unblocks the listening thread's read
				current.close();
			}
		}

	}

	private HostAndPort currentMaster() {
		if (this.client instanceof RedisSentinelClient sentinel) {
			return sentinel.getCurrentMaster();
		}
		return new HostAndPort(this.address.host(), this.address.port());
	}

	/** What a probe has read so far. */
	private final class Server {

		boolean reachable;

		boolean credentialsRejected;

		Duration roundTrip;

		String version;

		String role;

		Duration uptime;

		String runId;

		String topology;

		Boolean armed;

		NodeStatus status(boolean lockable, String problem) {
			return new NodeStatus(name(), this.reachable, lockable, this.roundTrip, this.version, this.role,
					this.uptime, this.runId, problem, this.credentialsRejected, this.topology, this.armed);
		}

	}

	private static JedisAccessControlException accessDenied(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof JedisAccessControlException denied) {
				return denied;
			}
		}
		return null;
	}

	private static boolean isAuth(JedisAccessControlException denied) {
		String message = String.valueOf(denied.getMessage());
		return message.startsWith("WRONGPASS") || message.startsWith("NOAUTH") || message.contains("invalid password")
				|| message.contains("invalid username-password");
	}

	private static Map<String, String> parseInfo(String info) {
		Map<String, String> values = new HashMap<>();
		for (String line : info.split("\\r?\\n")) {
			int colon = line.indexOf(':');
			if (colon > 0 && !line.startsWith("#")) {
				values.put(line.substring(0, colon), line.substring(colon + 1).trim());
			}
		}
		return values;
	}

	private static boolean isOne(Object reply) {
		return reply instanceof Long number && number == 1L;
	}

	@Override
	public void close() {
		this.client.close();
	}

	@Override
	public String toString() {
		return "JedisLockNode[" + name() + "]";
	}

}
