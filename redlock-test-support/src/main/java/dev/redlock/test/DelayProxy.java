package dev.redlock.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on a free loopback port that forwards every connection to one loopback target and
 * can hold the traffic back for a while, as a slow network link would. The delay applies to both
 * directions, can be changed at any time (it applies to bytes read after the change) and never
 * reorders the bytes of a connection: a chunk is forwarded no earlier than the chunk before it.
 * A delay of zero forwards at once.
 *
 * <p>One daemon thread serves every connection of a proxy (non-blocking I/O), so the number of
 * threads does not grow with the number of connections. When one side of a connection closes,
 * the bytes already read from it are still delivered (after their delay), then both sides are
 * closed; a target that refuses the connection makes the proxy close the client's connection.
 *
 * <pre>{@code
 * try (DelayProxy proxy = DelayProxy.to(server)) {
 *     proxy.setDelay(Duration.ofMillis(50));
 *     // connect to proxy.uri() instead of server.uri()
 * }
 * }</pre>
 */
public final class DelayProxy implements AutoCloseable {

	private static final AtomicInteger COUNT = new AtomicInteger();

	private final InetSocketAddress target;

	private final ProxyLoop loop;

	private final Thread thread;

	private volatile long delayNanos;

	private DelayProxy(InetSocketAddress target) throws IOException {
		this.target = target;
		this.loop = new ProxyLoop(target, () -> this.delayNanos);
		this.thread = new Thread(this.loop, "delay-proxy-" + COUNT.incrementAndGet() + "-" + port() + "->"
				+ target.getPort());
		this.thread.setDaemon(true);
		this.thread.start();
	}

	/**
	 * Starts a proxy to a loopback target.
	 * @param host the target's host: a loopback address, such as {@code 127.0.0.1}
	 * @param port the target's port
	 * @return the running proxy, without delay
	 * @throws IllegalArgumentException if the host is not a loopback address
	 */
	public static DelayProxy start(String host, int port) {
		InetAddress address;
		try {
			address = InetAddress.getByName(host);
		}
		catch (IOException ex) {
			throw new IllegalArgumentException("Unknown proxy target host '" + host + "'", ex);
		}
		if (!address.isLoopbackAddress()) {
			throw new IllegalArgumentException("DelayProxy forwards to loopback addresses only, not to '" + host + "'");
		}
		if (port < 1 || port > 65535) {
			throw new IllegalArgumentException("Proxy target port must be between 1 and 65535, but was " + port);
		}
		try {
			return new DelayProxy(new InetSocketAddress(address, port));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot start a proxy to " + host + ":" + port, ex);
		}
	}

	/**
	 * Starts a proxy to a fixture server; it keeps forwarding to the same port after the server
	 * restarts.
	 * @param server the server
	 * @return the running proxy, without delay
	 */
	public static DelayProxy to(RedisServerProcess server) {
		return start(RedisServerProcess.HOST, server.port());
	}

	/**
	 * Sets the delay of bytes read from now on, in each direction; bytes already waiting keep
	 * theirs.
	 * @param delay the delay, zero to forward at once
	 */
	public void setDelay(Duration delay) {
		if (delay == null || delay.isNegative()) {
			throw new IllegalArgumentException("Proxy delay must be zero or positive, but was " + delay);
		}
		this.delayNanos = delay.toNanos();
	}

	/**
	 * The current delay.
	 * @return the delay in each direction
	 */
	public Duration delay() {
		return Duration.ofNanos(this.delayNanos);
	}

	/**
	 * The port the proxy listens on.
	 * @return the proxy's port on {@code 127.0.0.1}
	 */
	public int port() {
		return this.loop.port();
	}

	/**
	 * The proxy's address as a Redis URI.
	 * @return {@code redis://127.0.0.1:port}
	 */
	public String uri() {
		return "redis://" + RedisServerProcess.HOST + ":" + port();
	}

	/**
	 * The target's port.
	 * @return the port connections are forwarded to
	 */
	public int targetPort() {
		return this.target.getPort();
	}

	/**
	 * How many connections are open now.
	 * @return the count of client connections the proxy serves
	 */
	public int openConnections() {
		return this.loop.openConnections();
	}

	/**
	 * Stops accepting, closes every connection (bytes still waiting are dropped) and ends the
	 * proxy's thread.
	 */
	@Override
	public void close() {
		this.loop.stop();
		if (Thread.currentThread() != this.thread) {
			try {
				this.thread.join(TimeUnit.SECONDS.toMillis(5));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public String toString() {
		return "DelayProxy[127.0.0.1:" + port() + " -> " + this.target.getPort() + ", delay "
				+ TimeUnit.NANOSECONDS.toMillis(this.delayNanos) + "ms]";
	}

}
