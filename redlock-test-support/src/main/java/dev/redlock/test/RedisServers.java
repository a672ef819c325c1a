package dev.redlock.test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A group of independent {@link RedisServerProcess}es, the nodes of a Redlock quorum.
 */
public final class RedisServers implements AutoCloseable {

	private final List<RedisServerProcess> servers;

	private RedisServers(List<RedisServerProcess> servers) {
		this.servers = List.copyOf(servers);
	}

	/**
	 * Starts {@code count} servers in parallel.
	 * @param count how many
	 * @param extraArgs further {@code redis-server} arguments for each
	 * @return the running servers
	 */
	public static RedisServers start(int count, String... extraArgs) {
		List<CompletableFuture<RedisServerProcess>> starting = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			starting.add(CompletableFuture.supplyAsync(() -> RedisServerProcess.start(extraArgs)));
		}
		List<RedisServerProcess> started = new ArrayList<>();
		RuntimeException failure = null;
		for (CompletableFuture<RedisServerProcess> future : starting) {
			try {
				started.add(future.join());
			}
			catch (RuntimeException ex) {
				failure = (failure != null) ? failure : ex;
			}
		}
		if (failure != null) {
			started.forEach(RedisServerProcess::close);
			throw failure;
		}
		return new RedisServers(started);
	}

	/**
	 * One server.
	 * @param index its index, from 0
	 * @return the server
	 */
	public RedisServerProcess get(int index) {
		return this.servers.get(index);
	}

	/**
	 * All servers.
	 * @return the servers, in start order
	 */
	public List<RedisServerProcess> all() {
		return this.servers;
	}

	/**
	 * How many servers there are.
	 * @return the count
	 */
	public int size() {
		return this.servers.size();
	}

	/**
	 * The node URIs, for {@code redlock.nodes}.
	 * @return one {@code redis://127.0.0.1:port} per server
	 */
	public List<String> uris() {
		return this.servers.stream().map(RedisServerProcess::uri).toList();
	}

	/**
	 * The keys that a majority of the servers hold, as a Redlock quorum would: keys that only a
	 * minority holds (a slow node's late write, a leftover) are left out.
	 * @param pattern a {@code KEYS} pattern, such as {@code redlock:*}
	 * @return the keys, sorted
	 */
	public List<String> keysOnMajority(String pattern) {
		java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
		for (RedisServerProcess server : this.servers) {
			if (server.isRunning()) {
				server.keys(pattern).forEach((key) -> counts.merge(key, 1, Integer::sum));
			}
		}
		return counts.entrySet().stream().filter((entry) -> entry.getValue() > this.servers.size() / 2)
			.map(java.util.Map.Entry::getKey)
			.toList();
	}

	/**
	 * Restarts every stopped server on its port and deletes every key, so that the next test
	 * starts from a clean, healthy group.
	 */
	public void reset() {
		for (RedisServerProcess server : this.servers) {
			if (!server.isRunning()) {
				server.restart();
			}
			server.flushAll();
		}
	}

	/**
	 * Stops every server.
	 */
	@Override
	public void close() {
		this.servers.forEach(RedisServerProcess::close);
	}

}
