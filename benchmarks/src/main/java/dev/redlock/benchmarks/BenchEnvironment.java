package dev.redlock.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;

import java.net.URI;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.redlock.test.DelayProxy;
import dev.redlock.test.RedisBinary;
import dev.redlock.test.RedisServers;
import dev.redlock.test.RespConnection;

/**
 * The Redis nodes every benchmark runs against: five {@code redis-server} processes on loopback
 * ports, and the fixture's {@link DelayProxy} in front of the fifth that makes every round trip to
 * it {@link #SLOW_NODE_DELAY} slower (half of it in each direction). On an emulated LAN
 * ({@code -lan}), a delay proxy in front of every node adds {@link #LAN_DELAY} in each direction.
 *
 * <p>{@link BenchmarkMain} starts them once and hands their addresses to every forked JMH JVM
 * through the {@value #NODES_PROPERTY} and {@value #SLOW_NODE_PROPERTY} system properties, so
 * that all implementations in one run use the same processes. A JVM started without those
 * properties (JMH run directly, an IDE) starts its own, once, and stops them when it exits.
 */
public final class BenchEnvironment implements AutoCloseable {

	/** System property: comma-separated {@code redis://} URIs of the five fast nodes. */
	public static final String NODES_PROPERTY = "redlock.bench.nodes";

	/** System property: the {@code redis://} URI of the delay proxy in front of the fifth node. */
	public static final String SLOW_NODE_PROPERTY = "redlock.bench.slow-node";

	/** How many nodes are started. */
	public static final int NODE_COUNT = 5;

	/** How much slower the slow node answers: every round trip to it takes this much longer. */
	public static final Duration SLOW_NODE_DELAY = Duration.ofMillis(50);

	/** The one-way delay of the emulated LAN ({@code -lan}): a 0.5 ms round trip to every node. */
	public static final Duration LAN_DELAY = Duration.ofNanos(250_000);

	private static BenchEnvironment shared;

	private final List<String> nodes;

	private final String slowNode;

	private final RedisServers servers;

	private final List<DelayProxy> proxies;

	private BenchEnvironment(List<String> nodes, String slowNode, RedisServers servers, List<DelayProxy> proxies) {
		this.nodes = List.copyOf(nodes);
		this.slowNode = slowNode;
		this.servers = servers;
		this.proxies = proxies;
	}

	/**
	 * Starts five nodes and a delay proxy in front of the fifth.
	 * @param slowNodeDelay how much longer a round trip to the fifth node takes through the proxy
	 * (half of it on the way there, half on the way back)
	 * @return the environment; closing it stops the nodes and the proxy
	 */
	public static BenchEnvironment start(Duration slowNodeDelay) {
		return start(slowNodeDelay, Duration.ZERO);
	}

	/**
	 * Starts five nodes, a delay proxy in front of the fifth, and with a LAN delay one in front of
	 * every node, through which the nodes are then reached.
	 * @param slowNodeDelay how much longer a round trip to the fifth node takes through its proxy
	 * (half of it on the way there, half on the way back)
	 * @param lanDelay the delay of every node's link in each direction, or zero for none
	 * @return the environment; closing it stops the nodes and the proxies
	 */
	public static BenchEnvironment start(Duration slowNodeDelay, Duration lanDelay) {
		RedisServers servers = RedisServers.start(NODE_COUNT);
		List<DelayProxy> proxies = new ArrayList<>();
		List<String> nodes = servers.uris();
		if (!lanDelay.isZero()) {
			nodes = new ArrayList<>();
			for (int i = 0; i < NODE_COUNT; i++) {
				DelayProxy link = DelayProxy.to(servers.get(i));
				link.setDelay(lanDelay);
				proxies.add(link);
				nodes.add(link.uri());
			}
		}
		DelayProxy slow = DelayProxy.to(servers.get(NODE_COUNT - 1));
		slow.setDelay(slowNodeDelay.dividedBy(2).plus(lanDelay));
		proxies.add(slow);
		return new BenchEnvironment(nodes, slow.uri(), servers, proxies);
	}

	/**
	 * The environment of this JVM: the nodes named by the system properties, or nodes started
	 * now (once) and stopped when the JVM exits.
	 * @return the environment
	 */
	public static synchronized BenchEnvironment shared() {
		if (shared == null) {
			String nodes = System.getProperty(NODES_PROPERTY);
			String slowNode = System.getProperty(SLOW_NODE_PROPERTY);
			if (nodes != null && slowNode != null) {
				shared = new BenchEnvironment(Arrays.asList(nodes.split(",")), slowNode, null, List.of());
			}
			else {
				BenchEnvironment started = start(SLOW_NODE_DELAY);
				Runtime.getRuntime().addShutdownHook(new Thread(started::close, "bench-environment-stop"));
				shared = started;
			}
		}
		return shared;
	}

	/**
	 * The system properties that hand this environment to another JVM.
	 * @return {@code -D} arguments
	 */
	public List<String> jvmArgs() {
		return List.of("-D" + NODES_PROPERTY + "=" + String.join(",", this.nodes),
				"-D" + SLOW_NODE_PROPERTY + "=" + this.slowNode);
	}

	/**
	 * The first {@code count} fast nodes.
	 * @param count how many, 1 to 5
	 * @return their URIs
	 */
	public List<String> nodes(int count) {
		return this.nodes.subList(0, count);
	}

	/**
	 * Four fast nodes, and the fifth through the delay proxy.
	 * @return five URIs, the last one slow
	 */
	public List<String> nodesWithOneSlow() {
		List<String> uris = new ArrayList<>(this.nodes.subList(0, NODE_COUNT - 1));
		uris.add(this.slowNode);
		return uris;
	}

	/**
	 * The ports of the five nodes (not the slow node's proxy's; on an emulated LAN, the nodes' own
	 * where this environment started them, else their links').
	 * @return the ports
	 */
	public List<Integer> ports() {
		List<String> uris = (this.servers != null) ? this.servers.uris() : this.nodes;
		return uris.stream().map((uri) -> URI.create(uri).getPort()).toList();
	}

	/**
	 * Runs one command on a node through a connection of its own, never through a client under
	 * test.
	 * @param port the node's port
	 * @param command the command and its arguments
	 * @return the reply
	 */
	static Object call(int port, String... command) {
		try {
			return RespConnection.call("127.0.0.1", port, 5000, null, command);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Redis on port " + port + " failed " + command[0], ex);
		}
	}

	/**
	 * Deletes every key on every node.
	 */
	public void flushAll() {
		for (int port : ports()) {
			call(port, "FLUSHALL");
		}
	}

	/**
	 * The version of the {@code redis-server} binary.
	 * @return the version, such as {@code 7.0.15}
	 */
	public static String redisVersion() {
		return RedisBinary.locate().version();
	}

	/**
	 * Stops the proxies and the nodes, if this environment started them.
	 */
	@Override
	public void close() {
		this.proxies.forEach(DelayProxy::close);
		if (this.servers != null) {
			this.servers.close();
		}
	}

}
