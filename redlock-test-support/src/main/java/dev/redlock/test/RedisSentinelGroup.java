package dev.redlock.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A master, one replica and three Sentinels (quorum 2) on free loopback ports, monitoring the
 * master as {@value #MASTER_NAME}; {@link #failover()} kills the current master and returns once
 * the Sentinels have promoted the replica.
 */
public final class RedisSentinelGroup implements AutoCloseable {

	/** The name the Sentinels know the master by. */
	public static final String MASTER_NAME = "mymaster";

	private final RedisServerProcess master;

	private final RedisServerProcess replica;

	private final List<RedisServerProcess> sentinels;

	private RedisSentinelGroup(RedisServerProcess master, RedisServerProcess replica,
			List<RedisServerProcess> sentinels) {
		this.master = master;
		this.replica = replica;
		this.sentinels = sentinels;
	}

	/**
	 * Starts the group and waits until the Sentinels know the replica.
	 * @return the running group
	 */
	public static RedisSentinelGroup start() {
		RedisServerProcess master = RedisServerProcess.start();
		RedisServerProcess replica = null;
		List<RedisServerProcess> sentinels = new ArrayList<>();
		try {
			replica = RedisServerProcess.start("--replicaof", RedisServerProcess.HOST, Integer.toString(master.port()));
			for (int i = 0; i < 3; i++) {
				sentinels.add(RedisServerProcess.startSentinel("sentinel monitor " + MASTER_NAME + " "
						+ RedisServerProcess.HOST + " " + master.port() + " 2\n"
						+ "sentinel down-after-milliseconds " + MASTER_NAME + " 1000\n"
						+ "sentinel failover-timeout " + MASTER_NAME + " 5000\n"
						+ "sentinel parallel-syncs " + MASTER_NAME + " 1"));
			}
			RedisSentinelGroup group = new RedisSentinelGroup(master, replica, sentinels);
			RedisServerProcess follower = replica;
			group.await(Duration.ofSeconds(30),
					() -> String.valueOf(follower.call("INFO", "replication")).contains("master_link_status:up"),
					"the replica to sync with the master");
			// the master counts the replica (for WAIT) only once it has acknowledged: "state=online"
			group.await(Duration.ofSeconds(30),
					() -> String.valueOf(master.call("INFO", "replication")).contains("state=online"),
					"the master to count the replica as online");
			group.await(Duration.ofSeconds(30), () -> group.sentinels.stream().allMatch((sentinel) -> {
				Object replicas = sentinel.call("SENTINEL", "REPLICAS", MASTER_NAME);
				return replicas instanceof List<?> list && !list.isEmpty();
			}), "the Sentinels to discover the replica");
			return group;
		}
		catch (RuntimeException ex) {
			master.close();
			if (replica != null) {
				replica.close();
			}
			sentinels.forEach(RedisServerProcess::close);
			throw ex;
		}
	}

	private void await(Duration timeout, java.util.function.BooleanSupplier condition, String what) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			try {
				if (condition.getAsBoolean()) {
					return;
				}
			}
			catch (RuntimeException ex) {
				// not ready yet
			}
			Thread.onSpinWait();
		}
		throw new IllegalStateException("Timed out waiting for " + what);
	}

	/**
	 * The port of the master the Sentinels name now.
	 * @return the port
	 */
	@SuppressWarnings("unchecked")
	public int currentMasterPort() {
		List<String> address = (List<String>) this.sentinels.get(0).call("SENTINEL", "GET-MASTER-ADDR-BY-NAME",
				MASTER_NAME);
		return Integer.parseInt(address.get(1));
	}

	/**
	 * Kills the current master and waits until every Sentinel names the replica as master.
	 * @return the new master
	 */
	public RedisServerProcess failover() {
		int before = currentMasterPort();
		RedisServerProcess current = (before == this.master.port()) ? this.master : this.replica;
		RedisServerProcess next = (current == this.master) ? this.replica : this.master;
		current.kill();
		await(Duration.ofSeconds(30), () -> this.sentinels.stream().allMatch((sentinel) -> {
			Object address = sentinel.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
			return address instanceof List<?> list && list.get(1).equals(Integer.toString(next.port()));
		}), "the failover to " + next);
		await(Duration.ofSeconds(30), () -> String.valueOf(next.call("INFO", "replication")).contains("role:master"),
				"the replica to become master");
		return next;
	}

	/**
	 * The member URI, for {@code redlock.nodes}.
	 * @return {@code redis-sentinel://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3/mymaster}
	 */
	public String uri() {
		return "redis-sentinel://" + String.join(",",
				this.sentinels.stream().map((sentinel) -> RedisServerProcess.HOST + ":" + sentinel.port()).toList())
				+ "/" + MASTER_NAME;
	}

	/**
	 * The first master.
	 * @return the master
	 */
	public RedisServerProcess master() {
		return this.master;
	}

	/**
	 * The first replica.
	 * @return the replica
	 */
	public RedisServerProcess replica() {
		return this.replica;
	}

	@Override
	public void close() {
		this.sentinels.forEach(RedisServerProcess::close);
		this.replica.close();
		this.master.close();
	}

}
