package dev.redlock.core.jedis.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.providers.ConnectionProvider;
import redis.clients.jedis.providers.PooledConnectionProvider;
import redis.clients.jedis.util.Pool;

import dev.redlock.core.Exchange;

/**
 * The pool of a plain-TCP standalone node, made of {@link SplitConnection}s, and the commands it
 * can send now and answer later. Internal: the one place that leans on Jedis internals.
 *
 * <p>Until a self-check has proven the exchange on a node, its calls run on I/O threads; the
 * first exchange asked for starts the check on a thread of its own, so that no lock waits for
 * it. The check: replies read after a read-ahead must be whole, and Jedis's own commands
 * must still read their own replies on that connection afterwards. If they are not (a Jedis
 * version that reads replies another way), the node keeps the thread-per-call path, and a warning
 * says so.
 */
public final class SplitExchanges {

	private static final Logger logger = LoggerFactory.getLogger(SplitExchanges.class);

	private static final int UNCHECKED = 0;

	private static final int PROVEN = 1;

	private static final int REFUSED = 2;

	private final String name;

	private final PooledConnectionProvider provider;

	private final Pool<Connection> pool;

	private final Function<RuntimeException, RuntimeException> failures;

	private final long checkTimeoutNanos;

	private volatile int state = UNCHECKED;

	private final AtomicBoolean checking = new AtomicBoolean();

	private SplitExchanges(String name, PooledConnectionProvider provider, long checkTimeoutNanos,
			Function<RuntimeException, RuntimeException> failures) {
		this.name = name;
		this.checkTimeoutNanos = checkTimeoutNanos;
		this.provider = provider;
		this.pool = provider.getPool();
		this.failures = failures;
	}

	/**
	 * Creates the pool of one node.
	 * @param name the node's name, for the warning
	 * @param node where the node is
	 * @param config the client configuration (timeouts, credentials, database)
	 * @param poolConfig the pool's size and wait
	 * @param failures turns what a read throws into what the node reports
	 * @return the pool
	 */
	public static SplitExchanges create(String name, HostAndPort node, JedisClientConfig config,
			ConnectionPoolConfig poolConfig, Function<RuntimeException, RuntimeException> failures) {
		return new SplitExchanges(name, new PooledConnectionProvider(new SplitConnectionFactory(node, config), poolConfig),
				Duration.ofMillis(Math.max(1, config.getSocketTimeoutMillis())).toNanos(), failures);
	}

	/**
	 * The pool as a Jedis connection provider, for the node's client.
	 * @return the provider
	 */
	public ConnectionProvider provider() {
		return this.provider;
	}

	/**
	 * Sends a script by SHA (given {@code sha1}; {@code arguments} are the key count, the keys and
	 * the arguments) or a {@code SET} ({@code sha1} null; {@code arguments} are SET's) on an idle
	 * connection.
	 * @param sha1 the script's SHA-1, or {@code null} for a {@code SET}
	 * @param source the script, sent by {@code EVAL} if the node answers {@code NOSCRIPT}
	 * @param check turns the reply into the result
	 * @param recover turns an error reply into a result, or {@code null} to throw it
	 * @param arguments the command's arguments
	 * @return the exchange, or {@code null} if no idle connection is there (making one would
	 * connect on the caller's thread) or the node refused the self-check
	 */
	public Exchange start(String sha1, String source, Predicate<Object> check,
			Function<JedisDataException, Boolean> recover, String... arguments) {
		SplitConnection connection = idle();
		if (connection == null) {
			return null;
		}
		try {
			if (sha1 != null) {
				connection.send(Protocol.Command.EVALSHA, SplitConnection.prepend(sha1, arguments));
			}
			else {
				connection.send(Protocol.Command.SET, arguments);
			}
		}
		catch (RuntimeException ex) {
			this.pool.returnBrokenResource(connection);
			throw this.failures.apply(ex);
		}
		return new SplitExchange(this.pool, this.failures, connection, source, arguments, check, recover);
	}

	private SplitConnection idle() {
		if (this.state != PROVEN) {
			if (this.state == UNCHECKED && this.checking.compareAndSet(false, true)) {
				Thread check = new Thread(this::check, "redlock-self-check-" + this.name);
				check.setDaemon(true);
				check.start();
			}
			return null;
		}
		try {
			return (this.pool.getNumIdle() > 0) ? (SplitConnection) this.pool.borrowObject(Duration.ZERO) : null;
		}
		catch (Exception ex) {
			return null;
		}
	}

	/**
	 * Runs the self-check on a pooled connection, once it gets one: proven, the node may take
	 * exchanges from now on; refused, it never will; no verdict (the node is down), the next
	 * exchange asked for tries again.
	 */
	private void check() {
		try {
			checkOnce();
		}
		catch (RuntimeException | Error ex) {
			// no verdict: the next exchange asked for tries again
			this.checking.set(false);
			logger.debug("Self-check of the read-ahead exchange on {} failed: {}", this.name, ex.toString());
		}
	}

	private void checkOnce() {
		SplitConnection connection;
		try {
			connection = (SplitConnection) this.pool.borrowObject();
		}
		catch (Exception ex) {
			this.checking.set(false);
			return;
		}
		Boolean proven;
		try {
			proven = selfCheck(connection, this.checkTimeoutNanos);
		}
		catch (RuntimeException ex) {
			// an error answer (an ACL without PING?) or a broken connection: no verdict yet
			proven = null;
		}
		if (Boolean.TRUE.equals(proven)) {
			this.state = PROVEN;
		}
		giveBack(connection, Boolean.TRUE.equals(proven));
		if (proven == null) {
			this.checking.set(false);
		}
		else if (!proven) {
			this.state = REFUSED;
			logger.warn("Redlock node {}: the read-ahead exchange failed its self-check with this Jedis version; the "
					+ "node's calls run on I/O threads instead (a little slower, just as safe). Set "
					+ "redlock.caller-reads-answers=false to skip the check.", this.name);
		}
	}

	private void giveBack(SplitConnection connection, boolean usable) {
		try {
			if (usable) {
				this.pool.returnResource(connection);
			}
			else {
				this.pool.returnBrokenResource(connection);
			}
		}
		catch (RuntimeException ex) {
			// the pool could not make a replacement: the node is down, and the next call will say so
		}
	}

	/**
	 * Proves the exchange on one connection: replies read after a read-ahead, with and without
	 * waiting, small and large, and a plain Jedis command afterwards.
	 * @param connection the connection
	 * @param timeoutNanos the longest wait for each answer
	 * @return {@code true} if every reply was the one expected, {@code false} if one was not
	 */
	static boolean selfCheck(SplitConnection connection, long timeoutNanos) {
		// PING with a message answers it as a bulk string, like ECHO, and needs no ACL right of its own
		String small = "redlock-check-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
		connection.send(Protocol.Command.PING, small);
		if (!connection.awaitAnswer(timeoutNanos) || !connection.isAnswered()
				|| !small.equals(text(connection.getOne()))) {
			return false;
		}
		char[] filler = new char[16 * 1024];
		Arrays.fill(filler, 'r');
		String large = small + new String(filler);
		connection.send(Protocol.Command.PING, large);
		if (!connection.awaitAnswer(timeoutNanos) || !large.equals(text(connection.getOne()))) {
			return false;
		}
		connection.send(Protocol.Command.PING, small);
		if (!small.equals(text(connection.getOne()))) {
			return false;
		}
		return connection.ping() && !connection.isBroken();
	}

	private static String text(Object reply) {
		return (reply instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8) : null;
	}


}
