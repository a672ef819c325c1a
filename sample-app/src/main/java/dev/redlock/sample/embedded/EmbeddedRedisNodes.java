package dev.redlock.sample.embedded;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.redlock.test.RedisServerProcess;
import dev.redlock.test.RedisServers;

/**
 * The {@code redis-server} processes the sample started for itself because {@code redlock.nodes}
 * was not set. Present as a bean only then; stopped when the application context closes.
 */
public final class EmbeddedRedisNodes implements AutoCloseable {

	/** The name of the bean. */
	public static final String BEAN_NAME = "embeddedRedisNodes";

	private static final Logger logger = LoggerFactory.getLogger(EmbeddedRedisNodes.class);

	private final RedisServers servers;

	/**
	 * Wraps running servers.
	 * @param servers the servers, now owned by this object
	 */
	public EmbeddedRedisNodes(RedisServers servers) {
		this.servers = servers;
	}

	/**
	 * Starts servers on free loopback ports.
	 * @param count how many
	 * @return the running nodes
	 */
	public static EmbeddedRedisNodes start(int count) {
		return new EmbeddedRedisNodes(RedisServers.start(count));
	}

	/**
	 * The node URIs, as {@code redlock.nodes} lists them.
	 * @return one {@code redis://127.0.0.1:port} per node
	 */
	public List<String> uris() {
		return this.servers.uris();
	}

	/**
	 * The processes, which can be killed and restarted.
	 * @return the servers, in the order of {@link #uris()}
	 */
	public List<RedisServerProcess> servers() {
		return this.servers.all();
	}

	/**
	 * How many nodes answer.
	 * @return the count of running servers
	 */
	public int running() {
		return (int) this.servers.all().stream().filter(RedisServerProcess::isRunning).count();
	}

	/**
	 * A short description, such as {@code 5 redis-server 7.0.15 nodes on 127.0.0.1}.
	 * @return the description
	 */
	public String describe() {
		return this.servers.size() + " redis-server " + this.servers.get(0).version() + " nodes: "
				+ String.join(", ", uris());
	}

	/**
	 * Stops every server.
	 */
	@Override
	public void close() {
		this.servers.close();
		logger.info("Stopped the {} embedded Redis nodes", this.servers.size());
	}

}
