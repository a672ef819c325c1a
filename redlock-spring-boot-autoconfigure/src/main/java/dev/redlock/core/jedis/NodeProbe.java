package dev.redlock.core.jedis;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.SafeEncoder;

import dev.redlock.core.LockNode;
import dev.redlock.core.NodeStatus;
import dev.redlock.protocol.InfoFields;
import dev.redlock.protocol.RedisNodeAddress;

/**
 * Probes one member: {@code PING}, {@code INFO server}, {@code INFO replication} and
 * {@code INFO memory} (of every shard master, for a cluster), {@code TIME} (standalone and
 * Sentinel members), whether it is armed, and a canary lock set and deleted. Each command is
 * bounded by the node timeout; never throws.
 */
final class NodeProbe {

	private static final ProtocolCommand TIME = () -> SafeEncoder.encode("TIME");

	private final LockNode node;

	private final RedisNodeAddress address;

	private final UnifiedJedis client;

	private final JedisArming arming;

	NodeProbe(LockNode node, RedisNodeAddress address, UnifiedJedis client, JedisArming arming) {
		this.node = node;
		this.address = address;
		this.client = client;
		this.arming = arming;
	}

	NodeStatus probe(String canaryKey) {
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
				readMemory(server, this.client);
				readClock(server);
				if (this.arming != null) {
					this.arming.clockRead(server.clock);
				}
				if (this.client instanceof RedisSentinelClient sentinel) {
					server.topology = "Sentinel master '" + this.address.masterName() + "' at "
							+ sentinel.getCurrentMaster();
				}
			}
			if ("slave".equals(server.role) || "replica".equals(server.role)) {
				return server.status(false, "the node is a replica; a Redlock node must be an independent master");
			}
			String marker = (this.arming != null) ? this.arming.marker() : null;
			if (marker != null) {
				String armedRunId = this.client.get(marker);
				// the marker names the incarnation that was armed; a replica promoted by a failover
				// inherits its former master's marker, but not every lock that master granted
				server.armed = armedRunId != null && (server.runId == null || armedRunId.equals(server.runId));
				if (!server.armed) {
					return server.status(false, (armedRunId == null)
							? "the node is not armed yet: it grants no lock until the engine has armed it (a fresh "
									+ "node at once; one that restarted empty after the restart guard's hold-out)"
							: "the node's arming marker names another incarnation (" + armedRunId + "): a replica "
									+ "promoted by a failover, which may lack locks its former master granted");
				}
			}
			String token = Long.toHexString(System.nanoTime()) + Thread.currentThread().getId();
			boolean set = this.node.tryAcquire(List.of(canaryKey), token, 10_000);
			boolean deleted = set && this.node.release(List.of(canaryKey), token);
			return server.status(deleted, deleted ? "" : "the canary lock could not be set and deleted");
		}
		catch (RuntimeException ex) {
			String credentials = JedisFailures.credentialsProblem(ex);
			if (credentials != null) {
				server.credentialsRejected = true;
				server.reachable = true;
				return server.status(false, credentials);
			}
			JedisAccessControlException denied = JedisFailures.find(ex, JedisAccessControlException.class);
			if (denied != null) {
				server.reachable = true;
				return server.status(false, "the node refused the credentials or a command (" + denied.getMessage() + ")");
			}
			server.reachable = server.roundTrip != null;
			Throwable shown = (ex instanceof dev.redlock.core.NodeFailure && ex.getCause() != null) ? ex.getCause() : ex;
			return server.status(false,
					shown.getClass().getSimpleName() + ((shown.getMessage() != null) ? ": " + shown.getMessage() : ""));
		}
	}

	private void readCluster(Server server) {
		Map<String, String> runIds = new TreeMap<>();
		String state = "unknown";
		int shards = 0;
		for (Map.Entry<String, ConnectionPool> shard : ((RedisClusterClient) this.client).getClusterNodes().entrySet()) {
			try (Jedis jedis = new Jedis(shard.getValue().getResource())) {
				Map<String, String> cluster = InfoFields.parse(jedis.clusterInfo());
				state = cluster.getOrDefault("cluster_state", state);
				shards = Integer.parseInt(cluster.getOrDefault("cluster_size", "0"));
				Server master = new Server();
				read(master, jedis.info("server"), jedis.info("replication"));
				if ("master".equals(master.role)) {
					readMemory(master, jedis);
					if (server.maxmemoryPolicy == null || master.status(true, null).mayEvict()) {
						// the member may evict if any of its shard masters may
						server.maxmemory = master.maxmemory;
						server.maxmemoryPolicy = master.maxmemoryPolicy;
					}
					runIds.put(shard.getKey(), master.runId);
					server.version = master.version;
					if (server.uptime == null || master.uptime.compareTo(server.uptime) < 0) {
						server.uptime = master.uptime;
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
		Map<String, String> values = InfoFields.parse(serverInfo);
		server.version = values.get("redis_version");
		server.runId = values.get("run_id");
		String seconds = values.get("uptime_in_seconds");
		server.uptime = (seconds != null) ? Duration.ofSeconds(Long.parseLong(seconds)) : null;
		server.role = InfoFields.parse(replicationInfo).get("role");
		server.reachable = true;
	}

	/** {@code maxmemory} and its policy; left unknown where ACLs or a managed service hide them. */
	private static void readMemory(Server server, Object client) {
		try {
			Map<String, String> memory = InfoFields.parse(
					(client instanceof Jedis jedis) ? jedis.info("memory") : ((UnifiedJedis) client).info("memory"));
			String maxmemory = memory.get("maxmemory");
			server.maxmemory = (maxmemory != null) ? Long.valueOf(maxmemory) : null;
			server.maxmemoryPolicy = memory.get("maxmemory_policy");
		}
		catch (JedisDataException | NumberFormatException ex) {
			server.maxmemory = null;
			server.maxmemoryPolicy = null;
		}
	}

	/** The node's wall clock ({@code TIME}), placed halfway through the call on this process's clock. */
	private void readClock(Server server) {
		try {
			long start = System.nanoTime();
			Object reply = this.client.sendCommand(TIME);
			long end = System.nanoTime();
			if (reply instanceof List<?> parts && parts.size() == 2) {
				long seconds = Long.parseLong(SafeEncoder.encode((byte[]) parts.get(0)));
				long micros = Long.parseLong(SafeEncoder.encode((byte[]) parts.get(1)));
				server.clock = new NodeStatus.Clock(seconds * 1_000_000 + micros, start + (end - start) / 2, end - start);
			}
		}
		catch (JedisDataException | NumberFormatException | ClassCastException ex) {
			server.clock = null;
		}
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

		Long maxmemory;

		String maxmemoryPolicy;

		NodeStatus.Clock clock;

		NodeStatus status(boolean lockable, String problem) {
			return new NodeStatus(NodeProbe.this.node.name(), this.reachable, lockable, this.roundTrip, this.version,
					this.role, this.uptime, this.runId, problem, this.credentialsRejected, this.topology, this.armed,
					this.maxmemory, this.maxmemoryPolicy, this.clock);
		}

	}

}
