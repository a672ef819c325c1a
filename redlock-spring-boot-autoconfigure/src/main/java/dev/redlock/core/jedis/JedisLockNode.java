package dev.redlock.core.jedis;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;

import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.params.SetParams;

import dev.redlock.core.LockNode;
import dev.redlock.core.NodeStatus;

/**
 * A {@link LockNode} on one standalone Redis master, through a pooled Jedis {@link RedisClient}.
 * Release and extend are Lua compare-and-act scripts, sent by SHA ({@code EVALSHA}) and by
 * source only when the node does not know them yet ({@code NOSCRIPT}).
 */
public final class JedisLockNode implements LockNode {

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

	static final LuaScript ACQUIRE_FENCED = new LuaScript(
			"if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then "
					+ "return tonumber(redis.call('get', KEYS[2]) or '0') else return -1 end");

	static final LuaScript RAISE_FENCE = new LuaScript("if redis.call('get', KEYS[1]) == ARGV[1] then "
			+ "if tonumber(redis.call('get', KEYS[2]) or '0') < tonumber(ARGV[2]) then "
			+ "redis.call('set', KEYS[2], ARGV[2]) end return 1 else return 0 end");

	private final RedisNodeAddress address;

	private final RedisClient client;

	/**
	 * Connects to one master. Connections are made on first use.
	 * @param address the master
	 * @param nodeTimeout the longest a command may take: the socket read timeout, and the longest
	 * wait for a free pooled connection
	 * @param maxConnections the pool's size
	 */
	public JedisLockNode(RedisNodeAddress address, Duration nodeTimeout, int maxConnections) {
		this(address, nodeTimeout, maxConnections, null);
	}

	/**
	 * Connects to one master, with TLS trust material of its own. Connections are made on first
	 * use.
	 * @param address the master
	 * @param nodeTimeout the longest a command may take: the socket read and connect timeout, and
	 * the longest wait for a free pooled connection
	 * @param maxConnections the pool's size
	 * @param sslSocketFactory the TLS socket factory for {@code rediss://} nodes (trusting the
	 * nodes' CA), or {@code null} for the JVM's default trust store
	 */
	public JedisLockNode(RedisNodeAddress address, Duration nodeTimeout, int maxConnections,
			SSLSocketFactory sslSocketFactory) {
		this.address = address;
		int timeoutMillis = (int) Math.max(1, nodeTimeout.toMillis());
		DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
			.socketTimeoutMillis(timeoutMillis)
			.connectionTimeoutMillis(timeoutMillis)
			.database(address.database())
			.clientName("redlock")
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
		ConnectionPoolConfig pool = new ConnectionPoolConfig();
		pool.setMaxTotal(maxConnections);
		pool.setMaxIdle(maxConnections);
		pool.setMinIdle(0);
		pool.setMaxWait(nodeTimeout);
		pool.setBlockWhenExhausted(true);
		this.client = RedisClient.builder()
			.hostAndPort(address.host(), address.port())
			.clientConfig(config.build())
			.poolConfig(pool)
			.build();
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
	public RedisClient client() {
		return this.client;
	}

	@Override
	public String name() {
		return this.address.name();
	}

	@Override
	public boolean tryAcquire(List<String> keys, String token, long ttlMillis) {
		if (keys.size() == 1) {
			return "OK".equals(this.client.set(keys.get(0), token, SetParams.setParams().nx().px(ttlMillis)));
		}
		return isOne(run(ACQUIRE_ALL, keys, token, Long.toString(ttlMillis)));
	}

	@Override
	public boolean release(List<String> keys, String token) {
		Object reply = run((keys.size() == 1) ? RELEASE : RELEASE_ALL, keys, token);
		return reply instanceof Long deleted && deleted == keys.size();
	}

	@Override
	public boolean extend(List<String> keys, String token, long ttlMillis) {
		return isOne(run((keys.size() == 1) ? EXTEND : EXTEND_ALL, keys, token, Long.toString(ttlMillis)));
	}

	@Override
	public long tryAcquireFenced(String key, String token, long ttlMillis, String counterKey) {
		Object reply = run(ACQUIRE_FENCED, List.of(key, counterKey), token, Long.toString(ttlMillis));
		return (reply instanceof Long counter) ? counter : -1;
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
	 * Pings the node, reads {@code INFO server} and {@code INFO replication}, and sets and deletes
	 * a canary lock. Each command is bounded by the node timeout.
	 */
	@Override
	public NodeStatus probe(String canaryKey) {
		Duration roundTrip = null;
		String version = null;
		String role = null;
		Duration uptime = null;
		String runId = null;
		try {
			long start = System.nanoTime();
			this.client.ping();
			roundTrip = Duration.ofNanos(System.nanoTime() - start);
			Map<String, String> server = parseInfo(this.client.info("server"));
			version = server.get("redis_version");
			runId = server.get("run_id");
			String seconds = server.get("uptime_in_seconds");
			uptime = (seconds != null) ? Duration.ofSeconds(Long.parseLong(seconds)) : null;
			role = parseInfo(this.client.info("replication")).get("role");
			if ("slave".equals(role) || "replica".equals(role)) {
				return new NodeStatus(name(), true, false, roundTrip, version, role, uptime, runId,
						"the node is a replica; a Redlock node must be an independent master", false);
			}
			String token = Long.toHexString(System.nanoTime()) + Thread.currentThread().getId();
			boolean set = tryAcquire(List.of(canaryKey), token, 10_000);
			boolean deleted = set && release(List.of(canaryKey), token);
			return new NodeStatus(name(), true, deleted, roundTrip, version, role, uptime, runId,
					deleted ? "" : "the canary lock could not be set and deleted", false);
		}
		catch (RuntimeException ex) {
			JedisAccessControlException denied = accessDenied(ex);
			if (denied != null) {
				return new NodeStatus(name(), true, false, roundTrip, version, role, uptime, runId,
						"the node refused the credentials or a command (" + denied.getMessage() + ")", isAuth(denied));
			}
			String problem = ex.getClass().getSimpleName() + ((ex.getMessage() != null) ? ": " + ex.getMessage() : "");
			return new NodeStatus(name(), roundTrip != null, false, roundTrip, version, role, uptime, runId, problem,
					false);
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
		for (String line : info.split("\r?\n")) {
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
