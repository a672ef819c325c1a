package dev.redlock.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A Redis Cluster of masters (no replicas) made of {@link RedisServerProcess}es on free loopback
 * ports: the 16384 hash slots are split evenly, the nodes meet, and {@link #start} returns once
 * every node reports {@code cluster_state:ok}.
 */
public final class RedisClusterGroup implements AutoCloseable {

	private static final int SLOTS = 16384;

	private final RedisServers servers;

	private RedisClusterGroup(RedisServers servers) {
		this.servers = servers;
	}

	/**
	 * Starts a cluster.
	 * @param masters how many masters (shards)
	 * @return the running cluster
	 */
	public static RedisClusterGroup start(int masters) {
		RedisServers servers = RedisServers.start(masters, "--cluster-enabled", "yes", "--cluster-config-file",
				"nodes.conf", "--cluster-node-timeout", "2000");
		try {
			for (int i = 0; i < masters; i++) {
				int from = i * SLOTS / masters;
				int to = (i + 1) * SLOTS / masters;
				List<String> command = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
				IntStream.range(from, to).forEach((slot) -> command.add(Integer.toString(slot)));
				servers.get(i).call(command.toArray(String[]::new));
			}
			for (int i = 1; i < masters; i++) {
				servers.get(0).call("CLUSTER", "MEET", RedisServerProcess.HOST, Integer.toString(servers.get(i).port()));
			}
			awaitState(servers, Duration.ofSeconds(30));
			return new RedisClusterGroup(servers);
		}
		catch (RuntimeException ex) {
			servers.close();
			throw ex;
		}
	}

	private static void awaitState(RedisServers servers, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			boolean ok = servers.all().stream().allMatch((server) -> {
				String info = (String) server.call("CLUSTER", "INFO");
				return info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:" + servers.size());
			});
			if (ok) {
				return;
			}
			Thread.onSpinWait();
		}
		throw new IllegalStateException("The cluster did not reach cluster_state:ok within " + timeout);
	}

	/**
	 * The member URI, for {@code redlock.nodes}.
	 * @return {@code redis-cluster://127.0.0.1:port,...}
	 */
	public String uri() {
		return "redis-cluster://" + String.join(",",
				this.servers.all().stream().map((server) -> RedisServerProcess.HOST + ":" + server.port()).toList());
	}

	/**
	 * The masters.
	 * @return the servers
	 */
	public RedisServers servers() {
		return this.servers;
	}

	/**
	 * Deletes every key on every master.
	 */
	public void flushAll() {
		this.servers.all().forEach(RedisServerProcess::flushAll);
	}

	@Override
	public void close() {
		this.servers.close();
	}

}
