package dev.redlock.test;

import java.util.List;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that starts real Redis servers once per test class, gives every test a clean,
 * healthy group (stopped servers restarted, keys deleted), and stops them after the class.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RedisServersExtension redis = new RedisServersExtension(5);
 * }</pre>
 */
public final class RedisServersExtension implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

	private final int count;

	private final String[] extraArgs;

	private RedisServers servers;

	/**
	 * Declares a group of servers.
	 * @param count how many servers
	 * @param extraArgs further {@code redis-server} arguments for each
	 */
	public RedisServersExtension(int count, String... extraArgs) {
		this.count = count;
		this.extraArgs = extraArgs.clone();
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		this.servers = RedisServers.start(this.count, this.extraArgs);
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		this.servers.reset();
	}

	@Override
	public void afterAll(ExtensionContext context) {
		if (this.servers != null) {
			this.servers.close();
		}
	}

	/**
	 * The servers.
	 * @return the running group
	 */
	public RedisServers servers() {
		return this.servers;
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
	 * The node URIs.
	 * @return one URI per server
	 */
	public List<String> uris() {
		return this.servers.uris();
	}

}
