package dev.redlock.core.jedis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.SSLSocketFactory;

import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

import dev.redlock.core.AnnouncingNode;
import dev.redlock.core.ArmableNode;
import dev.redlock.core.FencedNode;
import dev.redlock.core.LockNode;
import dev.redlock.core.NodeExchange;
import dev.redlock.core.NodeStatus;
import dev.redlock.protocol.KeySlots;
import dev.redlock.protocol.LockNodeSettings;
import dev.redlock.protocol.LockReplies;
import dev.redlock.protocol.LockScripts;
import dev.redlock.protocol.RedisNodeAddress;

/**
 * A {@link LockNode} on one quorum member through a pooled Jedis client: a standalone master
 * ({@link RedisClient}), a Sentinel-monitored master ({@link RedisSentinelClient}, which follows
 * failovers) or a Redis Cluster ({@link RedisClusterClient}, which routes each key to the shard
 * owning its slot). Release and extend are Lua compare-and-act scripts, sent by SHA
 * ({@code EVALSHA}) and by source only when the node does not know them yet ({@code NOSCRIPT}).
 * Every failure is reported as a {@link dev.redlock.core.NodeFailure}.
 *
 * <p>Capabilities: fencing on every member; arming and announced releases on standalone and
 * Sentinel members (a cluster marker would live in one slot, and a cluster broadcasts every
 * message to all its nodes); the send-now, read-later exchange on plain-TCP standalone members.
 *
 * <p>On a cluster, the keys of one lock that live in different slots are taken slot by slot in a
 * fixed order, each slot's keys in one script; if one slot's keys are taken by another owner, the
 * slots already taken are released, so the lock is still all or none.
 */
public final class JedisLockNode implements LockNode, FencedNode {

	private final RedisNodeAddress address;

	/** {@link RedisNodeAddress#name()}, built once: every round's outcomes name their nodes. */
	private final String name;

	private final UnifiedJedis client;

	private final boolean cluster;

	private final int maxConnections;

	private final JedisArming arming;

	private final ReleaseAnnouncer announcer;

	private final ReplicaAcks replicaAcks;

	private final ExchangeCommands exchanges;

	private final NodeProbe probe;

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
	 * @param nodeTimeout the node timeout
	 * @param maxConnections the pool's size (per shard for a cluster)
	 * @param sslSocketFactory the TLS socket factory, or {@code null}
	 */
	public JedisLockNode(RedisNodeAddress address, Duration nodeTimeout, int maxConnections,
			SSLSocketFactory sslSocketFactory) {
		this(address, nodeTimeout, maxConnections, sslSocketFactory, 0);
	}

	/**
	 * Connects to one member, asking for replica acknowledgements of each acquisition.
	 * @param address the member
	 * @param nodeTimeout the node timeout
	 * @param maxConnections the pool's size (per shard for a cluster)
	 * @param sslSocketFactory the TLS socket factory, or {@code null}
	 * @param replicaAcks how many replicas must acknowledge a new lock key
	 */
	public JedisLockNode(RedisNodeAddress address, Duration nodeTimeout, int maxConnections,
			SSLSocketFactory sslSocketFactory, int replicaAcks) {
		this(new LockNodeSettings(address, nodeTimeout, maxConnections, sslSocketFactory, replicaAcks, true));
	}

	/**
	 * Connects to one member. Connections are made on first use.
	 * @param options how
	 */
	public JedisLockNode(LockNodeSettings options) {
		this.address = options.address();
		this.name = this.address.name();
		this.cluster = this.address.kind() == RedisNodeAddress.Kind.CLUSTER;
		this.maxConnections = options.maxConnections();
		JedisClients clients = JedisClients.build(options);
		this.client = clients.client();
		this.arming = this.cluster ? null : new JedisArming(this.client, options.nodeTimeout());
		this.announcer = this.cluster ? null
				: new ReleaseAnnouncer(name(), this.client, clients.config(), this::currentMaster, this::release);
		this.replicaAcks = (options.replicaAcks() > 0 && !this.cluster) ? new ReplicaAcks(this.client,
				options.replicaAcks(), Math.max(1, options.nodeTimeout().toMillis() / 2), this::release) : null;
		this.exchanges = (clients.exchanges() != null)
				? new ExchangeCommands(clients.exchanges(), this.arming, this.announcer, this.replicaAcks == null) : null;
		this.probe = new NodeProbe(this, this.address, this.client, this.arming);
	}

	/**
	 * The address this node connects to.
	 * @return the address
	 */
	public RedisNodeAddress address() {
		return this.address;
	}

	/**
	 * How many pooled connections of a standalone member are borrowed now: 0 once every call has
	 * given its connection back.
	 * @return the borrowed connections, or -1 for Sentinel and Cluster members
	 */
	public int connectionsInUse() {
		return (this.client instanceof RedisClient standalone) ? standalone.getPool().getNumActive() : -1;
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public int maxConcurrentCalls() {
		// a cluster member has a pool per shard
		return this.cluster ? 0 : this.maxConnections;
	}

	@Override
	public boolean needsHashTags() {
		return this.cluster;
	}

	@Override
	public <T> Optional<T> capability(Class<T> type) {
		Object capability = null;
		if (type == FencedNode.class) {
			capability = this;
		}
		else if (type == ArmableNode.class) {
			capability = this.arming;
		}
		else if (type == AnnouncingNode.class) {
			capability = this.announcer;
		}
		else if (type == NodeExchange.class) {
			capability = this.exchanges;
		}
		return Optional.ofNullable(type.isInstance(capability) ? type.cast(capability) : null);
	}

	@Override
	public boolean tryAcquire(List<String> keys, String token, long ttlMillis) {
		return JedisFailures.call(() -> acquire(keys, token, ttlMillis));
	}

	private boolean acquire(List<String> keys, String token, long ttlMillis) {
		String marker = (this.arming != null) ? this.arming.marker() : null;
		if (marker != null) {
			List<String> markerAndKeys = new ArrayList<>(keys.size() + 1);
			markerAndKeys.add(marker);
			markerAndKeys.addAll(keys);
			return LockReplies.armed(ScriptCalls.run(this.client, LockScripts.ACQUIRE_ARMED, markerAndKeys, token,
					Long.toString(ttlMillis), this.arming.latestServerMicros())) == 1L;
		}
		if (this.replicaAcks != null) {
			return this.replicaAcks.acquire(keys, token, ttlMillis);
		}
		if (keys.size() == 1) {
			return "OK".equals(this.client.set(keys.get(0), token, SetParams.setParams().nx().px(ttlMillis)));
		}
		List<List<String>> taken = new ArrayList<>();
		for (List<String> slot : KeySlots.bySlot(this.cluster, keys)) {
			if (!LockReplies.isOne(ScriptCalls.run(this.client, LockScripts.ACQUIRE_ALL, slot, token,
					Long.toString(ttlMillis)))) {
				for (List<String> acquired : taken) {
					ScriptCalls.run(this.client, LockScripts.RELEASE_ALL, acquired, token);
				}
				return false;
			}
			taken.add(slot);
		}
		return true;
	}

	@Override
	public boolean release(List<String> keys, String token) {
		return JedisFailures.call(() -> {
			long deleted = 0;
			for (List<String> slot : KeySlots.bySlot(this.cluster, keys)) {
				Object reply = ScriptCalls.run(this.client,
						(slot.size() == 1) ? LockScripts.RELEASE : LockScripts.RELEASE_ALL, slot, token);
				deleted += (reply instanceof Long count) ? count : 0;
			}
			return deleted == keys.size();
		});
	}

	@Override
	public boolean extend(List<String> keys, String token, long ttlMillis) {
		return JedisFailures.call(() -> {
			boolean extended = true;
			for (List<String> slot : KeySlots.bySlot(this.cluster, keys)) {
				extended &= LockReplies.isOne(ScriptCalls.run(this.client,
						(slot.size() == 1) ? LockScripts.EXTEND : LockScripts.EXTEND_ALL, slot, token,
						Long.toString(ttlMillis)));
			}
			return extended;
		});
	}

	@Override
	public long tryAcquireFenced(String key, String token, long ttlMillis, String counterKey) {
		return JedisFailures.call(() -> {
			String marker = (this.arming != null) ? this.arming.marker() : null;
			Object reply = (marker != null)
					? LockReplies.armed(ScriptCalls.run(this.client, LockScripts.ACQUIRE_FENCED_ARMED,
							List.of(marker, key, counterKey), token, Long.toString(ttlMillis),
							this.arming.latestServerMicros()))
					: ScriptCalls.run(this.client, LockScripts.ACQUIRE_FENCED, List.of(key, counterKey), token,
							Long.toString(ttlMillis));
			return (reply instanceof Long counter) ? counter : -1L;
		});
	}

	@Override
	public boolean raiseFence(String key, String token, String counterKey, long value) {
		return LockReplies.isOne(JedisFailures.call(() -> ScriptCalls.run(this.client, LockScripts.RAISE_FENCE,
				List.of(key, counterKey), token, Long.toString(value))));
	}

	/**
	 * Pings the member, reads {@code INFO server} and {@code INFO replication} (of every shard
	 * master, for a cluster), and sets and deletes a canary lock. Each command is bounded by the
	 * node timeout.
	 */
	@Override
	public NodeStatus probe(String canaryKey) {
		return this.probe.probe(canaryKey);
	}

	private HostAndPort currentMaster() {
		if (this.client instanceof RedisSentinelClient sentinel) {
			return sentinel.getCurrentMaster();
		}
		return new HostAndPort(this.address.host(), this.address.port());
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
